"""Lộ trình: a province's roadmap of targets (commune, level, year), entered one by one
or imported from a sheet (every row checked first; nothing written unless all are valid),
and the central coordination office that reads every province's figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from audit import trail

from .. import permissions
from ..columns import control_characters
from ..exceptions import NotAllowed, RuleViolation
from ..models import Commune, Level, Province, RoadmapTarget

FIELDS = ("commune", "level", "year", "note")
# Roadmaps of the programme run from its start (2010) to a few periods ahead.
YEAR_MIN, YEAR_MAX = 2010, 2040
CENTRAL_GROUP = "central_coordination_office"
NATIONAL_PERMISSION = "dossiers.view_national_report"
TEXT_MAX = 300
COLUMN_LABELS = {"commune": _lazy("Commune"), "level": _lazy("Target level"),
                 "year": _lazy("Target year"), "note": _lazy("Note")}


@dataclass
class RowCheck:
    """One row of an imported roadmap sheet: what it says and, if any, its problems."""

    number: int
    values: dict[str, str]
    commune: Commune | None = None
    level: str = ""
    year: int | None = None
    note: str = ""
    problems: list[str] = field(default_factory=list)


def _level_of(text: str) -> str:
    """A level from its code (NTM, NTM_NANG_CAO…) or its label in either language."""
    wanted = text.strip().casefold()
    for value, label in Level.choices:
        if wanted in (value.casefold(), str(label).casefold()):
            return value
    aliases = {"ntm": Level.NTM, "nâng cao": Level.ADVANCED, "nang cao": Level.ADVANCED,
               "kiểu mẫu": Level.MODEL, "kieu mau": Level.MODEL, "hiện đại": Level.MODERN,
               "hien dai": Level.MODERN, "ntm nâng cao": Level.ADVANCED,
               "ntm kiểu mẫu": Level.MODEL, "ntm hiện đại": Level.MODERN}
    return aliases.get(wanted, "")


def _year_of(text: str) -> int | None:
    text = text.strip()
    if text.endswith(".0"):  # a spreadsheet's number read as a float
        text = text[:-2]
    return int(text) if text.isdigit() and len(text) == 4 else None


def roadmap_rows_check(*, province: Province, rows: list[dict[str, str]],
                       first_row: int = 1) -> list[RowCheck]:
    """Check every row (keys: commune — its code or its exact name —, level, year, note) and
    say each row's problems in words; rows are numbered from ``first_row`` (2 for a sheet
    under its heading row). Reads in a fixed number of queries."""
    communes = list(Commune.objects.filter(province=province))
    by_code = {c.code: c for c in communes}
    by_name: dict[str, list[Commune]] = {}
    for c in communes:
        by_name.setdefault(c.name.casefold(), []).append(c)
    seen: dict[tuple[int, str], int] = {}
    checks = []
    for number, values in enumerate(rows, start=first_row):
        check = RowCheck(number=number, values=values)
        for name in FIELDS:
            text = values.get(name, "")
            if len(text) > TEXT_MAX:
                check.problems.append(_("%(column)s: longer than %(max)s characters.")
                                      % {"column": COLUMN_LABELS[name], "max": TEXT_MAX})
            if control_characters(text):
                check.problems.append(_("%(column)s: contains a control character.")
                                      % {"column": COLUMN_LABELS[name]})
        commune_text = values.get("commune", "").strip()
        matches = [by_code[commune_text]] if commune_text in by_code else \
            by_name.get(commune_text.casefold(), [])
        if not commune_text:
            check.problems.append(_("The commune is missing."))
        elif len(matches) > 1:
            check.problems.append(_("Several communes are named “%(name)s”: give the code.")
                                  % {"name": commune_text})
        elif not matches:
            check.problems.append(_("No commune “%(name)s” in %(province)s.")
                                  % {"name": commune_text, "province": province})
        else:
            check.commune = matches[0]
        check.level = _level_of(values.get("level", ""))
        if not check.level:
            check.problems.append(_("Unknown level “%(level)s”.") % {"level": values.get("level", "")})
        check.year = _year_of(values.get("year", ""))
        if check.year is None or not YEAR_MIN <= check.year <= YEAR_MAX:
            check.problems.append(_("The year must be a year from %(min)s to %(max)s.")
                                  % {"min": YEAR_MIN, "max": YEAR_MAX})
        check.note = values.get("note", "").strip()
        if check.commune and check.level:
            key = (check.commune.pk, check.level)
            if key in seen:
                check.problems.append(_("The same commune and level are already on row %(row)s.")
                                      % {"row": seen[key]})
            seen.setdefault(key, number)
        checks.append(check)
    return checks


def _save(*, actor: Any, agency: Any, province: Province, commune: Commune, level: str,
          year: int, note: str, reason: str) -> RoadmapTarget:
    target = RoadmapTarget.objects.select_for_update().filter(commune=commune, level=level).first()
    before = trail.snapshot(target, FIELDS) if target else None
    target = target or RoadmapTarget(province=province, commune=commune, level=level)
    target.year, target.note = year, note
    target.full_clean()
    target.save()
    trail.record(actor=actor, agency=agency, action="roadmap.set", obj=target, province=province,
                 before=before, after=trail.snapshot(target, FIELDS), reason=reason)
    return target


@transaction.atomic
def roadmap_target_set(*, actor: Any, province: Province, commune: Commune, level: str,
                       year: int, note: str = "", reason: str = "") -> RoadmapTarget:
    """Record (or move) the year ``commune`` aims at ``level``."""
    agency = permissions.require_administrator(actor, province)
    checks = roadmap_rows_check(province=province, rows=[
        {"commune": commune.code, "level": level, "year": str(year), "note": note}])
    if checks[0].problems:
        raise RuleViolation(checks[0].problems)
    return _save(actor=actor, agency=agency, province=province, commune=commune, level=level,
                 year=year, note=note.strip(), reason=reason)


@transaction.atomic
def roadmap_target_remove(*, actor: Any, target: RoadmapTarget, reason: str) -> None:
    agency = permissions.require_administrator(actor, target.province)
    if not reason.strip():
        raise RuleViolation(_("Give the reason for removing the target."))
    trail.record(actor=actor, agency=agency, action="roadmap.remove", obj=target,
                 province=target.province, before=trail.snapshot(target, FIELDS), reason=reason)
    target.delete()


@transaction.atomic
def roadmap_import(*, actor: Any, province: Province, rows: list[dict[str, str]],
                   reason: str = "", first_row: int = 1) -> list[RoadmapTarget]:
    """Whole or nothing: every row is checked; if any has a problem, nothing is written and
    the refusal lists each bad row with its problems."""
    agency = permissions.require_administrator(actor, province)
    checks = roadmap_rows_check(province=province, rows=rows, first_row=first_row)
    if not checks:
        raise RuleViolation(_("The sheet has no rows."))
    bad = [_("Row %(row)s: %(problems)s") % {"row": c.number, "problems": "; ".join(c.problems)}
           for c in checks if c.problems]
    if bad:
        raise RuleViolation(bad)
    reason = reason or _("roadmap imported from a sheet")
    return [_save(actor=actor, agency=agency, province=province, commune=c.commune,
                  level=c.level, year=c.year, note=c.note, reason=reason) for c in checks]


def can_read_national(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and user.has_perm(NATIONAL_PERMISSION))


@transaction.atomic
def central_office_member_set(*, actor: Any, user: Any, member: bool, reason: str) -> None:
    """Put ``user`` into (or out of) the central coordination office of the programme, which
    reads every province's report figures and no dossier. Only a system administrator may."""
    if not (actor and actor.is_active and actor.is_superuser):
        raise NotAllowed(_("Only a system administrator appoints the central office."))
    group, _created = Group.objects.get_or_create(name=CENTRAL_GROUP)
    app_label, codename = NATIONAL_PERMISSION.split(".")
    group.permissions.add(Permission.objects.get(content_type__app_label=app_label,
                                                 codename=codename))
    was = group.user_set.filter(pk=user.pk).exists()
    if member:
        group.user_set.add(user)
    else:
        group.user_set.remove(user)
    trail.record(actor=actor, action="central_office.member", obj=user,
                 before={"central_office": was}, after={"central_office": member}, reason=reason)
