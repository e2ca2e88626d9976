"""The bulk imports: validate every row, show a preview, apply the whole sheet or nothing.

Each row is applied through the domain service that makes that change anywhere else (the
registration, a membership, a responsibility, a historic recognition), inside a savepoint of
one transaction: a row the service refuses is rolled back to its savepoint and its problems
are kept; the rows after it still run, so the preview names every bad row. Unless every row
passed and the caller asked to apply, the whole transaction is rolled back: the preview ran
exactly the checks the apply will run, and nothing was written. Applying records one
``import.<kind>`` event with the file's SHA-256 besides each object's own events.

A preview that passed leaves the file in storage under a signed token (an hour, the caller
only); applying with the token runs the sheet again in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from audit import trail

from .. import permissions
from ..columns import control_characters
from ..exceptions import NotAllowed, RuleViolation
from ..models import Batch, CriteriaSet, Province
from .sheets import MAX_ROWS, Column, Sheet, read_sheet, workbook_bytes

TOKEN_SALT = "ntm.import.preview"
TOKEN_MAX_AGE = 3600
STORE = "imports/"


class CellProblem(Exception):
    """A cell's value is refused: ``column`` names the column."""

    def __init__(self, column: str, message: str) -> None:
        self.column, self.message = column, message
        super().__init__(message)


@dataclass(frozen=True)
class Scope:
    """Where the rows go: a province, and for some kinds its batch or criteria set."""

    province: Province
    batch: Batch | None = None
    criteria_set: CriteriaSet | None = None

    @property
    def audit_object(self) -> Any:
        return self.batch or self.criteria_set or self.province

    def ids(self) -> dict[str, int | None]:
        return {"province": self.province.pk, "batch": self.batch.pk if self.batch else None,
                "criteria_set": self.criteria_set.pk if self.criteria_set else None}

    @classmethod
    def of_ids(cls, ids: dict[str, int | None]) -> Scope:
        return cls(province=Province.objects.get(pk=ids["province"]),
                   batch=Batch.objects.get(pk=ids["batch"]) if ids.get("batch") else None,
                   criteria_set=(CriteriaSet.objects.get(pk=ids["criteria_set"])
                                 if ids.get("criteria_set") else None))


@dataclass(frozen=True)
class Kind:
    """One kind of import: its columns, what it needs besides the province, how one row is
    applied (through a service; returns what was done, in words) and the rows of an export."""

    name: str
    title: Any
    columns: tuple[Column, ...]
    apply_row: Callable[..., str]
    export_rows: Callable[[Scope], Iterable[list[Any]]]
    needs: tuple[str, ...] = ()
    choices: Callable[[Scope], dict[str, list[str]]] = lambda scope: {}
    guide: Any = ""

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


@dataclass
class RowResult:
    line: int
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)
    outcome: str = ""


@dataclass
class ImportResult:
    kind: str
    file_name: str
    sha256: str
    rows: list[RowResult]
    applied: bool = False
    token: str = ""

    @property
    def valid(self) -> bool:
        return not any(r.problems for r in self.rows)

    @property
    def problems(self) -> list[str]:
        return [p for r in self.rows for p in r.problems]

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "file_name": self.file_name, "sha256": self.sha256,
                "valid": self.valid, "applied": self.applied, "preview_token": self.token,
                "rows": [{"line": r.line, "values": r.values, "problems": r.problems,
                          "outcome": r.outcome} for r in self.rows]}


