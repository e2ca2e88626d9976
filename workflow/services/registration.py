"""Registration (đăng ký) and the start of each round of a dossier's process."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail
from dossiers import permissions
from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.models import Agency, Batch, Commune, CriteriaSet, Dossier, RegulationProfile
from dossiers.services.setup import regulation_profile_current

from ..flows import RecognitionFlow

K = Agency.Kind


@transaction.atomic
def dossier_register(*, actor: Any, commune: Commune, level: str, batch: Batch,
                     criteria_set: CriteriaSet | None = None,
                     regulation: RegulationProfile | None = None) -> Dossier:
    """Đăng ký: the commune (or the coordination office) registers a target level in a batch.

    The criteria set and the regulation profile in force are pinned on the dossier; only
    the coordination office may pin earlier ones (to enter a historic dossier)."""
    province = commune.province
    agency = (permissions.acting_agency(actor, kind=K.COORDINATION_OFFICE, province=province)
              or Agency.objects.filter(memberships__user=actor, kind=K.COMMUNE_COMMITTEE,
                                       commune=commune, active=True).first())
    if agency is None:
        raise NotAllowed(_("Only the commune's People's Committee or the coordination office "
                           "of %(province)s may register this commune.") % {"province": province})
    if batch.province_id != province.pk:
        raise RuleViolation(_("%(batch)s belongs to another province.") % {"batch": batch})
    if batch.closed:
        raise RuleViolation(_("%(batch)s is closed.") % {"batch": batch})
    today = timezone.localdate()
    if criteria_set is None:
        criteria_set = (CriteriaSet.objects.filter(level=level, valid_from__lte=today)
                        .order_by("-valid_from").first())
        if criteria_set is None:
            raise RuleViolation(_("No criteria set for this level is in force."))
    elif criteria_set.level != level:
        raise RuleViolation(_("The criteria set is for another level."))
    elif agency.kind != K.COORDINATION_OFFICE:
        raise NotAllowed(_("Only the coordination office chooses a criteria set other than the "
                           "one in force."))
    if regulation is not None:
        if agency.kind != K.COORDINATION_OFFICE:
            raise NotAllowed(_("Only the coordination office chooses a regulation profile other "
                               "than the one in force."))
        if regulation.province_id != province.pk:
            raise RuleViolation(_("The regulation profile is another province's."))
    if Dossier.objects.filter(commune=commune, level=level, batch=batch).exists():
        raise RuleViolation(_("%(commune)s is already registered for this level in %(batch)s.")
                            % {"commune": commune, "batch": batch})
    needed = [K.COMMUNE_COMMITTEE, K.COMMUNE_FRONT]
    missing = [str(Agency.Kind(k).label) for k in needed
               if not Agency.objects.filter(commune=commune, kind=k, active=True).exists()]
    for kind in (K.PROVINCIAL_FRONT, K.COORDINATION_OFFICE, K.PROVINCIAL_COMMITTEE):
        if not Agency.objects.filter(province=province, kind=kind, active=True).exists():
            missing.append(str(Agency.Kind(kind).label))
    for flag, label in (("confirms_debt", _("an agency confirming debt")),
                        ("confirms_security", _("an agency confirming security"))):
        if not Agency.objects.filter(province=province, active=True, **{flag: True}).exists():
            missing.append(str(label))
    if missing:
        raise RuleViolation(_("Set up these agencies before registering: %(list)s.")
                            % {"list": ", ".join(missing)})
    dossier = Dossier(commune=commune, level=level, batch=batch, criteria_set=criteria_set,
                      regulation=regulation or regulation_profile_current(province=province,
                                                                          on=today),
                      registered_by=actor)
    dossier.full_clean(exclude=["status"])
    dossier.save()
    trail.record(actor=actor, agency=agency, action="dossier.register", obj=dossier,
                 after=trail.snapshot(dossier, ("commune", "level", "batch", "criteria_set",
                                                "regulation", "status", "round")))
    permissions.grant_dossier_rights(actor=actor, dossier=dossier)
    round_start(actor=actor, agency=agency, dossier=dossier)
    return dossier


def round_start(*, actor: Any, agency: Agency | None, dossier: Dossier) -> None:
    """A new pass of the process for the dossier's current round (after a deferral)."""
    with trail.acting_as(actor, agency):
        RecognitionFlow.start.run(dossier=dossier)
