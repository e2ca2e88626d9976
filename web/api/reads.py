"""What a client reads besides the steps, so that no client needs ids from the database: a
dossier's criteria and indicators with their thresholds, its villages; the province's
agencies with their members, councils, communes (historic ones too), criteria sets; and
two writes that are not steps: withdrawing evidence, reassigning a task.

Every read is scoped to the caller: a dossier they may see, the provinces they act in (all
for a superuser); anything else is not found (404)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView
from viewflow.workflow.models import Task

from dossiers import selectors
from dossiers.models import (
    Agency,
    Commune,
    CriteriaSet,
    Criterion,
    Evidence,
    Indicator,
    Membership,
    Province,
    RegulationProfile,
    Responsibility,
    Village,
)
from dossiers.services.assessment import evidence_withdraw
from workflow.services import task_reassign

from .serializers import EvidenceSerializer, Id, Input
from .views import CallerScoped

NOT_FOUND = OpenApiResponse(description="Not found, or not the caller's to see.")


def caller_provinces(user: Any) -> Any:
    if user.is_superuser:
        return Province.objects.all()
    return Province.objects.filter(agencies__memberships__user=user,
                                   agencies__active=True).distinct()


class IndicatorOut(serializers.ModelSerializer):
    name = serializers.CharField()

    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "unit", "threshold", "confidence"]


class CriterionOut(serializers.ModelSerializer):
    name = serializers.CharField()
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = Criterion
        fields = ["id", "number", "name", "revocation_key", "indicators"]

    def get_indicators(self, criterion: Criterion) -> list[dict]:
        return IndicatorOut([i for i in criterion.indicators.all() if not i.retired],
                            many=True).data


class VillageOut(serializers.ModelSerializer):
    class Meta:
        model = Village
        fields = ["id", "commune", "name", "households"]


class MemberOut(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")
    full_name = serializers.CharField(source="user.get_full_name")
    email = serializers.CharField(source="user.email")

    class Meta:
        model = Membership
        fields = ["user", "username", "full_name", "email", "title", "phone", "is_head",
                  "is_delegate"]


class AgencyOut(serializers.ModelSerializer):
    members = MemberOut(source="memberships", many=True)

    class Meta:
        model = Agency
        fields = ["id", "province", "kind", "code", "name", "commune", "district",
                  "confirms_debt", "confirms_security", "active", "members"]


class CommuneOut(serializers.ModelSerializer):
    class Meta:
        model = Commune
        fields = ["id", "province", "code", "name", "kind", "group", "district",
                  "abolished_on", "successor"]


class CriteriaSetOut(serializers.ModelSerializer):
    class Meta:
        model = CriteriaSet
        fields = ["id", "code", "level", "province", "valid_from", "valid_until", "fragments"]


class ResponsibilityOut(serializers.ModelSerializer):
    criteria_set = serializers.IntegerField(source="criterion.criteria_set_id")
    criterion_number = serializers.IntegerField(source="criterion.number")
    indicator_code = serializers.CharField(source="indicator.code", default=None,
                                           allow_null=True)
    agency_code = serializers.CharField(source="agency.code")

    class Meta:
        model = Responsibility
        fields = ["id", "province", "criteria_set", "criterion", "criterion_number", "indicator",
                  "indicator_code", "agency", "agency_code"]


class RegulationProfileOut(serializers.ModelSerializer):
    class Meta:
        model = RegulationProfile
        fields = ["id", "province", "version", "valid_from", "legal_basis",
                  "survey_coverage_min", "survey_satisfaction_min", "council_quorum",
                  "council_approval_min", "survey_households_tolerance", "posting_days",
                  "province_answer_working_days", "district_verification"]


class DossierCriteria(APIView):
    @extend_schema(operation_id="dossiers_criteria", responses={200: CriterionOut(many=True),
                                                                 404: NOT_FOUND})
    def get(self, request: Any, pk: int) -> Response:
        """The criteria and indicators of the dossier's criteria set, with their thresholds."""
        dossier = get_object_or_404(selectors.visible_dossiers(request.user), pk=pk)
        criteria = (dossier.criteria_set.criteria.filter(retired=False)
                    .prefetch_related("indicators").order_by("number"))
        return Response(CriterionOut(criteria, many=True).data)


class DossierVillages(APIView):
    @extend_schema(operation_id="dossiers_villages", responses={200: VillageOut(many=True),
                                                                 404: NOT_FOUND})
    def get(self, request: Any, pk: int) -> Response:
        """The villages of the dossier's commune (the units of the survey)."""
        dossier = get_object_or_404(selectors.visible_dossiers(request.user), pk=pk)
        return Response(VillageOut(dossier.commune.villages.order_by("name"), many=True).data)


class WithdrawInput(Input):
    reason = serializers.CharField(max_length=2000)


