"""Opening the appraisal: one item per responsible agency and criterion (or indicator)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from guardian.shortcuts import get_perms

from audit import trail

from .. import permissions
from ..conditions import appraisal_plan
from ..models import CriterionAppraisal, Dossier


def appraisal_items_open(*, dossier: Dossier) -> list[CriterionAppraisal]:
    """Create this round's appraisal items and give each agency its rights (flow step)."""
    plan, _unowned = appraisal_plan(dossier)
    actor, _agency = trail.current_acting()
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
