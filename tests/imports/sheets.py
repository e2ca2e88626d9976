"""Building import sheets in tests, as a province's staff fill the template."""

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook, load_workbook

from dossiers.imports.engine import KINDS


def sheet(kind: str, rows: Sequence[Sequence[Any]], headings: Sequence[str] | None = None,
          ) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(list(headings or [str(c.heading) for c in KINDS[kind].columns]))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = f"{kind}.xlsx"
    return out


def rows_of(content: bytes) -> list[tuple]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
