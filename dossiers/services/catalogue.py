"""The criteria catalogue as data: load or update a set from a YAML file.

Loading never deletes: a criterion or indicator missing from a newer file is marked
retired, so dossiers already judged by it keep every reference. Nothing is invented
to fill a gap: what the file lacks stays absent and its ``gaps`` are kept with the set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail

from ..exceptions import NotAllowed, RuleViolation
from ..models import CriteriaSet, Criterion, Indicator, Level, Province, Threshold
from ..thresholds import set_places

SET_FIELDS = {"code", "title_vi", "title_en", "legal_basis", "level", "valid_from", "period",
              "criteria_count", "indicator_count", "groups", "valid_until",
              "superseded_by_code", "fragments", "province"}

# Criteria whose loss weighs in the revocation rule (income; environment and food safety;
# living environment; defence and security), by set. Applied to new criteria only: an
# administrator's later choice in the admin is kept on reload.
REVOCATION_KEY_CRITERIA = {
    "QD318-2022-NTM-XA": {10, 17, 19},
    "QD318-2022-NTM-NANGCAO-XA": {10, 17, 19},
    "QD51-2025-NTM-XA": {8, 10},
}


@dataclass
class LoadReport:
    criteria_set: CriteriaSet
    created: bool
    criteria: dict[str, int] = field(default_factory=lambda: {"new": 0, "updated": 0, "retired": 0})
    indicators: dict[str, int] = field(default_factory=lambda: {"new": 0, "updated": 0, "retired": 0})
    gaps: int = 0

    def summary(self) -> str:
        return _("%(set)s: criteria %(c)s, indicators %(i)s, %(gaps)s known gap(s).") % {
            "set": self.criteria_set.code, "c": self.criteria, "i": self.indicators,
            "gaps": self.gaps}


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise RuleViolation(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}) from exc


def _clean(obj: Any, where: str) -> None:
    """Model validation, reported as a RuleViolation that names the faulty entry."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        details = "; ".join(f"{field}: {' '.join(str(m) for m in messages)}"
                            for field, messages in exc.message_dict.items())
        raise RuleViolation(_("In %(where)s: %(details)s") % {"where": where,
                                                             "details": details}) from exc


