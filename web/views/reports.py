"""The periodic reports (for a province, or every province for the central office), the
dossiers behind a figure, and the roadmap of targets of a coordination office."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dossiers.exceptions import RuleViolation
from dossiers.models import Agency, Province, RoadmapTarget
from dossiers.services.roadmap import (
    roadmap_import,
    roadmap_rows_check,
    roadmap_target_remove,
    roadmap_target_set,
)
from reports.access import dossiers_behind, own_provinces, readable_provinces, reads_national
from reports.excel import report_workbook
from reports.pdf import report_pdf
from reports.selectors import (
    Report,
    communes_named,
    province_headings,
    report_build,
    report_title,
    roadmap_progress,
)
from reports.sheets import roadmap_rows_read, roadmap_template

from ..refusals import refusals_shown
from ..report_forms import (
    ALL,
    ReportForm,
    RoadmapImportForm,
    RoadmapRemoveForm,
    RoadmapTargetForm,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_for(user, query) -> tuple[ReportForm, Report | None, str, list[str]]:
    """The report ``query`` asks for, as ``user`` may read it (pages and API alike)."""
    provinces = readable_provinces(user)
    if not provinces:
        raise PermissionDenied(_("Only a province's coordination office, People's Committee "
                                 "or inspection, or the central office, read reports."))
    national = reads_national(user)
    form = ReportForm(query, provinces=provinces, national=national)
    try:
        chosen, period = form.chosen()
    except RuleViolation as exc:
        return form, None, "", [str(p) for p in exc.problems]
    every = form.cleaned_data["province"] == ALL
    report = report_build(provinces=chosen, period=period, by_province=every)
    return form, report, report_title(chosen, national=every), []


def export(report: Report, title: str, fmt: str) -> HttpResponse:
    provinces = report.provinces
    name = (provinces[0].code if len(provinces) == 1 else "toan-quoc")
    stem = f"bao-cao-ntm-{name}-{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}"
    if fmt == "xlsx":
        response = HttpResponse(report_workbook(report, title=title), content_type=XLSX)
    else:
        response = HttpResponse(report_pdf(report, title=title), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    form, report, title, problems = report_for(request.user, request.GET)
    fmt = request.GET.get("format", "")
    if report is not None and fmt in ("xlsx", "pdf"):
        return export(report, title, fmt)
    query = request.GET.copy()
    query.pop("format", None)
    return render(request, "reports/report.html", {
        "form": form, "report": report, "title": title, "problems": problems,
        "query": query.urlencode(), "headings": province_headings()}, status=400 if problems else 200)


@login_required
def figure_page(request: HttpRequest, key: str) -> HttpResponse:
    form, report, title, problems = report_for(request.user, request.GET)
    figure = report.figure(key) if report is not None and len(key) <= 120 else None
    if figure is None:
        raise Http404(_("No such figure in this report."))
    own = {p.pk for p in own_provinces(request.user)}
    communes = [c for c in communes_named(figure.communes) if c.province_id in own]
    dossiers = dossiers_behind(request.user, figure.dossiers)
    query = request.GET.copy()
    return render(request, "reports/figure.html", {
        "report": report, "title": title, "figure": figure, "dossiers": dossiers,
        "communes": communes, "hidden": len(figure.dossiers) - len(dossiers),
        "query": query.urlencode()})


def _office_provinces(user) -> list[Province]:
    return list(Province.objects.filter(pk__in=Agency.objects.filter(
        memberships__user=user, active=True, kind=Agency.Kind.COORDINATION_OFFICE,
    ).values("province")).order_by("code"))


@login_required
def roadmap_page(request: HttpRequest) -> HttpResponse:
    """The coordination office's roadmap: targets with plan against actual, entered one by
    one or imported from a sheet (checked and previewed first, then whole or nothing)."""
    provinces = _office_provinces(request.user)
    if not provinces:
        raise PermissionDenied(_("Only the coordination office keeps the roadmap."))
    code = request.GET.get("province") or request.POST.get("province") or provinces[0].code
    province = next((p for p in provinces if p.code == code), None)
    if province is None:
        raise Http404(_("No such province."))
    if request.GET.get("template"):
        response = HttpResponse(roadmap_template(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="lo-trinh-mau.xlsx"'
        return response
    target_form = RoadmapTargetForm(province=province)
    preview = None
    if request.method == "POST":
        action = request.POST.get("action")
        with refusals_shown(request):
            if action == "set":
                target_form = RoadmapTargetForm(request.POST, province=province)
                if not target_form.is_valid():
                    raise RuleViolation([f"{target_form.fields[n].label}: {' '.join(e)}"
                                         for n, e in target_form.errors.items()])
                roadmap_target_set(actor=request.user, province=province,
                                   **target_form.cleaned_data)
                messages.success(request, _("The target is recorded."))
                return redirect(f"{request.path}?province={province.code}")
            if action == "remove":
                form = RoadmapRemoveForm(request.POST)
                if not form.is_valid():
                    raise RuleViolation(_("Give the reason for removing the target."))
                target = RoadmapTarget.objects.filter(
                    province=province, pk=form.cleaned_data["target"]).first()
                if target is None:
                    raise Http404(_("No such target."))
                roadmap_target_remove(actor=request.user, target=target,
                                      reason=form.cleaned_data["reason"])
                messages.success(request, _("The target is removed."))
                return redirect(f"{request.path}?province={province.code}")
            if action in ("check", "import"):
                form = RoadmapImportForm(request.POST, request.FILES)
                rows = roadmap_rows_read(request.FILES.get("sheet") if form.is_valid() else None)
                if action == "check":
                    preview = roadmap_rows_check(province=province, rows=rows, first_row=2)
                else:
                    done = roadmap_import(actor=request.user, province=province, rows=rows,
                                          first_row=2)
                    messages.success(request, _("%(n)s targets imported.") % {"n": len(done)})
                    return redirect(f"{request.path}?province={province.code}")
            elif action not in ("set", "remove"):
                raise RuleViolation(_("Unknown action."))
    return render(request, "reports/roadmap.html", {
        "province": province, "provinces": provinces, "rows": roadmap_progress(province=province),
        "form": target_form, "preview": preview,
        "preview_ok": preview is not None and not any(r.problems for r in preview)})
