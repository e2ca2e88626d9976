"""The Django admin: administrators maintain the catalogue and the province set-up here.

Every save and delete made in the admin writes an audit event in the admin's own
transaction. Records that carry legal status (dossiers, appraisals, votes, decisions)
are read-only here: they change only through the services.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from audit import trail

from . import models as m
from .exceptions import NotAllowed, RuleViolation
from .services.agencies import agency_set_active
from .services.catalogue import criteria_set_new_version, set_in_use


def _editable_fields(obj: models.Model) -> list[str]:
    return [f.name for f in obj._meta.concrete_fields if f.name not in ("id",)]


class AuditedAdmin(admin.ModelAdmin):
    """Records every admin change with who, what before and what after."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change and obj.pk:
            old = type(obj).objects.filter(pk=obj.pk).first()
            before = trail.snapshot(old, _editable_fields(old)) if old else None
        super().save_model(request, obj, form, change)
        trail.record(actor=request.user, action=f"admin.{'change' if change else 'add'}",
                     obj=obj, before=before, after=trail.snapshot(obj, _editable_fields(obj)),
                     reason=form.data.get("_audit_reason", "") if hasattr(form, "data") else "")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        trail.record(actor=request.user, action="admin.delete", obj=obj,
                     before=trail.snapshot(obj, _editable_fields(obj)))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Visible to administrators, changed only through the services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _set_of(obj: Any) -> m.CriteriaSet | None:
    """The criteria set an admin object belongs to (a set, criterion, indicator, threshold)."""
    for path in ("", "criteria_set", "criterion.criteria_set", "indicator.criterion.criteria_set"):
        target = obj
        for name in filter(None, path.split(".")):
            target = getattr(target, name, None)
        if isinstance(target, m.CriteriaSet):
            return target
    return None


class LawInUse:
    """A criteria set that judges a dossier is law in use: shown, never edited in place
    (“New version of the set” copies it for editing)."""

    def _in_use(self, obj: Any) -> bool:
        criteria_set = _set_of(obj) if obj is not None else None
        return criteria_set is not None and set_in_use(criteria_set)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._in_use(obj) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if isinstance(self, admin.options.InlineModelAdmin):
            return not self._in_use(obj) and super().has_add_permission(request, obj)
        return super().has_add_permission(request)


