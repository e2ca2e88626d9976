"""Registration (đăng ký) and the start of each round of a dossier's process."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail
from dossiers import conditions, permissions, thresholds
from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.models import (
    Agency,
    Batch,
    Commune,
    CriteriaSet,
    Dossier,
    Level,
    RegulationProfile,
)
from dossiers.services.catalogue import criteria_set_in_force, criteria_set_problems
from dossiers.services.setup import regulation_profile_current

from ..flows import RecognitionFlow

K = Agency.Kind


@transaction.atomic
def dossier_register(*, actor: Any, commune: Commune, level: str, batch: Batch,
                     criteria_set: CriteriaSet | None = None,
                     regulation: RegulationProfile | None = None) -> Dossier:
    """Đăng ký: the commune (or the coordination office) registers a target level in a batch.

    The criteria set and the regulation profile in force are pinned on the dossier; only
    the coordination office may pin earlier ones (to enter a historic dossier). Refused,
    with the missing piece named: a set that is fragments or incomplete; a level whose
    prerequisite recognition the commune lacks (DOMAIN.md §3; a model dossier may wait for
    a running advanced one, held at submission); any agency the flow will need."""
    if level not in Level.values:
        raise RuleViolation(_("Unknown level “%(level)s”.") % {"level": level})
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
        raise RuleViolation(_("%(batch)s is closed: it takes no new registration. Register "
                              "the dossier in an open batch.") % {"batch": batch})
    today = timezone.localdate()
    if criteria_set is None:
        criteria_set = criteria_set_in_force(level=level, province=province, on=today)
        if criteria_set is None:
            raise RuleViolation(_("No criteria set for %(level)s is in force in %(province)s on "
                                  "%(day)s.") % {"level": Level(level).label,
                                                 "province": province,
                                                 "day": today.strftime("%d/%m/%Y")})
    elif criteria_set.level != level:
        raise RuleViolation(_("The criteria set is for another level."))
    elif agency.kind != K.COORDINATION_OFFICE:
        raise NotAllowed(_("Only the coordination office chooses a criteria set other than the "
                           "one in force."))
    elif criteria_set.province_id not in (None, province.pk):
        raise RuleViolation(_("The criteria set %(code)s is another province's.")
                            % {"code": criteria_set.code})
    problems = criteria_set_problems(criteria_set)
    if problems:
        raise RuleViolation(problems)
    if regulation is not None:
        if agency.kind != K.COORDINATION_OFFICE:
            raise NotAllowed(_("Only the coordination office chooses a regulation profile other "
                               "than the one in force."))
        if regulation.province_id != province.pk:
            raise RuleViolation(_("The regulation profile is another province's."))
    regulation = regulation or regulation_profile_current(province=province, on=today)
    if Dossier.objects.filter(commune=commune, level=level, batch=batch).exists():
        raise RuleViolation(_("%(commune)s is already registered for this level in %(batch)s.")
                            % {"commune": commune, "batch": batch})
    problems = conditions.registration_ladder_problems(commune, level)
    if problems:
        raise RuleViolation(problems)
    # The commune's group and region (as recorded now) are fixed here: their thresholds
    # judge the dossier.
    group, region = Commune.objects.values_list("group", "region").get(pk=commune.pk)
    dossier = Dossier(commune=commune, level=level, batch=batch, criteria_set=criteria_set,
                      regulation=regulation, registered_by=actor,
                      commune_group=group, region=region)
    problems = flow_readiness_problems(dossier) + thresholds.place_problems(dossier)
    if problems:
        raise RuleViolation(problems)
    dossier.full_clean(exclude=["status"])
    dossier.save()
    trail.record(actor=actor, agency=agency, action="dossier.register", obj=dossier,
                 after=trail.snapshot(dossier, ("commune", "level", "batch", "criteria_set",
                                                "regulation", "status", "round",
                                                "commune_group", "region")))
    permissions.grant_dossier_rights(actor=actor, dossier=dossier)
    round_start(actor=actor, agency=agency, dossier=dossier)
    return dossier


def flow_readiness_problems(dossier: Dossier) -> list[str]:
    """Every agency the flow will look for, checked before the dossier exists: a missing one
    is named here instead of failing later in the middle of a step (DOMAIN.md §4, §6)."""
    commune, province = dossier.commune, dossier.commune.province
    missing = [str(Agency.Kind(k).label) for k in (K.COMMUNE_COMMITTEE, K.COMMUNE_FRONT)
               if not Agency.objects.filter(commune=commune, kind=k, active=True).exists()]
    for kind in (K.PROVINCIAL_FRONT, K.COORDINATION_OFFICE, K.PROVINCIAL_COMMITTEE, K.COUNCIL):
        if not Agency.objects.filter(province=province, kind=kind, active=True).exists():
            missing.append(str(Agency.Kind(kind).label))
    for flag, label in (("confirms_debt", _("an agency confirming debt")),
                        ("confirms_security", _("an agency confirming security"))):
        if not Agency.objects.filter(province=province, active=True, **{flag: True}).exists():
            missing.append(str(label))
    problems = []
    if missing:
        problems.append(_("Set up these agencies before registering: %(list)s.")
                        % {"list": ", ".join(missing)})
    if dossier.regulation.district_verification:
        if commune.district_id is None:
            problems.append(_("The regulation profile %(profile)s has the older variant's "
                              "district verification, but %(commune)s belongs to no district.")
                            % {"profile": dossier.regulation, "commune": commune})
        elif not Agency.objects.filter(district_id=commune.district_id,
                                       kind=K.DISTRICT_COMMITTEE, active=True).exists():
            problems.append(_("The regulation profile %(profile)s has the older variant's "
                              "district verification, but %(district)s has no active district "
                              "People's Committee to verify the dossier.")
                            % {"profile": dossier.regulation, "district": commune.district})
    problems.extend(conditions.appraisal_mapping_problems(dossier))
    return problems


def round_start(*, actor: Any, agency: Agency | None, dossier: Dossier) -> None:
    """A new pass of the process for the dossier's current round (after a deferral)."""
    with trail.acting_as(actor, agency):
        RecognitionFlow.start.run(dossier=dossier)
