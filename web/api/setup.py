"""The set-up API (``/api/setup/...``): a province's units, agencies, people, responsibility
mapping, regulation profiles, batches and reminder policy.

An administrator sees every province; a coordination office only its own: another
province's objects are not found (404), ids in a body included, and nothing is written.
Every write is one service call, which checks the right again and audits the change."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from dossiers.models import (
    Agency,
    Batch,
    Commune,
    CriteriaSet,
    Criterion,
    District,
    Indicator,
    Membership,
    Province,
    RegulationProfile,
    Responsibility,
)
from dossiers.permissions import administered_provinces
from dossiers.services import agencies, geography, people, setup
from notifications.policy import reminder_policy_of, reminder_policy_set
from workflow.services import member_deactivate

from . import serializers as s
from . import setup_serializers as ss
from .views import CallerScoped, _input


def _provinces(request: Any) -> Any:
    return administered_provinces(request.user)


def _province(request: Any, pk: int | None) -> Province:
    return get_object_or_404(_provinces(request), pk=pk)


def _created(data: Any) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)


class SetupScoped(CallerScoped):
    """Rows of the provinces the caller administers (``province_path`` names the link)."""

    province_path = "province"

    def scoped(self, user: Any) -> Any:
        return self.model.objects.filter(
            **{f"{self.province_path}__in": administered_provinces(user)}).order_by("pk")


class ProvinceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CallerScoped):
    """Provinces; POST imports one (administrator) with its communes and wards."""

    serializer_class = ss.ProvinceSerializer
    model = Province

    def scoped(self, user: Any) -> Any:
        return administered_provinces(user).order_by("code")

    @extend_schema(request=ss.ProvinceImportInput, responses=ss.ProvinceSerializer)
    def create(self, request: Any) -> Response:
        data = _input(ss.ProvinceImportInput, request)
        return _created(ss.ProvinceSerializer(
            geography.province_import(actor=request.user, code=data["code"])).data)

    @extend_schema(request=None, responses=ss.ProvinceSerializer)
    @action(detail=True, methods=["post"], url_path="import")
    def refresh(self, request: Any, pk: str) -> Response:
        """Import again from the official list (new and renamed units)."""
        province = self.get_object()
        return Response(ss.ProvinceSerializer(
            geography.province_import(actor=request.user, code=int(province.code))).data)

    @extend_schema(responses=ss.ReminderPolicySerializer)
    @extend_schema(methods=["put"], request=ss.ReminderPolicyInput,
                   responses=ss.ReminderPolicySerializer)
    @action(detail=True, methods=["get", "put"], url_path="reminder-policy")
    def reminder_policy(self, request: Any, pk: str) -> Response:
        province = self.get_object()
        if request.method == "GET":
            return Response(ss.ReminderPolicySerializer(reminder_policy_of(province)).data)
        policy = reminder_policy_set(actor=request.user, province=province,
                                     **_input(ss.ReminderPolicyInput, request))
        return Response(ss.ReminderPolicySerializer(policy).data)


class CommuneViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SetupScoped):
    serializer_class = ss.CommuneSerializer
    filterset_fields = ["province", "kind", "group", "region", "district"]
    model = Commune

    @extend_schema(request=ss.ClassifyInput, responses=ss.CommuneSerializer)
    @action(detail=True, methods=["post"])
    def classify(self, request: Any, pk: str) -> Response:
        """The commune's group (2026-2030) and region (2021-2025) with the dates decided."""
        commune = self.get_object()
        data = _input(ss.ClassifyInput, request)
        district = data.pop("district")
        if district is not None:
            district = get_object_or_404(District, pk=district, province=commune.province)
        return Response(ss.CommuneSerializer(geography.commune_classify(
            actor=request.user, commune=commune, district=district, **data)).data)


    @extend_schema(methods=["get"], responses=ss.VillageSerializer(many=True))
    @extend_schema(methods=["post"], request=ss.VillageInput,
                   responses={201: ss.VillageSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def villages(self, request: Any, pk: str) -> Response:
        """The commune's villages (the units of the survey); POST adds or updates one."""
        commune = self.get_object()
        if request.method == "GET":
            return Response(ss.VillageSerializer(commune.villages.order_by("name"),
                                                 many=True).data)
        return _created(ss.VillageSerializer(geography.village_set(
            actor=request.user, commune=commune, **_input(ss.VillageInput, request))).data)


class DistrictViewSet(mixins.ListModelMixin, SetupScoped):
    """Historic districts (abolished on 1 July 2025), for dossiers of the older variant."""

    serializer_class = ss.DistrictSerializer
    filterset_fields = ["province"]
    model = District

    @extend_schema(request=ss.DistrictCreateInput, responses=ss.DistrictSerializer)
    def create(self, request: Any) -> Response:
        data = _input(ss.DistrictCreateInput, request)
        province = _province(request, data.pop("province"))
        return _created(ss.DistrictSerializer(
            geography.district_record(actor=request.user, province=province, **data)).data)


class AgencyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SetupScoped):
    serializer_class = ss.AgencySerializer
    filterset_fields = ["province", "kind", "active", "commune"]
    model = Agency

    @extend_schema(request=ss.AgencyInput, responses=ss.AgencySerializer)
    def create(self, request: Any) -> Response:
        data = _input(ss.AgencyInput, request)
        province = _province(request, data.pop("province"))
        commune = data.pop("commune")
        district = data.pop("district")
        agency = agencies.agency_create(
            actor=request.user, province=province,
            commune=get_object_or_404(Commune, pk=commune, province=province) if commune else None,
            district=get_object_or_404(District, pk=district, province=province)
            if district else None, **data)
        return _created(ss.AgencySerializer(agency).data)

    @extend_schema(request=ss.AgencyUpdateInput, responses=ss.AgencySerializer)
    def partial_update(self, request: Any, pk: str) -> Response:
        agency = agencies.agency_update(actor=request.user, agency=self.get_object(),
                                        **_input(ss.AgencyUpdateInput, request))
        return Response(ss.AgencySerializer(agency).data)

    @extend_schema(request=ss.SetupReasonInput, responses=ss.AgencySerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Any, pk: str) -> Response:
        return Response(ss.AgencySerializer(agencies.agency_set_active(
            actor=request.user, agency=self.get_object(), active=False,
            **_input(ss.SetupReasonInput, request))).data)

    @extend_schema(request=ss.SetupReasonInput, responses=ss.AgencySerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Any, pk: str) -> Response:
        return Response(ss.AgencySerializer(agencies.agency_set_active(
            actor=request.user, agency=self.get_object(), active=True,
            **_input(ss.SetupReasonInput, request))).data)


def _people(user: Any) -> Any:
    """The people a caller manages: everyone (administrator), or the members of its
    province's agencies."""
    model = get_user_model()
    if user.is_active and user.is_superuser:
        return model.objects.all()
    return model.objects.filter(memberships__agency__province__in=administered_provinces(user))


class MembershipViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, SetupScoped):
    """Who acts for which agency; POST adds a person (or changes their title and flags)."""

    serializer_class = ss.MembershipSerializer
    filterset_fields = ["agency", "agency__province", "is_head", "user__is_active"]
    model = Membership
    province_path = "agency__province"

    def scoped(self, user: Any) -> Any:
        return super().scoped(user).select_related("user")

    @extend_schema(request=ss.MembershipInput, responses=ss.MembershipSerializer)
    def create(self, request: Any) -> Response:
        data = _input(ss.MembershipInput, request)
        agency = get_object_or_404(Agency, pk=data.pop("agency"),
                                   province__in=_provinces(request))
        person = get_object_or_404(_people(request.user).distinct(), pk=data.pop("user"))
        return _created(ss.MembershipSerializer(agencies.agency_add_member(
            actor=request.user, agency=agency, user=person, **data)).data)

    @extend_schema(request=ss.SetupReasonInput, responses=None)
    def destroy(self, request: Any, pk: str) -> Response:
        membership = self.get_object()
        agencies.agency_remove_member(actor=request.user, agency=membership.agency,
                                      user=membership.user, **_input(ss.SetupReasonInput, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CallerScoped):
    """People of the agencies: POST creates an account and e-mails its invitation."""

    serializer_class = ss.PersonSerializer
    filterset_fields = ["is_active", "memberships__agency", "memberships__agency__province"]
    model = get_user_model()

    def scoped(self, user: Any) -> Any:
        return _people(user).distinct().prefetch_related("memberships").order_by("pk")

    def filter_queryset(self, queryset: Any) -> Any:
        queryset = super().filter_queryset(queryset)
        text = self.request.query_params.get("q", "").strip()[:100]
        if text:
            queryset = queryset.filter(Q(username__icontains=text) | Q(email__icontains=text) |
                                       Q(first_name__icontains=text) |
                                       Q(last_name__icontains=text))
        return queryset

    @extend_schema(request=ss.PersonInput, responses=ss.PersonSerializer)
    def create(self, request: Any) -> Response:
        data = _input(ss.PersonInput, request)
        agency = get_object_or_404(Agency, pk=data.pop("agency"),
                                   province__in=_provinces(request))
        person = people.person_invite(actor=request.user, agency=agency, **data)
        return _created(ss.PersonSerializer(person).data)

    @extend_schema(request=ss.PersonUpdateInput, responses=ss.PersonSerializer)
    def partial_update(self, request: Any, pk: str) -> Response:
        person = people.person_update(actor=request.user, person=self.get_object(),
                                      **_input(ss.PersonUpdateInput, request))
        return Response(ss.PersonSerializer(person).data)

    @extend_schema(request=ss.SetupReasonInput, responses=ss.PersonSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Any, pk: str) -> Response:
        """Rights removed at once; the person's open tasks go back to their agencies' queues."""
        person = self.get_object()
        member_deactivate(actor=request.user, person=person, **_input(ss.SetupReasonInput, request))
        return Response(ss.PersonSerializer(get_user_model().objects.get(pk=person.pk)).data)

    @extend_schema(request=ss.SetupReasonInput, responses=ss.PersonSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Any, pk: str) -> Response:
        person = people.account_set_active(actor=request.user, person=self.get_object(),
                                           active=True, **_input(ss.SetupReasonInput, request))
        return Response(ss.PersonSerializer(person).data)


class CriteriaSetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CallerScoped):
    """The criteria sets a province may use (national ones and its own), with their
    criteria and indicators: what the responsibility mapping refers to."""

    serializer_class = ss.CriteriaSetSerializer
    filterset_fields = ["level", "province"]
    model = CriteriaSet

    def scoped(self, user: Any) -> Any:
        return (CriteriaSet.objects.filter(Q(province__isnull=True) |
                                           Q(province__in=administered_provinces(user)))
                .prefetch_related("criteria__indicators").order_by("pk"))


class ResponsibilityViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, SetupScoped):
    """Criterion or single indicator → agency, per province and criteria set."""

    serializer_class = ss.ResponsibilitySerializer
    filterset_fields = ["province", "criterion__criteria_set", "agency", "criterion"]
    model = Responsibility

    def scoped(self, user: Any) -> Any:
        return super().scoped(user).select_related("criterion", "indicator", "agency")

    @extend_schema(request=ss.ResponsibilityInput, responses=ss.ResponsibilitySerializer)
    def create(self, request: Any) -> Response:
        data = _input(ss.ResponsibilityInput, request)
        province = _province(request, data.pop("province"))
        criterion = get_object_or_404(Criterion, pk=data.pop("criterion"))
        indicator = data.pop("indicator")
        responsibility = setup.responsibility_set(
            actor=request.user, province=province, criterion=criterion,
            agency=get_object_or_404(Agency, pk=data.pop("agency"), province=province),
            indicator=get_object_or_404(Indicator, pk=indicator) if indicator else None, **data)
        return _created(ss.ResponsibilitySerializer(responsibility).data)

    @extend_schema(request=ss.SetupReasonInput, responses=None)
    def destroy(self, request: Any, pk: str) -> Response:
        setup.responsibility_remove(actor=request.user, responsibility=self.get_object(),
                                    **_input(ss.SetupReasonInput, request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ss.ResponsibilityCopyInput, responses=ss.CopyReportSerializer)
    @action(detail=False, methods=["post"])
    def copy(self, request: Any) -> Response:
        """Start a set's mapping from the province's mapping of another set, or from
        another province's mapping of the same set (agencies matched by code)."""
        data = _input(ss.ResponsibilityCopyInput, request)
        province = _province(request, data["province"])
        sets = CriteriaSet.objects.filter(Q(province__isnull=True) | Q(province=province))
        report = setup.responsibility_copy(
            actor=request.user, province=province,
            criteria_set=get_object_or_404(sets, pk=data["criteria_set"]),
            source_set=get_object_or_404(CriteriaSet, pk=data["source_set"])
            if data["source_set"] else None,
            # Any province's mapping may be read as a starting point: it is not secret.
            source_province=get_object_or_404(Province, pk=data["source_province"])
            if data["source_province"] else None)
        return Response(report)


class RegulationProfileViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SetupScoped):
    """Versions of a province's numbers; POST publishes a new one (running dossiers keep theirs)."""

    serializer_class = ss.RegulationProfileSerializer
    filterset_fields = ["province"]
    model = RegulationProfile

    @extend_schema(request=ss.RegulationPublishInput, responses=ss.RegulationProfileSerializer)
    def create(self, request: Any) -> Response:
        data = _input(ss.RegulationPublishInput, request)
        province = _province(request, data.pop("province"))
        return _created(ss.RegulationProfileSerializer(setup.regulation_profile_publish(
            actor=request.user, province=province, **data)).data)


class SetupBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SetupScoped):
    """Batches: create, rename, close (no new registration) or reopen, set their calendar."""

    serializer_class = s.BatchSerializer
    filterset_fields = ["province", "recognition_year", "closed"]
    model = Batch

    def scoped(self, user: Any) -> Any:
        return super().scoped(user).prefetch_related("deadlines")

    @extend_schema(request=ss.BatchCreateInput, responses=s.BatchSerializer)
    def create(self, request: Any) -> Response:
        data = _input(ss.BatchCreateInput, request)
        province = _province(request, data.pop("province"))
        return _created(s.BatchSerializer(
            setup.batch_create(actor=request.user, province=province, **data)).data)

    @extend_schema(request=ss.BatchUpdateInput, responses=s.BatchSerializer)
    def partial_update(self, request: Any, pk: str) -> Response:
        batch = setup.batch_update(actor=request.user, batch=self.get_object(),
                                   **_input(ss.BatchUpdateInput, request))
        return Response(s.BatchSerializer(batch).data)

    @extend_schema(request=s.DeadlineInput, responses=s.BatchSerializer)
    @action(detail=True, methods=["post"])
    def deadlines(self, request: Any, pk: str) -> Response:
        batch = self.get_object()
        setup.batch_deadline_set(actor=request.user, batch=batch,
                                 **_input(s.DeadlineInput, request))
        return Response(s.BatchSerializer(Batch.objects.get(pk=batch.pk)).data)


ROUTES = (
    ("setup/provinces", ProvinceViewSet, "setup-province"),
    ("setup/communes", CommuneViewSet, "setup-commune"),
    ("setup/districts", DistrictViewSet, "setup-district"),
    ("setup/agencies", AgencyViewSet, "setup-agency"),
    ("setup/memberships", MembershipViewSet, "setup-membership"),
    ("setup/people", PersonViewSet, "setup-person"),
    ("setup/criteria-sets", CriteriaSetViewSet, "setup-criteria-set"),
    ("setup/responsibilities", ResponsibilityViewSet, "setup-responsibility"),
    ("setup/regulation-profiles", RegulationProfileViewSet, "setup-regulation-profile"),
    ("setup/batches", SetupBatchViewSet, "setup-batch"),
)
