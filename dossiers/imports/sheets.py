"""Excel sheets of the bulk imports (openpyxl): reading an uploaded workbook safely, and
writing the template and the exports.

A workbook is refused whole, with its reason, when it is not an XLSX file (the upload checks
of ``dossiers.files`` read the type from the content, refuse macros and active content and
unpack the archive with limits), when it is larger than ``NTM_IMPORT_MAX_BYTES``, when its
first sheet has no data row or more than ``NTM_IMPORT_MAX_ROWS``, or when its headings are
not the template's."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..exceptions import RuleViolation
from ..files import XLSX, check_upload

MAX_BYTES = settings.NTM_IMPORT_MAX_BYTES
MAX_ROWS = settings.NTM_IMPORT_MAX_ROWS
LANGUAGES = ("vi", "en")
XLSX_CONTENT_TYPE = XLSX


@dataclass(frozen=True)
class Column:
    """One column of an import sheet."""

    key: str
    heading: Any  # a lazy translation
    width: int = 18
    required: bool = True
    max_length: int = 200
    kind: str = "text"  # text | code | date | year
    example: str = ""
    note: Any = ""
    # The values a cell may take (a drop-down list in the template), for a scope.
    choices: Any = None


@dataclass
class Sheet:
    """The data rows of an uploaded sheet: ``rows`` as (line number, {key: raw value})."""

    name: str
    sha256: str
    size: int
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _normal(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().rstrip("*").strip().casefold()


def _headings(column: Column) -> set[str]:
    names = {_normal(column.key)}
    for language in LANGUAGES:
        with translation.override(language):
            names.add(_normal(column.heading))
    return names


def read_sheet(upload: IO[bytes], *, name: str, columns: Sequence[Column]) -> Sheet:
    """The rows of the first sheet of an uploaded workbook, or a refusal saying why not."""
    upload.seek(0, io.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    if size > MAX_BYTES:
        raise RuleViolation(_("“%(name)s” is larger than the %(mb)s MB limit of an import sheet.")
                            % {"name": name, "mb": MAX_BYTES // (1024 * 1024)})
    checked = check_upload(upload, name=name)
    if checked.content_type != XLSX_CONTENT_TYPE:
        raise RuleViolation(_("“%(name)s” is not an Excel workbook (.xlsx): download the template "
                              "and fill it in.") % {"name": name})
    upload.seek(0)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise RuleViolation(_("“%(name)s” cannot be read as an Excel workbook.")
                            % {"name": name}) from exc
    try:
        worksheet = workbook.worksheets[0]
        lines = worksheet.iter_rows(values_only=True)
        header = next(lines, None) or ()
        problems = heading_problems(header, columns)
        if problems:
            raise RuleViolation(problems)
        sheet = Sheet(name=checked.display_name, sha256=checked.sha256, size=checked.size)
        for number, values in enumerate(lines, start=2):
            values = tuple(values or ())[:len(columns)]
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            if len(sheet.rows) >= MAX_ROWS:
                raise RuleViolation(_("“%(name)s” has more than %(max)s rows: split it into "
                                      "several sheets.") % {"name": name, "max": MAX_ROWS})
            padded = values + (None,) * (len(columns) - len(values))
            sheet.rows.append((number, {c.key: v for c, v in zip(columns, padded, strict=False)}))
    finally:
        workbook.close()
    if not sheet.rows:
        raise RuleViolation(_("“%(name)s” has no data row under its headings.") % {"name": name})
    return sheet


def heading_problems(header: Sequence[Any], columns: Sequence[Column]) -> list[str]:
    found = [_normal(h) for h in header]
    while found and not found[-1]:
        found.pop()
    expected = [str(c.heading) for c in columns]
    if len(found) != len(columns) or any(
            f not in _headings(c) for f, c in zip(found, columns, strict=False)):
        return [_("The first row must hold the template's headings, in this order: "
                  "%(headings)s. Download the template and copy the rows into it.")
                % {"headings": ", ".join(f"“{h}”" for h in expected)}]
    return []


def _safe(value: Any) -> Any:
    """A value for a cell: dates as dates, everything else as text that is never a formula."""
    if value is None or isinstance(value, (int, dt.date)):
        return value
    return str(value)


def _write_row(ws: Any, row: int, values: Iterable[Any]) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=_safe(value))
        if isinstance(value, str):
            cell.data_type = "s"  # "=..." stays text: no formula injection
        if isinstance(value, dt.date):
            cell.number_format = "DD/MM/YYYY"


def workbook_bytes(*, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]],
                   choices: dict[str, list[str]], guide: str) -> bytes:
    """A workbook: the data sheet (headings, widths, frozen header, drop-down lists), a guide
    sheet (what each column holds and an example row) and the lists behind the drop-downs."""
    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\\/*?:\[\]]", " ", title)[:31]
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for col, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=col, value=str(column.heading))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = column.width
    ws.freeze_panes = "A2"
    count = 1
    for count, values in enumerate(rows, start=2):
        _write_row(ws, count, values)
    lists = wb.create_sheet(_("Lists")[:31])
    for col, column in enumerate(columns, start=1):
        values = choices.get(column.key)
        if not values:
            continue
        lists.cell(row=1, column=col, value=str(column.heading)).font = bold
        for r, value in enumerate(values, start=2):
            lists.cell(row=r, column=col, value=_safe(value)).data_type = "s"
        letter = get_column_letter(col)
        validation = DataValidation(
            type="list", formula1=f"='{lists.title}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=not column.required, showErrorMessage=True,
            errorTitle=str(column.heading)[:32],
            error=_("Choose a value from the list.")[:255])
        ws.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{max(MAX_ROWS, count) + 1}")
    lists.sheet_state = "hidden"
    help_sheet = wb.create_sheet(_("Guide")[:31])
    help_sheet.cell(row=1, column=1, value=guide).font = bold
    help_sheet.cell(row=3, column=1, value=_("Column")).font = bold
    help_sheet.cell(row=3, column=2, value=_("Required")).font = bold
    help_sheet.cell(row=3, column=3, value=_("What it holds")).font = bold
    help_sheet.cell(row=3, column=4, value=_("Example")).font = bold
    for r, column in enumerate(columns, start=4):
        _write_row(help_sheet, r, [str(column.heading), _("yes") if column.required else _("no"),
                                   str(column.note), column.example])
    for letter, width in zip("ABCD", (28, 10, 70, 24), strict=False):
        help_sheet.column_dimensions[letter].width = width
    example = len(columns) + 5
    help_sheet.cell(row=example, column=1, value=_("Example row")).font = bold
    for col, column in enumerate(columns, start=1):
        help_sheet.cell(row=example + 1, column=col, value=str(column.heading)).font = bold
    _write_row(help_sheet, example + 2, [c.example for c in columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
