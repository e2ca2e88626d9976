"""Bulk imports from Excel: upload, preview (every row with its problem), apply, template and
export — for the coordination office (its province) and the administrator (any province)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dossiers.imports.engine import KINDS, Scope, import_apply, import_sheet, template_bytes
from dossiers.imports.sheets import XLSX_CONTENT_TYPE
from dossiers.models import Agency, Batch, CriteriaSet, Province
from workflow import services  # noqa: F401 - the registration import registers its kind

from ..refusals import refusals_shown


def provinces_for(user: Any) -> Any:
    """The provinces whose set-up ``user`` administers: every one for a superuser, else the
    provinces of their coordination offices."""
    if user.is_superuser:
        return Province.objects.order_by("code")
    return Province.objects.filter(
        agencies__kind=Agency.Kind.COORDINATION_OFFICE, agencies__active=True,
        agencies__memberships__user=user).distinct().order_by("code")


class ScopeForm(forms.Form):
    """What is imported, and where to."""

    kind = forms.ChoiceField(label=gettext_lazy("What to import"))
    province = forms.ModelChoiceField(Province.objects.none(), label=gettext_lazy("Province"))
    batch = forms.ModelChoiceField(
        Batch.objects.none(), required=False, label=gettext_lazy("Batch"),
        help_text=gettext_lazy("For registrations: the batch the dossiers go into."))
    criteria_set = forms.ModelChoiceField(
        CriteriaSet.objects.none(), required=False, label=gettext_lazy("Criteria set"),
        help_text=gettext_lazy("For the responsibility mapping."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provinces = provinces_for(user)
        self.fields["kind"].choices = [(k.name, k.title) for k in KINDS.values()]
        self.fields["province"].queryset = provinces
        if provinces.count() == 1:
            self.fields["province"].initial = provinces.first()
        self.fields["batch"].queryset = Batch.objects.filter(
            province__in=provinces, closed=False).select_related("province")
        self.fields["criteria_set"].queryset = CriteriaSet.objects.order_by("code")

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(province=data["province"], batch=data.get("batch"),
                     criteria_set=data.get("criteria_set"))


class UploadForm(ScopeForm):
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


def _require_some_province(request: HttpRequest) -> None:
    if not provinces_for(request.user).exists():
        raise PermissionDenied(_("Only the coordination office or the administrator imports."))


@login_required
def imports(request: HttpRequest) -> HttpResponse:
    """Choose what to import, download the template, upload; a valid preview can be applied."""
    _require_some_province(request)
    result = None
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with refusals_shown(request):
            result = import_sheet(actor=request.user, kind=form.cleaned_data["kind"],
                                  scope=form.scope(), upload=upload, name=upload.name)
    kind = KINDS.get(form.data.get("kind", ""))
    table = [(r, [r.values.get(c.key, "") for c in kind.columns])
             for r in result.rows] if result and kind else []
    return render(request, "imports/imports.html", {
        "form": form, "template_form": ScopeForm(user=request.user, auto_id="t_%s"),
        "result": result, "kind": kind, "table": table,
    })


@login_required
@require_POST
def imports_apply(request: HttpRequest) -> HttpResponse:
    with refusals_shown(request):
        result = import_apply(actor=request.user, token=request.POST.get("token", "")[:4000])
        if result.applied:
            messages.success(request, _("%(count)s rows imported from “%(name)s”.")
                             % {"count": len(result.rows), "name": result.file_name})
        else:
            messages.error(request, _("Nothing was imported: the sheet no longer passes the "
                                      "checks."))
            for problem in result.problems:
                messages.error(request, problem)
    return redirect("imports")


@login_required
def imports_template(request: HttpRequest) -> HttpResponse:
    """The template of a kind of import (``data=1``: filled with what is there, an export)."""
    _require_some_province(request)
    form = ScopeForm(request.GET, user=request.user)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}"
                               if field in form.fields else error)
        return redirect("imports")
    with_data = request.GET.get("data") == "1"
    with refusals_shown(request):
        content = template_bytes(actor=request.user, kind=form.cleaned_data["kind"],
                                 scope=form.scope(), with_data=with_data)
        name = f"{form.cleaned_data['kind']}-{form.cleaned_data['province'].code}"
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = (
            f'attachment; filename="{name}{"-export" if with_data else "-template"}.xlsx"')
        return response
    return redirect("imports")
