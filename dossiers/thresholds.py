"""Which threshold applies to a dossier, and whether a commune's value meets it.

The commune's group (2026-2030 set) or region (2021-2025 set) is fixed on the dossier at
registration (DOMAIN.md §3). A quantitative indicator's "met" is computed from the value
the commune enters against that group's threshold; a qualitative one is judged."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .exceptions import RuleViolation
from .models import CriteriaSet, Dossier, Indicator, Threshold

MAX_VALUE_LENGTH = 40
_NUMBER = re.compile(r"^[+-]?\d{1,12}([.,]\d{1,6})?$")


def place_of(dossier: Dossier) -> str:
    """The group ("1", "2", "3") or region whose thresholds apply; empty when the set has
    neither or the dossier has none recorded."""
    if dossier.criteria_set.uses_commune_groups:
        return str(dossier.commune_group or "")
    if set_regions(dossier.criteria_set):
        return dossier.region
    return ""


def place_label(dossier: Dossier) -> str:
    place = place_of(dossier)
    if not place:
        return ""
    return _("group %(n)s") % {"n": place} if place.isdigit() else place


def set_regions(criteria_set: CriteriaSet) -> list[str]:
    regions = (criteria_set.header or {}).get("regions") or []
    return [str(r) for r in regions] if isinstance(regions, list) else []


def set_places(criteria_set: CriteriaSet) -> list[str]:
    """The group codes or region names a threshold of this set may be for."""
    if criteria_set.uses_commune_groups:
        return [str(g.get("code")) for g in criteria_set.commune_groups if isinstance(g, dict)]
    return set_regions(criteria_set)


def threshold_for(indicator: Indicator, place: str,
                  thresholds: list[Threshold] | None = None) -> Threshold | None:
    """The threshold of ``place``, else the one for every place; None when there is none.
    ``thresholds``: the indicator's thresholds already read (prefetched)."""
    rows = list(indicator.thresholds.all()) if thresholds is None else thresholds
    by_place = {t.applies_to: t for t in rows}
    return by_place.get(place) if place and place in by_place else by_place.get("")


def wording_for(indicator: Indicator | None, place: str) -> str:
    """The law's wording of the threshold for ``place`` (a text, or a text per region)."""
    if indicator is None or indicator.threshold is None:
        return ""
    if isinstance(indicator.threshold, dict):
        return str(indicator.threshold.get(place) or "")
    return str(indicator.threshold)


def is_computed(indicator: Indicator | None, threshold: Threshold | None) -> bool:
    """Met is computed (not claimed) for a quantitative indicator with a threshold."""
    return (indicator is not None and threshold is not None
            and indicator.measure == Indicator.Measure.QUANTITATIVE)


def parse_value(text: str) -> Decimal | None:
    """A number as communes type it: 83,5 or 83.5, optionally with % — None if not one."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").removesuffix("%")
    if len(cleaned) > MAX_VALUE_LENGTH or not _NUMBER.match(cleaned):
        return None
    try:
        return Decimal(cleaned.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def computed_met(indicator: Indicator, threshold: Threshold, value: str) -> bool:
    """Whether ``value`` meets ``threshold``; refused with the threshold when not a number."""
    number = parse_value(value)
    if number is None:
        raise RuleViolation(
            _("Indicator %(code)s is measured: enter its value as a number (for example "
              "83,5), not “%(value)s”. Threshold: %(threshold)s.")
            % {"code": indicator.code or indicator.name, "value": value[:MAX_VALUE_LENGTH],
               "threshold": threshold.describe()})
    return threshold.met_by(number)


def shortfall(indicator: Indicator, threshold: Threshold, value: str) -> str:
    """How a value that does not meet its threshold reads in a refusal."""
    return _("indicator %(code)s: %(value)s does not meet %(threshold)s") % {
        "code": indicator.code or indicator.name, "value": value,
        "threshold": threshold.describe()}


def place_problems(dossier: Dossier) -> list[str]:
    """Registration: a set with thresholds per group or region needs the commune's."""
    criteria_set = dossier.criteria_set
    if place_of(dossier) or not Threshold.objects.filter(
            indicator__criterion__criteria_set=criteria_set).exclude(applies_to="").exists():
        return []
    if criteria_set.uses_commune_groups:
        return [_("The criteria set %(code)s has thresholds per commune group, but the "
                  "province has not set the group of %(commune)s: set it before registering.")
                % {"code": criteria_set.code, "commune": dossier.commune}]
    return [_("The criteria set %(code)s has thresholds per region, but the province has not "
              "set the region of %(commune)s: set it before registering.")
            % {"code": criteria_set.code, "commune": dossier.commune}]


def shortfalls(dossier: Dossier, criterion_id: int, indicator_id: int | None = None) -> list[str]:
    """The measured indicators of a criterion (or one of them) whose self-assessed value
    does not meet the threshold of the dossier's group, each with that threshold."""
    place = place_of(dossier)
    answers = dossier.self_assessments.filter(criterion_id=criterion_id, met=False).exclude(
        indicator=None).select_related("indicator").prefetch_related("indicator__thresholds")
    if indicator_id is not None:
        answers = answers.filter(indicator_id=indicator_id)
    found = []
    for answer in answers:
        threshold = threshold_for(answer.indicator, place)
        if is_computed(answer.indicator, threshold):
            found.append(shortfall(answer.indicator, threshold, answer.value))
    return found
