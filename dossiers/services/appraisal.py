"""Opening the appraisal: one item per responsible agency and criterion (or indicator)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from guardian.shortcuts import get_perms

from workflow import audit

from .. import permissions
from ..conditions import criteria_of
from ..models import CriterionAppraisal, Dossier, Responsibility


def _mapping(dossier: Dossier) -> dict[tuple[int, int | None], Any]:
    rows = Responsibility.objects.filter(
        province_id=dossier.commune.province_id,
        criterion__criteria_set_id=dossier.criteria_set_id,
        agency__active=True).select_related("agency__group")
    return {(r.criterion_id, r.indicator_id): r.agency for r in rows}


def appraisal_plan(dossier: Dossier) -> tuple[list[tuple], list[str]]:
    """The (criterion, indicator or None, agency) items to appraise, and the criteria no agency
    is responsible for."""
    mapping = _mapping(dossier)
    plan, unowned = [], []
    for criterion in criteria_of(dossier):
        indicators = [i for i in criterion.indicators.all() if not i.retired]
        own = [(criterion, i, mapping[(criterion.pk, i.pk)]) for i in indicators
               if (criterion.pk, i.pk) in mapping]
        whole = mapping.get((criterion.pk, None))
        if whole is not None and (not indicators or len(own) < len(indicators)):
            own.insert(0, (criterion, None, whole))
        if whole is None and (not indicators or len(own) < len(indicators)):
            unowned.append(f"{criterion.number}. {criterion.name}")
        plan.extend(own)
    return plan, unowned


def appraisal_mapping_problems(dossier: Dossier) -> list[str]:
    _plan, unowned = appraisal_plan(dossier)
    if unowned:
        return [_("No agency of %(province)s is responsible for criteria: %(list)s. The "
                  "coordination office must complete the responsibility mapping.") % {
            "province": dossier.commune.province, "list": "; ".join(unowned)}]
    return []


def appraisal_items_open(*, dossier: Dossier) -> list[CriterionAppraisal]:
    """Create this round's appraisal items and give each agency its rights (flow step)."""
    plan, _unowned = appraisal_plan(dossier)
    actor, _agency = audit.current_acting()
    items = []
    for criterion, indicator, agency in plan:
        item = CriterionAppraisal.objects.create(dossier=dossier, round=dossier.round,
                                                 criterion=criterion, indicator=indicator,
                                                 agency=agency)
        permissions.grant(actor=actor, perm="appraise_criterion", to=agency.group, obj=item,
                          reason=_("appraisal opened"))
        items.append(item)
    for agency in {item.agency for item in items}:
        if "view_dossier" not in get_perms(agency.group, dossier):
            permissions.grant(actor=actor, perm="view_dossier", to=agency.group, obj=dossier,
                              reason=_("appraisal opened"))
    return items
