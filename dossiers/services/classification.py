"""The commune's group (2026-2030) and region (2021-2025): facts the province decides.

A dossier copies them at registration (``workflow.services.registration``) and keeps them:
a later change here applies to the commune's next dossiers only."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit import trail

from ..exceptions import NotAllowed, RuleViolation
from ..models import Commune, Region


@transaction.atomic
def commune_classify(*, actor: Any, commune: Commune, group: int | None,
                     region: str = "", reason: str = "") -> Commune:
    """Set the commune's group and region (an administrator)."""
    if actor is None or not actor.is_superuser:
        raise NotAllowed(_("Only an administrator may set a commune's group and region."))
    if group is not None and group not in Commune.Group.values:
        raise RuleViolation(_("The commune group is 1, 2 or 3."))
    if region and region not in Region.values:
        raise RuleViolation(_("“%(region)s” is not one of the seven regions.")
                            % {"region": region[:60]})
    commune = Commune.objects.select_for_update().get(pk=commune.pk)
    before = trail.snapshot(commune, ("group", "region"))
    commune.group, commune.region = group, region
    commune.save(update_fields=["group", "region"])
    trail.record(actor=actor, action="commune.classify", obj=commune, before=before,
                 after=trail.snapshot(commune, ("group", "region")), reason=reason)
    return commune
