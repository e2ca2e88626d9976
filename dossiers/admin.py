"""The Django admin: administrators maintain the catalogue and the province set-up here.

The admin writes only through services (``dossiers.services.admin_changes`` and the
set-up services): every save and delete, inline rows included, writes an audit event with
before and after in the admin's own transaction. Records that carry legal status
(dossiers, appraisals, votes, decisions) are read-only here; a criteria set that dossiers
use is read-only too (a new version is published instead); agency groups change only
through memberships; there is no object-permission screen (rights are granted by the
services, audited).
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import models as m
from .exceptions import NotAllowed, RuleViolation
from .services.admin_changes import admin_delete, admin_save, catalogue_in_use
from .services.agencies import agency_add_member, agency_remove_member, agency_set_active
from .services.catalogue import criteria_set_new_version


def _reason(form: Any) -> str:
    return form.data.get("_audit_reason", "") if hasattr(form, "data") else ""


class AuditedAdmin(admin.ModelAdmin):
    """Writes through ``admin_save`` / ``admin_delete``: who, what before, what after; the
    rows of inlines too, one event each."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        admin_save(actor=request.user, obj=obj, reason=_reason(form),
                   save=lambda: super(AuditedAdmin, self).save_model(request, obj, form, change))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        admin_delete(actor=request.user, obj=obj,
                     delete=lambda: super(AuditedAdmin, self).delete_model(request, obj))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # ``save(commit=False)`` sorts the rows into new, changed and deleted (the admin's
        # change message reads these lists); each row is then written through the service.
        rows = formset.save(commit=False)
        for obj in formset.deleted_objects:
            admin_delete(actor=request.user, obj=obj, delete=obj.delete)
        for obj in rows:
            admin_save(actor=request.user, obj=obj, reason=_reason(form), save=obj.save)
        formset.save_m2m()


class CatalogueAdmin(AuditedAdmin):
    """A criteria set that dossiers use is law for them: shown, never edited in place."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and catalogue_in_use(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and catalogue_in_use(obj):
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: Any = None) -> Any:
        obj = self.get_object(request, object_id)
        if obj is not None and catalogue_in_use(obj):
            messages.warning(request, gettext(
                "Dossiers already use this criteria set: it cannot be edited in place. "
                "Publish a new version of the set instead."))
        return super().change_view(request, object_id, form_url, extra_context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Visible to administrators, changed only through the services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LawInUse:
    """A criteria set that judges a dossier is law in use: shown, never edited in place
    (“New version of the set” copies it for editing)."""

    def _in_use(self, obj: Any) -> bool:
        return obj is not None and catalogue_in_use(obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._in_use(obj) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if isinstance(self, admin.options.InlineModelAdmin):
            return not self._in_use(obj) and super().has_add_permission(request, obj)
        return super().has_add_permission(request)


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
class CriteriaSetAdmin(CatalogueAdmin):
    list_display = ("code", "title_vi", "level", "province", "valid_from", "valid_until",
                    "superseded_by", "fragments", "loaded_at")
    list_filter = ("level", "province", "fragments")
    readonly_fields = ("source_file", "loaded_at")
    actions = [new_version]


@admin.register(m.Criterion)
class CriterionAdmin(CatalogueAdmin):
    list_display = ("criteria_set", "number", "name_vi", "revocation_key", "retired")
    list_filter = ("criteria_set", "revocation_key", "retired")
    inlines = [IndicatorInline]


@admin.register(m.Indicator)
class IndicatorAdmin(CatalogueAdmin):
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
class AgencyAdmin(AuditedAdmin):
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
class MembershipAdmin(admin.ModelAdmin):
    """Memberships are the only way into an agency's group: through the agency services."""

    list_display = ("user", "agency", "title", "phone", "is_head", "is_delegate")
    list_filter = ("agency__province", "agency__kind")
    search_fields = ("user__username", "user__first_name", "user__last_name", "agency__name")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple:
        return ("agency", "user") if obj else ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = agency_add_member(actor=request.user, agency=obj.agency, user=obj.user,
                                  title=obj.title, phone=obj.phone, is_head=obj.is_head,
                                  is_delegate=obj.is_delegate)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        agency_remove_member(actor=request.user, agency=obj.agency, user=obj.user,
                             reason=_reason_text(request))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


def _reason_text(request: HttpRequest) -> str:
    return request.POST.get("_audit_reason", "") or gettext("Changed in the administration")


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


from . import admin_users  # noqa: E402,F401 - people and groups, audited