# --- reading cells ------------------------------------------------------------------
def cell_text(value: Any, column: Column) -> str:
    """A cell as text: trimmed, without control characters, no longer than the column."""
    if value is None:
        text = ""
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dt.datetime):
        text = value.strftime("%d/%m/%Y")
    elif isinstance(value, dt.date):
        text = value.strftime("%d/%m/%Y")
    else:
        text = re.sub(r"[ \t\r\n]+", " ", str(value)).strip()
    if column.kind == "code" and text.isdigit() and len(text) < 5:
        text = text.zfill(5)  # a commune code typed as a number lost its leading zeros
    if control_characters(text):
        raise CellProblem(column.key, _("contains control characters (%(chars)s).")
                          % {"chars": ", ".join(control_characters(text))})
    if len(text) > column.max_length:
        raise CellProblem(column.key, _("is longer than %(n)s characters.")
                          % {"n": column.max_length})
    if column.required and not text:
        raise CellProblem(column.key, _("is empty."))
    return text


def cell_date(text: str, column: Column) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise CellProblem(column.key, _("“%(value)s” is not a date written dd/mm/yyyy.")
                          % {"value": text}) from None


def cell_year(text: str, column: Column) -> int | None:
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise CellProblem(column.key, _("“%(value)s” is not a year (four digits).")
                          % {"value": text})
    return int(text)


def _line_problem(kind: Kind, line: int, exc: Exception) -> list[str]:
    if isinstance(exc, CellProblem):
        return [_("Row %(line)s, column “%(column)s”: %(problem)s") % {
            "line": line, "column": kind.column(exc.column).heading, "problem": exc.message}]
    messages = exc.problems if isinstance(exc, RuleViolation) else [str(exc)]
    return [_("Row %(line)s: %(problem)s") % {"line": line, "problem": m} for m in messages]


# --- running an import -------------------------------------------------------------
def scope_problems(kind: Kind, scope: Scope) -> list[str]:
    problems = []
    if "batch" in kind.needs:
        if scope.batch is None:
            problems.append(_("Choose the batch the dossiers are registered in."))
        elif scope.batch.province_id != scope.province.pk:
            problems.append(_("%(batch)s belongs to another province.") % {"batch": scope.batch})
    if "criteria_set" in kind.needs:
        if scope.criteria_set is None:
            problems.append(_("Choose the criteria set of the mapping."))
        elif scope.criteria_set.province_id not in (None, scope.province.pk):
            problems.append(_("The criteria set %(code)s is another province's.")
                            % {"code": scope.criteria_set.code})
    return problems


def _run(*, actor: Any, kind: Kind, scope: Scope, upload: IO[bytes] | None, name: str,
         apply: bool, sheet: Sheet | None = None) -> ImportResult:
    agency = permissions.require_administrator(actor, scope.province)
    problems = scope_problems(kind, scope)
    if problems:
        raise RuleViolation(problems)
    if sheet is None:
        sheet = read_sheet(upload, name=name, columns=kind.columns)
    result = ImportResult(kind=kind.name, file_name=sheet.name, sha256=sheet.sha256, rows=[])
    with transaction.atomic():
        for line, raw in sheet.rows:
            row = RowResult(line=line, values={})
            result.rows.append(row)
            row.values = {k: cell_text_lenient(v) for k, v in raw.items()}
            values = {}
            for column in kind.columns:
                try:
                    values[column.key] = cell_text(raw[column.key], column)
                except CellProblem as exc:
                    row.problems += _line_problem(kind, line, exc)
            if row.problems:
                continue
            row.values = values
            try:
                with transaction.atomic():
                    row.outcome = kind.apply_row(actor=actor, scope=scope, values=values)
            except (CellProblem, RuleViolation, NotAllowed) as exc:
                row.problems = _line_problem(kind, line, exc)
        if result.valid and apply:
            trail.record(actor=actor, agency=agency, action=f"import.{kind.name}",
                         obj=scope.audit_object, province=scope.province,
                         after={"file": sheet.name, "sha256": sheet.sha256,
                                "rows": len(sheet.rows), "scope": scope.ids()})
            result.applied = True
        else:
            transaction.set_rollback(True)
    return result


def cell_text_lenient(value: Any) -> str:
    """A refused row's cells, for the preview only."""
    return "" if value is None else str(value)[:200]


