"""The audit review workspace: for auditors and the coordination office, read-only."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.chain import verify_chain
from audit.labels import action_label
from audit.models import AuditEvent
from dossiers.audit_review import (
    audit_events_filter,
    audit_events_for,
    dossier_story,
    may_review_audit,
)
from dossiers.models import Dossier

from ..audit_forms import AuditFilterForm

PAGE_SIZE = 50
COLUMNS = ("seq", "at", "actor_name", "agency_name", "action", "object_type", "object_id",
           "object_repr", "dossier_id", "before", "after", "reason", "request_id",
           "request_path", "remote_addr", "hash")


def _reviewer(request: HttpRequest) -> None:
    if not may_review_audit(request.user):
        raise PermissionDenied(_("Only auditors and the coordination office review the audit "
                                 "trail."))


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, Any]:
    _reviewer(request)
    form = AuditFilterForm(request.GET or None, user=request.user)
    events = audit_events_for(request.user)
    if form.is_bound and form.is_valid():
        events = audit_events_filter(events, **form.filters())
    elif form.is_bound:
        events = events.none()
    return form, events


def _pairs(event: AuditEvent) -> list[tuple[str, Any, Any, bool]]:
    """Before and after side by side: (field, before, after, changed)."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [(k, before.get(k), after.get(k), before.get(k) != after.get(k)) for k in keys]


@require_GET
@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    form, events = _filtered(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/event_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "rows": [(e, action_label(e.action)) for e in page.object_list],
    })


@require_GET
@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reviewer(request)
    # By primary key: sequence numbers are per chain (one chain per province).
    event = get_object_or_404(audit_events_for(request.user), pk=pk)
    return render(request, "audit/event_detail.html", {
        "event": event, "label": action_label(event.action), "pairs": _pairs(event),
        "before_json": json.dumps(event.before, ensure_ascii=False, indent=2),
        "after_json": json.dumps(event.after, ensure_ascii=False, indent=2),
    })


@require_GET
@login_required
def dossier_events(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = get_object_or_404(Dossier.objects.select_related("commune", "batch"), pk=pk)
    events = dossier_story(request.user, dossier)
    return render(request, "audit/dossier_story.html", {
        "dossier": dossier,
        "rows": [(e, action_label(e.action), _pairs(e)) for e in events],
    })


# A cell a spreadsheet would run as a formula (OWASP: = + - @, and tab or CR before them).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters a spreadsheet cannot hold (XML 1.0 forbids the C0 controls but tab and line
# breaks) or that hide in a cell: written out as visible escapes, so nothing is lost.
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def cell(value: Any) -> Any:
    """A value as an export cell: never a formula, never a character that breaks the file.
    The trail is append-only, so whatever it holds must always export."""
    if not isinstance(value, str):
        return value
    value = UNSAFE_CHARACTERS.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def _cells(line: list[Any]) -> list[Any]:
    return [cell(value) for value in line]


def _preamble(form: AuditFilterForm, count: int) -> list[list[str]]:
    report = verify_chain()
    if report.ok:
        verdict = ["AUDIT-CHAIN OK", _("Audit chain verified: %(n)s events, none changed, "
                                       "removed or reordered.") % {"n": report.count}]
    else:
        verdict = ["AUDIT-CHAIN BROKEN",
                   _("The audit chain is broken at event #%(seq)s: %(problem)s") % {
                       "seq": report.first_bad_seq, "problem": report.problem}]
    return [
        verdict,
        [_("Exported at %(time)s") % {"time": timezone.localtime().strftime("%H:%M %d/%m/%Y")}],
        [_("Filters: %(filters)s") % {"filters": form.describe() if form.is_bound else
                                      _("no filter")}],
        [_("Events: %(n)s") % {"n": count}],
        [],
    ]


def _header() -> list[str]:
    return [_("No."), _("Time"), _("Actor"), _("Agency"), _("Action"), _("Action code"),
            _("Object type"), _("Object id"), _("Object"), _("Dossier"), _("Before"), _("After"),
            _("Reason"), _("Request"), _("Path"), _("IP address"), _("Hash")]


def _row(event: AuditEvent) -> list[Any]:
    return [event.seq, timezone.localtime(event.at).strftime("%d/%m/%Y %H:%M:%S"),
            event.actor_name, event.agency_name, action_label(event.action), event.action,
            event.object_type, event.object_id, event.object_repr, event.dossier_id or "",
            json.dumps(event.before, ensure_ascii=False) if event.before is not None else "",
            json.dumps(event.after, ensure_ascii=False) if event.after is not None else "",
            event.reason, event.request_id, event.request_path, event.remote_addr or "",
            event.hash]


@require_GET
@login_required
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    form, events = _filtered(request)
    preamble = _preamble(form, events.count())

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def rows():
        yield "\ufeff"  # lets spreadsheet programs read the file as UTF-8
        for line in preamble:
            yield writer.writerow(_cells(line))
        yield writer.writerow(_cells(_header()))
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(_cells(_row(event)))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response


@require_GET
@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    form, events = _filtered(request)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Audit trail"))
    for line in _preamble(form, events.count()):
        sheet.append(_cells(line))
    sheet.append(_cells(_header()))
    for event in events.iterator(chunk_size=2000):
        sheet.append(_cells(_row(event)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.xlsx"'
    return response

