"""The audit review workspace: for auditors and the coordination office, read-only."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.chain import verify_chain
from audit.labels import action_label
from audit.models import AuditEvent
from dossiers.audit_describe import Line, describe_events, object_label
from dossiers.audit_review import (
    audit_events_filter,
    audit_events_for,
    dossier_story,
    may_review_audit,
)
from dossiers.models import Dossier

from ..audit_forms import AuditFilterForm
from ..paging import BoundedPaginator
from ..scoping import hide_unless_readable
from ..templatetags.people import actor

PAGE_SIZE = 50
EXPORT_CHUNK = 500


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


@require_GET
@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    form, events = _filtered(request)
    # Pages along the sequence number (index), counted up to a cap (``BoundedPaginator``).
    page = BoundedPaginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
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
        "event": event, "label": action_label(event.action),
        "object_label": object_label(event.object_type),
        "lines": describe_events([event])[event.pk],
        "before_json": json.dumps(event.before, ensure_ascii=False, indent=2),
        "after_json": json.dumps(event.after, ensure_ascii=False, indent=2),
    })


@require_GET
@login_required
def dossier_events(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = get_object_or_404(Dossier.objects.select_related("commune", "batch"), pk=pk)
    hide_unless_readable(request.user, dossier)
    events = list(dossier_story(request.user, dossier))
    described = describe_events(events)
    return render(request, "audit/dossier_story.html", {
        "dossier": dossier,
        "rows": [(e, action_label(e.action), described[e.pk]) for e in events],
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
    """What the export is: the chain's verdict as a readable line first, then when, which
    filters and how many events."""
    report = verify_chain()
    if report.ok:
        verdict = [_("Audit chain intact"), _("Audit chain verified: %(n)s events, none "
                                              "changed, removed or reordered.") % {
                                                  "n": report.count}]
    else:
        verdict = [_("Audit chain BROKEN"),
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


# (heading, width in characters) of each export column, in order.
def _columns() -> list[tuple[str, int]]:
    return [(_("No."), 8), (_("Time"), 20), (_("Actor"), 24), (_("Agency"), 28),
            (_("Action"), 34), (_("Action code"), 26), (_("Object type"), 22),
            (_("Object id"), 10), (_("Object"), 48), (_("Changes"), 60), (_("Dossier"), 10),
            (_("Before"), 40), (_("After"), 40), (_("Reason"), 30), (_("Request"), 34),
            (_("Path"), 30), (_("IP address"), 16), (_("Hash"), 66)]


def _header() -> list[str]:
    return [heading for heading, _width in _columns()]


def _changes(lines: list[Line]) -> str:
    """An event's values in words, one per line: "label: before → after" or "label: value"."""
    return "\n".join(
        f"{line.label}: {line.before} → {line.after}" if line.before != "—"
        else f"{line.label}: {line.after}" for line in lines)


def _row(event: AuditEvent, lines: list[Line]) -> list[Any]:
    return [event.seq, timezone.localtime(event.at).strftime("%d/%m/%Y %H:%M:%S"),
            actor(event), event.agency_name, action_label(event.action), event.action,
            object_label(event.object_type), event.object_id, event.object_repr,
            _changes(lines), event.dossier_id or "",
            json.dumps(event.before, ensure_ascii=False) if event.before is not None else "",
            json.dumps(event.after, ensure_ascii=False) if event.after is not None else "",
            event.reason, event.request_id, event.request_path, event.remote_addr or "",
            event.hash]


def _rows(events: Any) -> Iterator[list[Any]]:
    """The export's rows, streamed: events read and described a chunk at a time (the
    references of a chunk named in one query per kind of object)."""
    chunk: list[AuditEvent] = []
    for event in events.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(event)
        if len(chunk) == EXPORT_CHUNK:
            yield from _described(chunk)
            chunk = []
    yield from _described(chunk)


def _described(chunk: list[AuditEvent]) -> Iterator[list[Any]]:
    described = describe_events(chunk)
    for event in chunk:
        yield _cells(_row(event, described[event.pk]))


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
        for row in _rows(events):
            yield writer.writerow(row)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response


@require_GET
@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    form, events = _filtered(request)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Audit trail"))
    preamble = _preamble(form, events.count())
    # A write-only sheet takes its layout before its rows: widths, and the rows above the
    # first event (the preamble and the header) frozen while the events scroll.
    for index, (_heading, width) in enumerate(_columns(), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{len(preamble) + 2}"
    bold = Font(bold=True)
    for line in preamble:
        sheet.append(_cells(line))
    header = []
    for heading in _header():
        header.append(WriteOnlyCell(sheet, value=heading))
        header[-1].font = bold
    sheet.append(header)
    for row in _rows(events):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.xlsx"'
    return response