def _criterion_number(raw: Any) -> int:
    if not isinstance(raw, dict):
        raise RuleViolation(_("Every entry of “criteria” must be a mapping with a number."))
    try:
        number = int(raw["number"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleViolation(_("A criterion has no valid “number”: %(entry)s")
                            % {"entry": str(raw)[:120]}) from exc
    if number <= 0:
        raise RuleViolation(_("Criterion numbers start at 1, not %(n)s.") % {"n": number})
    return number


def _indicator_key(data: dict) -> str:
    if not isinstance(data, dict):
        raise RuleViolation(_("Every indicator must be a mapping with a code or a name."))
    key = str(data.get("code") or "").strip() or str(data.get("name_vi") or "").strip()
    if not key:
        raise RuleViolation(_("An indicator has neither a code nor a name."))
    return key[:120]


def parse_file(path: Path) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleViolation(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from exc
    if not isinstance(data, dict) or not isinstance(data.get("set"), dict) or \
            not isinstance(data.get("criteria"), list):
        raise RuleViolation(_("%(path)s has no “set” header and “criteria” list.") % {"path": path})
    header = data["set"]
    for key in ("code", "title_vi", "level", "valid_from"):
        if not header.get(key):
            raise RuleViolation(_("The set header lacks “%(key)s”.") % {"key": key})
    if header["level"] not in Level.values:
        raise RuleViolation(_("Unknown level “%(level)s”.") % {"level": header["level"]})
    return data


@transaction.atomic
def criteria_set_load(*, actor: Any, path: Path) -> LoadReport:
    """Create or update the set described by ``path``."""
    if actor is None or not actor.is_superuser:
        raise NotAllowed(_("Only an administrator may load a criteria set."))
    data = parse_file(path)
    header = data["set"]
    criteria_set = CriteriaSet.objects.select_for_update(of=("self",)).filter(code=header["code"]).first()
    created = criteria_set is None
    before = None if created else trail.snapshot(criteria_set, ("title_vi", "valid_from",
                                                               "valid_until", "fragments",
                                                               "gaps", "header"))
    criteria_set = criteria_set or CriteriaSet(code=header["code"])
    criteria_set.title_vi = header["title_vi"]
    criteria_set.title_en = header.get("title_en") or ""
    criteria_set.level = header["level"]
    criteria_set.legal_basis = header.get("legal_basis") or ""
    criteria_set.period = str(header.get("period") or "")
    criteria_set.valid_from = _date(header["valid_from"])
    criteria_set.valid_until = _date(header["valid_until"]) if header.get("valid_until") else None
    criteria_set.fragments = header.get("fragments") is True
    criteria_set.province = None
    if header.get("province"):
        criteria_set.province = Province.objects.filter(code=str(header["province"])).first()
        if criteria_set.province is None:
            raise RuleViolation(_("The set header names province “%(code)s”, which does not "
                                  "exist.") % {"code": header["province"]})
    successor_code = str(header.get("superseded_by_code") or "")
    criteria_set.superseded_by = (CriteriaSet.objects.filter(code=successor_code).first()
                                  if successor_code else None)
    criteria_set.criteria_count = header.get("criteria_count")
    criteria_set.indicator_count = header.get("indicator_count")
    criteria_set.commune_groups = header.get("groups") or []
    criteria_set.header = trail.to_json({k: v for k, v in header.items()
                                         if k not in SET_FIELDS or k == "superseded_by_code"})
    criteria_set.gaps = trail.to_json(data.get("gaps") or [])
    criteria_set.sources = trail.to_json(data.get("sources") or [])
    criteria_set.source_file = Path(path).name
    criteria_set.loaded_at = timezone.now()
    _clean(criteria_set, _("the set header"))
    criteria_set.save()
    # A predecessor loaded earlier that names this set as its successor is linked now.
    for predecessor in CriteriaSet.objects.filter(superseded_by__isnull=True,
                                                  header__superseded_by_code=criteria_set.code):
        predecessor.superseded_by = criteria_set
        _clean(predecessor, _("the set header of %(code)s") % {"code": predecessor.code})
        predecessor.save(update_fields=["superseded_by"])
    report = LoadReport(criteria_set, created, gaps=len(criteria_set.gaps))

    key_numbers = REVOCATION_KEY_CRITERIA.get(criteria_set.code, set())
    seen_numbers = set()
    for raw in data["criteria"]:
        number = _criterion_number(raw)
        if number in seen_numbers:
            raise RuleViolation(_("Criterion %(n)s is listed twice.") % {"n": number})
        seen_numbers.add(number)
        criterion = Criterion.objects.filter(criteria_set=criteria_set, number=number).first()
        if criterion is None:
            criterion = Criterion(criteria_set=criteria_set, number=number,
                                  revocation_key=number in key_numbers)
            report.criteria["new"] += 1
        else:
            report.criteria["updated"] += 1
        criterion.name_vi = raw.get("name_vi") or ""
        criterion.name_en = raw.get("name_en") or ""
        criterion.responsible_hint = raw.get("responsible_hint") or ""
        criterion.retired = False
        _clean(criterion, _("criterion %(n)s") % {"n": number})
        criterion.save()
        indicators = raw.get("indicators") or []
        if not isinstance(indicators, list):
            raise RuleViolation(_("Criterion %(n)s: “indicators” must be a list.") % {"n": number})
        _load_indicators(criterion, indicators, report)
    retired = Criterion.objects.filter(criteria_set=criteria_set, retired=False).exclude(
        number__in=seen_numbers)
    report.indicators["retired"] += Indicator.objects.filter(
        criterion__in=retired, retired=False).update(retired=True)
    report.criteria["retired"] = retired.update(retired=True)

    trail.record(actor=actor, action="criteria_set.load", obj=criteria_set, before=before,
                 after={**trail.snapshot(criteria_set, ("title_vi", "valid_from",
                                                        "valid_until", "fragments", "gaps",
                                                        "header")),
                        "criteria": report.criteria, "indicators": report.indicators},
                 reason=_("loaded from %(file)s") % {"file": criteria_set.source_file})
    return report


def criteria_set_in_force(*, level: str, province: Province, on: dt.date) -> CriteriaSet | None:
    """The set that judges a dossier of ``level`` in ``province`` registered ``on`` that day.

    In force means ``valid_from`` ≤ day ≤ ``valid_until`` and, when a successor is named
    (``superseded_by``), before the successor comes into force. A set the province issued
    itself is chosen before a national one (DOMAIN.md §3: provinces may issue their own
    advanced and model sets); among sets of the same scope, the newest."""
    candidates = (CriteriaSet.objects.filter(level=level, valid_from__lte=on)
                  .filter(Q(province=province) | Q(province__isnull=True))
                  .select_related("superseded_by").order_by("-valid_from", "code"))
    in_force = [c for c in candidates if c.in_force_on(on)]
    own = [c for c in in_force if c.province_id == province.pk]
    return (own or in_force or [None])[0]


def criteria_set_problems(criteria_set: CriteriaSet) -> list[str]:
    """Why ``criteria_set`` cannot judge a dossier (empty when it can): a set flagged as
    fragments, or one with fewer criteria loaded than the law it declares."""
    loaded = criteria_set.criteria.filter(retired=False).count()
    declared = criteria_set.criteria_count
    if criteria_set.fragments:
        return [_("The criteria set %(code)s holds only fragments of the law (%(loaded)s of "
                  "its %(declared)s criteria are loaded): no dossier can be judged by it. "
                  "Load the complete set first.") % {
            "code": criteria_set.code, "loaded": loaded, "declared": declared or "?"}]
    if declared and loaded < declared:
        return [_("The criteria set %(code)s is incomplete: %(loaded)s of its %(declared)s "
                  "criteria are loaded. Load the missing criteria first.") % {
            "code": criteria_set.code, "loaded": loaded, "declared": declared}]
    if not loaded:
        return [_("The criteria set %(code)s has no criteria.") % {"code": criteria_set.code}]
    return []


def _load_indicators(criterion: Criterion, rows: list[dict], report: LoadReport) -> None:
    seen = set()
    for position, raw in enumerate(rows, start=1):
        key = _indicator_key(raw)
        if key in seen:
            raise RuleViolation(_("Criterion %(n)s lists indicator “%(key)s” twice.")
                                % {"n": criterion.number, "key": key})
        seen.add(key)
        indicator = Indicator.objects.filter(criterion=criterion, key=key).first()
        if indicator is None:
            indicator = Indicator(criterion=criterion, key=key)
            report.indicators["new"] += 1
        else:
            report.indicators["updated"] += 1
        confidence = raw.get("confidence") or ""
        if confidence not in Indicator.Confidence.values:
            raise RuleViolation(_("Indicator “%(key)s” has no valid confidence flag "
                                  "(confirmed, partial or unconfirmed).") % {"key": key})
        indicator.code = str(raw.get("code") or "")
        indicator.position = position
        indicator.name_vi = raw.get("name_vi") or key
        indicator.name_en = raw.get("name_en") or ""
        indicator.unit = raw.get("unit") or ""
        indicator.threshold = trail.to_json(raw.get("threshold"))
        rules = _threshold_rows(raw, key, criterion.criteria_set)
        indicator.measure = _measure(raw, key, rules)
        indicator.confidence = confidence
        indicator.source_url = raw.get("source_url") or ""
        indicator.note = raw.get("note") or ""
        indicator.retired = False
        _clean(indicator, _("indicator “%(key)s”") % {"key": key})
        indicator.save()
        _store_thresholds(indicator, rules)
    retired = Indicator.objects.filter(criterion=criterion, retired=False).exclude(key__in=seen)
    report.indicators["retired"] += retired.update(retired=True)


# --- structured thresholds -----------------------------------------------------------
COMPARISONS = {">=": "gte", "≥": "gte", "gte": "gte", "<=": "lte", "≤": "lte", "lte": "lte",
               "=": "eq", "==": "eq", "eq": "eq", "between": "between"}
THRESHOLD_FIELDS = ("applies_to", "comparison", "value", "value_max", "kind", "unit")


def _decimal(raw: Any, key: str) -> Decimal | None:
    if raw is None:
        return None
    try:
        number = Decimal(str(raw))
    except InvalidOperation as exc:
        raise RuleViolation(_("Indicator “%(key)s”: “%(value)s” is not a number.")
                            % {"key": key, "value": str(raw)[:40]}) from exc
    if not number.is_finite() or abs(number) >= Decimal(10) ** 11:
        raise RuleViolation(_("Indicator “%(key)s”: “%(value)s” is not a usable number.")
                            % {"key": key, "value": str(raw)[:40]})
    return number


def _threshold_rows(raw: dict, key: str, criteria_set: CriteriaSet) -> list[Threshold]:
    """The indicator's ``thresholds:`` list as unsaved rows, each checked (comparison, number,
    unit, a group or region the set knows)."""
    entries = raw.get("thresholds") or []
    if not isinstance(entries, list):
        raise RuleViolation(_("Indicator “%(key)s”: “thresholds” must be a list.") % {"key": key})
    places = set_places(criteria_set)
    rows, seen = [], set()
    for entry in entries:
        if not isinstance(entry, dict):
            raise RuleViolation(_("Indicator “%(key)s”: every threshold must be a mapping.")
                                % {"key": key})
        place = str(entry.get("applies_to") or "").strip()
        place = "" if place == "all" else place
        if place and place not in places:
            raise RuleViolation(_("Indicator “%(key)s”: the set has no group or region "
                                  "“%(place)s”.") % {"key": key, "place": place[:60]})
        if place in seen:
            raise RuleViolation(_("Indicator “%(key)s” has two thresholds for “%(place)s”.")
                                % {"key": key, "place": place or _("every group and region")})
        seen.add(place)
        comparison = COMPARISONS.get(str(entry.get("comparison") or "").strip())
        if comparison is None:
            raise RuleViolation(_("Indicator “%(key)s”: the comparison must be ≥, ≤, = or "
                                  "between.") % {"key": key})
        value = _decimal(entry.get("value"), key)
        if value is None:
            raise RuleViolation(_("Indicator “%(key)s”: a threshold has no value.") % {"key": key})
        unit = str(entry.get("unit") or "").strip()
        row = Threshold(applies_to=place, comparison=comparison, value=value,
                        value_max=_decimal(entry.get("value_max"), key),
                        kind=Threshold.Kind.PERCENT if unit == "%" else Threshold.Kind.ABSOLUTE,
                        unit="" if unit == "%" else unit)
        _clean_threshold(row, key)
        rows.append(row)
    return rows


def _clean_threshold(row: Threshold, key: str) -> None:
    try:
        row.clean()
        row.clean_fields(exclude=["indicator"])
    except ValidationError as exc:
        details = "; ".join(" ".join(str(m) for m in messages)
                            for messages in exc.message_dict.values())
        raise RuleViolation(_("In the thresholds of indicator “%(key)s”: %(details)s")
                            % {"key": key, "details": details}) from exc


def _measure(raw: dict, key: str, rules: list[Threshold]) -> str:
    measure = raw.get("measure") or (Indicator.Measure.QUANTITATIVE if rules
                                     else Indicator.Measure.QUALITATIVE)
    if measure not in Indicator.Measure.values:
        raise RuleViolation(_("Indicator “%(key)s”: the measure must be quantitative or "
                              "qualitative.") % {"key": key})
    if rules and measure != Indicator.Measure.QUANTITATIVE:
        raise RuleViolation(_("Indicator “%(key)s” is qualitative: it has no numeric "
                              "threshold.") % {"key": key})
    return measure


def _threshold_key(row: Threshold) -> tuple:
    return (row.applies_to, row.comparison, row.value, row.value_max, row.kind, row.unit)


def _store_thresholds(indicator: Indicator, rules: list[Threshold]) -> None:
    """Replace the indicator's thresholds, unless a dossier is judged by its set: the law
    those dossiers were judged by never changes under them (load a new version instead)."""
    current = list(indicator.thresholds.all())
    if sorted(map(_threshold_key, current)) == sorted(map(_threshold_key, rules)):
        return
    criteria_set = indicator.criterion.criteria_set
    if criteria_set.dossiers.exists():
        raise RuleViolation(_("The criteria set %(code)s already judges dossiers: the thresholds "
                              "of indicator “%(key)s” cannot change in it. Load the new "
                              "thresholds as a new version of the set (another code).")
                            % {"code": criteria_set.code, "key": indicator.key})
    indicator.thresholds.all().delete()
    for row in rules:
        row.indicator = indicator
        row.save()


@transaction.atomic
def criteria_set_new_version(*, actor: Any, source: CriteriaSet, code: str,
                             valid_from: dt.date) -> CriteriaSet:
    """A copy of ``source`` (criteria, indicators, thresholds) under ``code``, in force from
    ``valid_from``; ``source`` is superseded from that day. The administrator then edits the
    copy, which no dossier uses yet."""
    if actor is None or not actor.is_superuser:
        raise NotAllowed(_("Only an administrator may create a version of a criteria set."))
    code = code.strip()
    if not code or len(code) > 64 or CriteriaSet.objects.filter(code=code).exists():
        raise RuleViolation(_("Choose a new, unused code (at most 64 characters) for the "
                              "version."))
    source = CriteriaSet.objects.select_for_update(of=("self",)).get(pk=source.pk)
    if valid_from <= source.valid_from:
        raise RuleViolation(_("The new version must come into force after %(day)s, when "
                              "%(code)s did.") % {"day": source.valid_from.strftime("%d/%m/%Y"),
                                                  "code": source.code})
    copy = CriteriaSet.objects.get(pk=source.pk)
    copy.pk, copy.code, copy.valid_from, copy.superseded_by = None, code, valid_from, None
    copy.source_file, copy.loaded_at = "", timezone.now()
    copy.header = {k: v for k, v in (source.header or {}).items() if k != "superseded_by_code"}
    _clean(copy, _("the new version"))
    copy.save()
    for criterion in source.criteria.prefetch_related("indicators__thresholds"):
        indicators = list(criterion.indicators.all())
        criterion.pk, criterion.criteria_set = None, copy
        criterion.save()
        for indicator in indicators:
            rules = list(indicator.thresholds.all())
            indicator.pk, indicator.criterion = None, criterion
            indicator.save()
            for rule in rules:
                rule.pk, rule.indicator = None, indicator
                rule.save()
    before = trail.snapshot(source, ("superseded_by",))
    source.superseded_by = copy
    _clean(source, _("the set header of %(code)s") % {"code": source.code})
    source.save(update_fields=["superseded_by"])
    trail.record(actor=actor, action="criteria_set.new_version", obj=copy,
                 after={**trail.snapshot(copy, ("code", "valid_from")), "source": source.code},
                 reason=_("new version of %(code)s") % {"code": source.code})
    trail.record(actor=actor, action="criteria_set.superseded", obj=source, before=before,
                 after=trail.snapshot(source, ("superseded_by",)))
    return copy
