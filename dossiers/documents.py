"""Official documents of a dossier as PDF, in the layout of Decree 30/2020/NĐ-CP.

Each kind reads the dossier's data (``KINDS``: its context builder and whether it can be
drawn up yet), renders ``templates/documents/<kind>.html`` with a Django template engine of
its own, and prints it with WeasyPrint in the embedded font (``static/fonts``). An
administrator adjusts a document by placing a file of the same name in
``NTM_DOCUMENT_TEMPLATES_DIR``: the Django template language only (no tag library but
i18n and l10n, no Python), and the printer reads nothing but the shipped fonts (no
network, no other file). Documents are legal texts in Vietnamese whatever the reader's
language: they are rendered in Vietnamese."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.template import Context, Engine
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from weasyprint import HTML
from weasyprint.urls import URLFetcherResponse

from .conditions import legal_conditions, tally
from .models import Agency, AgendaItem, Confirmation, Dossier, DossierStatus, Level
from .selectors import criteria_table, survey_summary

LEVEL_TEXT = {
    Level.NTM: "nông thôn mới",
    Level.ADVANCED: "nông thôn mới nâng cao",
    Level.MODEL: "nông thôn mới kiểu mẫu",
    Level.MODERN: "nông thôn mới hiện đại",
}
APPROVED = (DossierStatus.AWAITING_DECISION, DossierStatus.RECOGNISED, DossierStatus.ANNOUNCED)


class DocumentUnavailable(Exception):
    """The dossier has not reached the point where this document can be drawn up."""


@dataclass(frozen=True)
class Kind:
    key: str
    label: Any                    # shown on the page and in the API
    symbol: str                   # the document's symbol after its number (Decree 30)
    build: Callable[..., dict]    # (dossier, agency) -> context; DocumentUnavailable if not yet
    per_department: bool = False


def date_line(day: dt.date) -> str:
    """'ngày 03 tháng 8 năm 2026': days under 10 and the months January and February are
    written with a leading zero (Decree 30/2020, Appendix I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _place(name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh ", "Xã ", "Phường ", "Đặc khu "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _province_agency(dossier: Dossier, kind: str) -> Agency | None:
    return Agency.objects.filter(province=dossier.commune.province_id, kind=kind,
                                 active=True).order_by("pk").first()


def _common(dossier: Dossier) -> dict:
    province = dossier.commune.province
    return {
        "dossier": dossier, "commune": dossier.commune, "province": province,
        "level_text": LEVEL_TEXT.get(dossier.level, dossier.level),
        "year": dossier.batch.recognition_year,
        "province_committee": f"Ủy ban nhân dân tỉnh {_place(province.name)}",
        "place": _place(province.name), "date_line": date_line(timezone.localdate()),
        "criteria_set": dossier.criteria_set,
    }


def _criteria_rows(dossier: Dossier, agency: Agency | None = None) -> list[dict]:
    rows = []
    for row in criteria_table(dossier):
        answers = [line["answer"] for line in row.lines]
        self_met = bool(answers) and all(a is not None and a.met for a in answers)
        appraisals = [a for a in row.appraisals if agency is None or a.agency_id == agency.pk]
        if agency is not None and not appraisals:
            continue
        rows.append({"criterion": row.criterion, "self_met": self_met, "appraisals": appraisals,
                     "met": bool(row.appraisals) and all(a.status == "met"
                                                          for a in row.appraisals)})
    return rows


def submission_letter(dossier: Dossier, agency: Agency | None) -> dict:
    rows = _criteria_rows(dossier)
    return {**_common(dossier), "place": _place(dossier.commune.name), "rows": rows,
            "self_met": sum(r["self_met"] for r in rows), "survey": survey_summary(dossier)}


def appraisal_report(dossier: Dossier, agency: Agency | None) -> dict:
    if agency is None:
        raise DocumentUnavailable(_("Choose the department whose appraisal report to draw up."))
    rows = _criteria_rows(dossier, agency)
    if not rows:
        raise DocumentUnavailable(_("This department has no criterion of this dossier to "
                                    "appraise."))
    items = [a for r in rows for a in r["appraisals"]]
    return {**_common(dossier), "agency": agency, "rows": rows,
            "coordination": _province_agency(dossier, Agency.Kind.COORDINATION_OFFICE),
            "met": sum(a.status == "met" for a in items), "total": len(items),
            "pending": sum(not a.decided for a in items)}


def consolidated_report(dossier: Dossier, agency: Agency | None) -> dict:
    rows = _criteria_rows(dossier)
    if not any(r["appraisals"] for r in rows):
        raise DocumentUnavailable(_("The province's appraisal has not started."))
    return {**_common(dossier), "rows": rows, "met": sum(r["met"] for r in rows),
            "office": _province_agency(dossier, Agency.Kind.COORDINATION_OFFICE),
            "survey": survey_summary(dossier), "conditions": legal_conditions(dossier),
            "confirmations": list(Confirmation.objects.filter(
                dossier=dossier, round=dossier.round).select_related("agency"))}


def _closed_item(dossier: Dossier) -> AgendaItem:
    item = (AgendaItem.objects.filter(dossier=dossier, kind=AgendaItem.Kind.RECOGNITION)
            .exclude(result=AgendaItem.Result.OPEN).select_related("meeting__council")
            .order_by("-pk").first())
    if item is None:
        raise DocumentUnavailable(_("The council has not voted on this dossier yet."))
    return item


def council_minutes(dossier: Dossier, agency: Agency | None) -> dict:
    item = _closed_item(dossier)
    count = tally(item)
    return {**_common(dossier), "item": item, "meeting": item.meeting,
            "council": item.meeting.council, "tally": count,
            "abstained": count.present - count.votes_for - count.votes_against,
            "share_for": round(100 * count.votes_for / count.present, 1) if count.present else 0,
            "held_at": timezone.localtime(item.meeting.opened_at or item.meeting.scheduled_for)}


def decision_draft(dossier: Dossier, agency: Agency | None) -> dict:
    if dossier.status not in APPROVED:
        raise DocumentUnavailable(_("The council has not approved this dossier."))
    recognised = (Dossier.objects.filter(batch=dossier.batch, level=dossier.level,
                                         status__in=APPROVED)
                  .select_related("commune").order_by("commune__name"))
    return {**_common(dossier), "item": _closed_item(dossier), "communes": [
        d.commune for d in recognised]}


KINDS = {k.key: k for k in (
    Kind("submission_letter", _("Submission letter (tờ trình)"), "TTr-UBND", submission_letter),
    Kind("appraisal_report", _("Department's appraisal report"), "BC", appraisal_report,
         per_department=True),
    Kind("consolidated_report", _("Consolidated appraisal report"), "BC-VPĐP",
         consolidated_report),
    Kind("council_minutes", _("Council meeting minutes"), "BB-HĐ", council_minutes),
    Kind("decision_draft", _("Draft recognition decision"), "QĐ-UBND", decision_draft),
)}


def _engine() -> Engine:
    dirs = [settings.NTM_DOCUMENT_TEMPLATES_DIR] if settings.NTM_DOCUMENT_TEMPLATES_DIR else []
    return Engine(dirs=[*dirs, str(settings.BASE_DIR / "templates")], app_dirs=False,
                  libraries={"i18n": "django.templatetags.i18n",
                             "l10n": "django.templatetags.l10n"},
                  autoescape=True, debug=False)


def render_html(kind: str, dossier: Dossier, agency: Agency | None = None) -> str:
    spec = KINDS[kind]
    with translation.override("vi"):
        context = spec.build(dossier, agency)
        context.update(kind=spec, font_dir=Path(settings.NTM_DOCUMENT_FONT_DIR).as_uri())
        return _engine().get_template(f"documents/{kind}.html").render(Context(context))


def render_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=Path(settings.NTM_DOCUMENT_FONT_DIR).as_uri() + "/",
                url_fetcher=FontsOnly()).write_pdf()


class FontsOnly:
    """WeasyPrint's fetcher limited to the shipped fonts: a template (even an administrator's)
    can make the printer read no other file and nothing from the network."""

    _fail_on_errors = False

    def __call__(self, url: str) -> URLFetcherResponse:
        parsed = urlparse(url)
        root = Path(settings.NTM_DOCUMENT_FONT_DIR).resolve()
        path = Path(unquote(parsed.path)).resolve()
        if parsed.scheme != "file" or not path.is_relative_to(root) or not path.is_file():
            raise ValueError(f"not a shipped font: {url}")
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes())


def available_documents(dossier: Dossier) -> list[tuple[Kind, Agency | None]]:
    """The documents the dossier's data allows drawing up now (each kind's own check, in a
    fixed number of queries), a department's report once per appraising department."""
    departments = list(Agency.objects.filter(
        appraisals__dossier=dossier, appraisals__round=dossier.round,
        kind=Agency.Kind.DEPARTMENT).distinct().order_by("name"))
    voted = AgendaItem.objects.filter(dossier=dossier, kind=AgendaItem.Kind.RECOGNITION).exclude(
        result=AgendaItem.Result.OPEN).exists()
    out: list[tuple[Kind, Agency | None]] = [(KINDS["submission_letter"], None)]
    out += [(KINDS["appraisal_report"], agency) for agency in departments]
    if departments:
        out.append((KINDS["consolidated_report"], None))
    if voted:
        out.append((KINDS["council_minutes"], None))
    if voted and dossier.status in APPROVED:
        out.append((KINDS["decision_draft"], None))
    return out
