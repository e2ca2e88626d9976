"""History a province already has: recognitions decided before the product.

A historic recognition becomes a dossier recognised at its level, with its signed decision,
in a closed batch of its year (number 0), judged by the criteria set in force on the day of
the decision and the regulation profile of that day. The level ladder, the revocation and
the merger rules read recognitions from dossiers, so they see the imported ones as they see
the others. A commune abolished by the 2025 mergers is kept as a historic unit, abolished on
1 July 2025 and pointing at the commune it merged into."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail

from .. import permissions
from ..exceptions import RuleViolation
from ..models import (
    Batch,
    Commune,
    CriteriaSet,
    Decision,
    Dossier,
    DossierStatus,
    Level,
    Province,
    RegulationProfile,
)
from .catalogue import criteria_set_in_force

MERGERS_IN_FORCE = dt.date(2025, 7, 1)
PROGRAMME_START = dt.date(2010, 1, 1)
HISTORIC_BATCH = 0
DOSSIER_FIELDS = ("commune", "level", "batch", "criteria_set", "regulation", "status")


def historic_batch(*, actor: Any, province: Province, year: int) -> Batch:
    """The closed batch that holds a year's recognitions made before the product."""
    batch = Batch.objects.filter(province=province, recognition_year=year,
                                 number=HISTORIC_BATCH).first()
    if batch is None:
        batch = Batch(province=province, recognition_year=year, number=HISTORIC_BATCH,
                      title=_("Recognitions of %(year)s before the product") % {"year": year},
                      closed=True)
        batch.full_clean()
        batch.save()
        trail.record(actor=actor, action="batch.create", obj=batch, province=province,
                     after=trail.snapshot(batch, ("recognition_year", "number", "title",
                                                  "closed")),
                     reason=_("historic recognitions"))
    return batch


def historic_commune(*, actor: Any, province: Province, code: str, name: str,
                     successor_code: str) -> Commune:
    """The commune of a historic recognition; one abolished by a merger is created as a
    historic unit (or linked to the commune it merged into) when the successor is named."""
    commune = Commune.objects.filter(code=code).first()
    if commune is not None and commune.province_id != province.pk:
        raise RuleViolation(_("The commune with code %(code)s belongs to another province.")
                            % {"code": code})
    successor = None
    if successor_code:
        successor = Commune.objects.filter(code=successor_code, province=province).first()
        if successor is None:
            raise RuleViolation(_("%(province)s has no commune with code %(code)s (the commune "
                                  "it merged into).") % {"province": province,
                                                         "code": successor_code})
        if commune is not None and commune.pk == successor.pk:
            successor = None  # the commune kept its code after the merger
    if commune is None:
        if successor is None:
            raise RuleViolation(_("%(province)s has no commune with code %(code)s. For a commune "
                                  "abolished by the 2025 mergers, give its name and the code "
                                  "of the commune it merged into.")
                                % {"province": province, "code": code})
        if not name:
            raise RuleViolation(_("Give the name of the abolished commune %(code)s.")
                                % {"code": code})
        commune = Commune(province=province, code=code, name=name, successor=successor,
                          abolished_on=MERGERS_IN_FORCE)
        commune.full_clean()
        commune.save()
        trail.record(actor=actor, action="commune.create_historic", obj=commune,
                     province=province,
                     after={"code": code, "name": name, "successor": successor.code,
                            "abolished_on": MERGERS_IN_FORCE})
    elif successor is not None and commune.successor_id != successor.pk:
        before = {"successor": commune.successor.code if commune.successor else None,
                  "abolished_on": commune.abolished_on}
        commune.successor = successor
        commune.abolished_on = commune.abolished_on or MERGERS_IN_FORCE
        commune.save(update_fields=["successor", "abolished_on"])
        trail.record(actor=actor, action="commune.merge", obj=commune, province=province,
                     before=before, after={"successor": successor.code,
                                           "abolished_on": commune.abolished_on})
    return commune


