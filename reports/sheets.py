"""The roadmap sheet: read the rows of an uploaded workbook, and the template to fill in."""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from dossiers.exceptions import RuleViolation
from dossiers.models import Level

COLUMNS = ("commune", "level", "year", "note")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def roadmap_rows_read(upload: Any) -> list[dict[str, str]]:
    """The rows under the heading row of the first sheet (commune, level, year, note);
    empty rows are skipped. A file that is not a workbook is refused in words."""
    if upload is None:
        raise RuleViolation(_("Choose an Excel file (.xlsx)."))
    if upload.size > MAX_BYTES:
        raise RuleViolation(_("The file is larger than 2 MB."))
    try:
        wb = load_workbook(BytesIO(upload.read()), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise RuleViolation(_("The file cannot be read as an Excel workbook (.xlsx).")) from exc
    rows = []
    for number, values in enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1):
        if number == 1:
            continue
        cells = [_text(v) for v in list(values)[:len(COLUMNS)]]
        if not any(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise RuleViolation(_("The sheet has more than %(n)s rows.") % {"n": MAX_ROWS})
        rows.append(dict(zip(COLUMNS, cells + [""] * (len(COLUMNS) - len(cells)), strict=True)))
    return rows


def roadmap_template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Roadmap")[:31]
    ws.append([_("Commune (code or name)"), _("Target level"), _("Target year"), _("Note")])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(["", str(Level.NTM.label), 2027, ""])
    for letter, width in zip("ABCD", (32, 40, 14, 40), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