class AuditedInlinesAdmin(AuditedAdmin):
    """Also records every inline row added, changed or deleted."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            trail.record(actor=request.user, action="admin.delete", obj=obj,
                         before=trail.snapshot(obj, _editable_fields(obj)))
            obj.delete()
        for obj in instances:
            before = None
            if obj.pk:
                old = type(obj).objects.filter(pk=obj.pk).first()
                before = trail.snapshot(old, _editable_fields(old)) if old else None
            obj.save()
            trail.record(actor=request.user, action="admin.change" if before else "admin.add",
                         obj=obj, before=before, after=trail.snapshot(obj, _editable_fields(obj)))
        formset.save_m2m()


class IndicatorInline(LawInUse, admin.TabularInline):
    model = m.Indicator
    extra = 0
    fields = ("position", "code", "key", "name_vi", "name_en", "unit", "measure", "threshold",
              "confidence", "retired")


class ThresholdInline(LawInUse, admin.TabularInline):
    model = m.Threshold
    extra = 0
    fields = ("applies_to", "comparison", "value", "value_max", "kind", "unit")


class NewVersionForm(django_forms.Form):
    code = django_forms.SlugField(label=_("Code of the new version"), max_length=64)
    valid_from = django_forms.DateField(label=_("In force from"),
                                        input_formats=["%d/%m/%Y", "%Y-%m-%d"])


@admin.action(description=_("New version of the set (a copy to edit)"))
def new_version(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any) -> Any:
    if queryset.count() != 1:
        modeladmin.message_user(request, gettext("Choose exactly one criteria set."),
                                messages.ERROR)
        return None
    source = queryset.get()
    form = NewVersionForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        try:
            copy = criteria_set_new_version(actor=request.user, source=source,
                                            code=form.cleaned_data["code"],
                                            valid_from=form.cleaned_data["valid_from"])
        except (RuleViolation, NotAllowed) as exc:
            for message in getattr(exc, "problems", [str(exc)]):
                modeladmin.message_user(request, message, messages.ERROR)
        else:
            modeladmin.message_user(request, gettext("%(code)s was created: edit it, then it "
                                                     "replaces %(old)s from %(day)s.") % {
                "code": copy.code, "old": source.code,
                "day": copy.valid_from.strftime("%d/%m/%Y")})
            return None
    return TemplateResponse(request, "admin/criteria_set_new_version.html", {
        **modeladmin.admin_site.each_context(request), "form": form, "source": source,
        "opts": modeladmin.model._meta, "title": gettext("New version of %(code)s")
        % {"code": source.code}})


@admin.register(m.CriteriaSet)
class CriteriaSetAdmin(LawInUse, AuditedAdmin):
    list_display = ("code", "title_vi", "level", "province", "valid_from", "valid_until",
                    "superseded_by", "fragments", "loaded_at")
    list_filter = ("level", "province", "fragments")
    readonly_fields = ("source_file", "loaded_at")
    actions = [new_version]


@admin.register(m.Criterion)
class CriterionAdmin(LawInUse, AuditedInlinesAdmin):
    list_display = ("criteria_set", "number", "name_vi", "revocation_key", "retired")
    list_filter = ("criteria_set", "revocation_key", "retired")
    inlines = [IndicatorInline]


@admin.register(m.Indicator)
class IndicatorAdmin(LawInUse, AuditedInlinesAdmin):
    list_display = ("criterion", "code", "name_vi", "measure", "confidence", "retired")
    list_filter = ("criterion__criteria_set", "measure", "confidence", "retired")
    search_fields = ("code", "name_vi", "name_en")
    inlines = [ThresholdInline]


@admin.register(m.Province)
class ProvinceAdmin(AuditedAdmin):
    list_display = ("code", "name", "publish_decisions")
    search_fields = ("name", "code")


@admin.register(m.District)
class DistrictAdmin(AuditedAdmin):
    list_display = ("code", "name", "province", "abolished_on")
    list_filter = ("province",)


class VillageInline(admin.TabularInline):
    model = m.Village
    extra = 0


@admin.register(m.Commune)
class CommuneAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "province", "group", "region")
    list_filter = ("province", "kind", "group", "region")
    search_fields = ("name", "code")
    inlines = [VillageInline]


@admin.register(m.Agency)
class AgencyAdmin(AuditedAdmin, GuardedModelAdmin):
    list_display = ("name", "kind", "province", "commune", "confirms_debt", "confirms_security",
                    "active")
    list_filter = ("province", "kind", "active")
    search_fields = ("name", "code")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple:
        # The group is created with the agency by ``agency_create``; add agencies there.
        return ("province", "kind", "code") if obj else ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Deactivation goes through its service, which takes every right away at once.
        if not (change and "active" in form.changed_data):
            super().save_model(request, obj, form, change)
            return
        wanted = obj.active
        obj.active = not wanted
        super().save_model(request, obj, form, change)
        agency_set_active(actor=request.user, agency=obj, active=wanted,
                          reason=form.data.get("_audit_reason", "") or
                          gettext("Changed in the administration"))
        obj.active = wanted


@admin.register(m.Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "agency", "title", "is_head", "is_delegate")
    list_filter = ("agency__province", "agency__kind")


@admin.register(m.RegulationProfile)
class RegulationProfileAdmin(AuditedAdmin):
    list_display = ("province", "version", "valid_from", "survey_coverage_min",
                    "survey_satisfaction_min", "council_quorum", "council_approval_min",
                    "posting_days", "district_verification")
    list_filter = ("province",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A version pinned by a dossier is law for it: publish a new version instead.
        if obj is not None and obj.dossiers.exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.dossiers.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(m.Responsibility)
class ResponsibilityAdmin(AuditedAdmin):
    list_display = ("province", "criterion", "indicator", "agency")
    list_filter = ("province", "criterion__criteria_set", "agency")


class BatchDeadlineInline(admin.TabularInline):
    model = m.BatchDeadline
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # dates change through batch_deadline_set, which audits the change


@admin.register(m.Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "province", "recognition_year", "number", "closed")
    list_filter = ("province", "recognition_year")
    inlines = [BatchDeadlineInline]


for model in (m.Dossier, m.SelfAssessment, m.Evidence, m.DossierDocument, m.PublicComment,
              m.CriterionAppraisal, m.SurveyResult, m.SurveyAppraisal, m.Confirmation,
              m.DistrictVerification, m.CouncilMeeting, m.AgendaItem, m.Vote, m.Decision,
              m.Revocation, m.DecisionSignature, m.Merger, m.MergerOutcome):
    admin.site.register(model, ReadOnlyAdmin)


@admin.register(m.TrustRoot)
class TrustRootAdmin(AuditedAdmin):
    """The certification authorities whose signers' decisions are reported as verified."""

    list_display = ("name", "active")