def _criteria_set(*, province: Province, level: str, code: str, on: dt.date) -> CriteriaSet:
    if code:
        criteria_set = CriteriaSet.objects.filter(code=code).first()
        if criteria_set is None:
            raise RuleViolation(_("No criteria set has the code %(code)s.") % {"code": code})
        if criteria_set.level != level:
            raise RuleViolation(_("The criteria set %(code)s is for another level.")
                                % {"code": code})
        if criteria_set.province_id not in (None, province.pk):
            raise RuleViolation(_("The criteria set %(code)s is another province's.")
                                % {"code": code})
        return criteria_set
    criteria_set = criteria_set_in_force(level=level, province=province, on=on)
    if criteria_set is None:
        raise RuleViolation(_("No %(level)s criteria set in force on %(day)s is loaded: load the "
                              "set of that time, or name one in the criteria set column.")
                            % {"level": Level(level).label, "day": on.strftime("%d/%m/%Y")})
    return criteria_set


def _regulation(*, province: Province, on: dt.date) -> RegulationProfile:
    """The profile in force on the day; for a day before the first one, the first one."""
    profiles = RegulationProfile.objects.filter(province=province)
    profile = (profiles.filter(valid_from__lte=on).order_by("-valid_from", "-version").first()
               or profiles.order_by("valid_from", "version").first())
    if profile is None:
        raise RuleViolation(_("%(province)s has no regulation profile: publish one first.")
                            % {"province": province})
    return profile


@transaction.atomic
def recognition_import(*, actor: Any, province: Province, commune_code: str, level: str,
                       decision_number: str, signed_on: dt.date, signer_name: str,
                       signer_title: str = "", commune_name: str = "",
                       successor_code: str = "", criteria_set_code: str = "") -> Dossier:
    """Record a recognition the province decided before the product (audited)."""
    agency = permissions.require_administrator(actor, province)
    if level not in Level.values:
        raise RuleViolation(_("Unknown level “%(level)s”.") % {"level": level})
    if not (PROGRAMME_START <= signed_on <= timezone.localdate()):
        raise RuleViolation(_("The decision date %(day)s is not between %(start)s and today.")
                            % {"day": signed_on.strftime("%d/%m/%Y"),
                               "start": PROGRAMME_START.strftime("%d/%m/%Y")})
    if not decision_number.strip() or not signer_name.strip():
        raise RuleViolation(_("Give the decision number and the name of its signer."))
    commune = historic_commune(actor=actor, province=province, code=commune_code,
                               name=commune_name, successor_code=successor_code)
    if Decision.objects.filter(dossier__commune=commune, dossier__level=level,
                               kind=Decision.Kind.RECOGNITION, number=decision_number).exists():
        raise RuleViolation(_("The recognition of %(commune)s by decision %(number)s is already "
                              "recorded.") % {"commune": commune, "number": decision_number})
    criteria_set = _criteria_set(province=province, level=level, code=criteria_set_code,
                                 on=signed_on)
    batch = historic_batch(actor=actor, province=province, year=signed_on.year)
    if Dossier.objects.filter(commune=commune, level=level, batch=batch).exists():
        raise RuleViolation(_("%(commune)s already has a %(level)s recognition recorded for "
                              "%(year)s.") % {"commune": commune, "level": Level(level).label,
                                              "year": signed_on.year})
    dossier = Dossier(commune=commune, level=level, batch=batch, criteria_set=criteria_set,
                      regulation=_regulation(province=province, on=signed_on),
                      registered_by=actor, status=DossierStatus.RECOGNISED)
    dossier.save()
    decision = Decision(dossier=dossier, kind=Decision.Kind.RECOGNITION, number=decision_number,
                        signed_on=signed_on, signer_name=signer_name,
                        signer_title=signer_title, original_name="", content_type="", size=0,
                        sha256="", uploaded_by=actor)
    decision.save()
    trail.record(actor=actor, agency=agency, action="dossier.import_historic", obj=dossier,
                 after={**trail.snapshot(dossier, DOSSIER_FIELDS),
                        "decision": decision_number, "signed_on": signed_on,
                        "signer": signer_name, "signer_title": signer_title})
    permissions.grant_dossier_rights(actor=actor, dossier=dossier)
    return dossier