def import_sheet(*, actor: Any, kind: str, scope: Scope, upload: IO[bytes], name: str,
                 dry_run: bool = True) -> ImportResult:
    """Validate (``dry_run``) or apply a sheet. A valid preview returns a token to apply it."""
    spec = KINDS.get(kind)
    if spec is None:
        raise RuleViolation(_("Unknown kind of import “%(kind)s”.") % {"kind": kind})
    result = _run(actor=actor, kind=spec, scope=scope, upload=upload, name=name,
                  apply=not dry_run)
    if dry_run and result.valid:
        upload.seek(0)
        stored = default_storage.save(f"{STORE}{uuid.uuid4().hex}.xlsx",
                                      ContentFile(upload.read()))
        result.token = signing.dumps(
            {"file": stored, "name": result.file_name, "sha256": result.sha256,
             "user": actor.pk, "kind": kind, "scope": scope.ids()}, salt=TOKEN_SALT)
    return result


def import_rows(*, actor: Any, kind: str, scope: Scope, rows: list[dict[str, Any]],
                dry_run: bool = False) -> ImportResult:
    """The same import from rows given as data (the API's bulk requests): each row a mapping
    of the kind's column keys; line numbers count from 1."""
    spec = KINDS.get(kind)
    if spec is None:
        raise RuleViolation(_("Unknown kind of import “%(kind)s”.") % {"kind": kind})
    if not rows:
        raise RuleViolation(_("Give at least one row."))
    if len(rows) > MAX_ROWS:
        raise RuleViolation(_("More than %(max)s rows: split them into several requests.")
                            % {"max": MAX_ROWS})
    body = json.dumps(rows, sort_keys=True, default=str, ensure_ascii=False).encode()
    sheet = Sheet(name="", sha256=hashlib.sha256(body).hexdigest(), size=len(body),
                  rows=[(n, {c.key: row.get(c.key) for c in spec.columns})
                        for n, row in enumerate(rows, start=1)])
    return _run(actor=actor, kind=spec, scope=scope, upload=None, name="", apply=not dry_run,
                sheet=sheet)


def import_apply(*, actor: Any, token: str) -> ImportResult:
    """Apply a previewed sheet; every row is checked again (things may have changed)."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise RuleViolation(_("The preview has expired: upload the sheet again.")) from None
    except signing.BadSignature:
        raise RuleViolation(_("The preview token is not valid: upload the sheet again.")) from None
    if data.get("user") != actor.pk:
        raise NotAllowed(_("This preview was made by another person."))
    if not default_storage.exists(data["file"]):
        raise RuleViolation(_("This preview has already been applied or has expired."))
    with default_storage.open(data["file"], "rb") as stored:
        content = stored.read()
    result = _run(actor=actor, kind=KINDS[data["kind"]], scope=Scope.of_ids(data["scope"]),
                  upload=io.BytesIO(content), name=data["name"], apply=True)
    if result.sha256 != data["sha256"]:  # pragma: no cover - storage is ours
        raise RuleViolation(_("The stored sheet has changed: upload it again."))
    if result.applied:
        default_storage.delete(data["file"])
    return result


def template_bytes(*, actor: Any, kind: str, scope: Scope, with_data: bool = False) -> bytes:
    """The template (headings, widths, frozen header, drop-down lists, a guide with an
    example row); ``with_data`` fills it with what the scope holds now (the export)."""
    permissions.require_administrator(actor, scope.province)
    spec = KINDS.get(kind)
    if spec is None:
        raise RuleViolation(_("Unknown kind of import “%(kind)s”.") % {"kind": kind})
    problems = scope_problems(spec, scope)
    if problems:
        raise RuleViolation(problems)
    rows = spec.export_rows(scope) if with_data else []
    return workbook_bytes(title=str(spec.title), columns=spec.columns, rows=rows,
                          choices=spec.choices(scope), guide=str(spec.guide))
