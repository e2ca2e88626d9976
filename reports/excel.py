"""The report as an Excel workbook (openpyxl): headings in the reader's language, widths,
a frozen header row, number formats."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from .selectors import Report, province_headings

HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
INTEGER, ONE_DECIMAL = "#,##0", "#,##0.0"


def _cell(value: object) -> object:
    """Numbers stay numbers; labels (lazy translations among them) become text."""
    return value if value is None or isinstance(value, int | Decimal) else str(value)


def _sheet(ws: Worksheet, headings: list[str], widths: list[int], rows: list[list]) -> None:
    ws.append([str(h) for h in headings])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append([_cell(v) for v in row])
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = ONE_DECIMAL
            elif isinstance(cell.value, int):
                cell.number_format = INTEGER
            else:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"


def report_workbook(report: Report, *, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Report")[:31]
    rows = [[title_, f.group, f.label, f.value, f.note]
            for _name, title_, figures in report.sections for f in figures]
    _sheet(ws, [_("Section"), _("Group"), _("Figure"), _("Value"), _("Note")],
           [28, 40, 55, 12, 45], rows)
    if report.by_province:
        table = wb.create_sheet(_("By province")[:31])
        _sheet(table, province_headings(), [24, 11, 14, 14, 14, 14, 12, 14, 14, 14],
               [r.cells for r in report.by_province])
    info = wb.create_sheet(_("About")[:31])
    made = timezone.localtime(report.made_at)
    _sheet(info, [_("Item"), _("Value")], [24, 70], [
        [_("Report"), title],
        [_("Period"), report.period.title],
        [_("From"), f"{report.period.start:%d/%m/%Y}"],
        [_("To"), f"{report.period.end:%d/%m/%Y}"],
        [_("Provinces"), ", ".join(p.name for p in report.provinces)],
        [_("Made at"), f"{made:%d/%m/%Y %H:%M}"],
    ])
    wb.properties.title = title
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