class EvidenceWithdraw(APIView):
    @extend_schema(operation_id="dossiers_evidence_withdraw", request=WithdrawInput,
                   responses={200: EvidenceSerializer,
                              400: OpenApiResponse(description="{detail, problems}: already "
                                                   "withdrawn, not in self-assessment, no "
                                                   "reason."),
                              403: OpenApiResponse(description="Not the commune's officer."),
                              404: NOT_FOUND})
    def post(self, request: Any, pk: int, evidence_pk: int) -> Response:
        """Withdraw evidence uploaded by mistake (the file and its hash are kept)."""
        dossier = get_object_or_404(selectors.visible_dossiers(request.user), pk=pk)
        evidence = get_object_or_404(Evidence, pk=evidence_pk, dossier=dossier)
        data = WithdrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        evidence = evidence_withdraw(actor=request.user, evidence=evidence,
                                     reason=data.validated_data["reason"])
        return Response(EvidenceSerializer(evidence).data)


class ReassignInput(Input):
    to = Id(required=False, allow_null=True,
            help_text="The member to give the task to; empty: back to the agency's queue.")
    reason = serializers.CharField(max_length=2000)


class TaskReassign(APIView):
    @extend_schema(operation_id="tasks_reassign", request=ReassignInput,
                   responses={200: OpenApiResponse(description="{id, owner}"),
                              400: OpenApiResponse(description="{detail, problems}"),
                              403: OpenApiResponse(description="Not the coordination office."),
                              404: NOT_FOUND})
    def post(self, request: Any, pk: int) -> Response:
        """The coordination office gives an open task to a member of its agency (or frees it)."""
        task = get_object_or_404(Task.objects.filter(
            process__dossierprocess__dossier__in=selectors.visible_dossiers(request.user)),
            pk=pk)
        data = ReassignInput(data=request.data)
        data.is_valid(raise_exception=True)
        to = None
        if data.validated_data.get("to"):
            to = get_object_or_404(Membership, user_id=data.validated_data["to"],
                                   agency__province__in=caller_provinces(request.user)).user
        task = task_reassign(actor=request.user, task=task, to=to,
                             reason=data.validated_data["reason"])
        return Response({"id": task.pk, "owner": task.owner_id})


class ProvinceScoped(mixins.ListModelMixin, mixins.RetrieveModelMixin, CallerScoped):
    """Read-only lists of a province's set-up, for the provinces the caller acts in."""


class AgencyViewSet(ProvinceScoped):
    """The agencies (councils included, ``kind=council``) with their members."""

    serializer_class = AgencyOut
    filterset_fields = ["province", "kind", "commune", "active"]
    model = Agency

    def scoped(self, user: Any) -> Any:
        return (Agency.objects.filter(province__in=caller_provinces(user))
                .prefetch_related("memberships__user").order_by("pk"))


class CommuneViewSet(ProvinceScoped):
    """Communes and wards, with historic units abolished by the 2025 mergers."""

    serializer_class = CommuneOut
    filterset_fields = ["province", "group", "kind", "successor"]
    model = Commune

    def scoped(self, user: Any) -> Any:
        return Commune.objects.filter(province__in=caller_provinces(user)).order_by("pk")


class VillageViewSet(ProvinceScoped):
    serializer_class = VillageOut
    filterset_fields = ["commune"]
    model = Village

    def scoped(self, user: Any) -> Any:
        return Village.objects.filter(
            commune__province__in=caller_provinces(user)).order_by("pk")


class CriteriaSetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """The criteria sets: national ones and the caller's provinces' own."""

    serializer_class = CriteriaSetOut
    filterset_fields = ["level"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return CriteriaSet.objects.none()
        from django.db.models import Q

        return CriteriaSet.objects.filter(
            Q(province__isnull=True) | Q(province__in=caller_provinces(self.request.user))
        ).order_by("code")


class ResponsibilityViewSet(ProvinceScoped):
    """The responsibility mapping: which agency appraises each criterion or single indicator
    (filter ``criterion__criteria_set`` for one set)."""

    serializer_class = ResponsibilityOut
    filterset_fields = ["province", "agency", "criterion__criteria_set"]
    model = Responsibility

    def scoped(self, user: Any) -> Any:
        return (Responsibility.objects.filter(province__in=caller_provinces(user))
                .select_related("criterion", "indicator", "agency").order_by("pk"))


class RegulationProfileViewSet(ProvinceScoped):
    """The versions of the provinces' regulation profiles (configurable numbers)."""

    serializer_class = RegulationProfileOut
    filterset_fields = ["province"]
    model = RegulationProfile

    def scoped(self, user: Any) -> Any:
        return RegulationProfile.objects.filter(
            province__in=caller_provinces(user)).order_by("pk")
