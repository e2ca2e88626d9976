"""Official administrative units (after the 1 July 2025 reorganisation) from ``vietnam-provinces``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import vietnam_provinces as vp
from django.db import transaction
from django.utils.translation import gettext as _

from audit import trail

from .. import permissions
from ..exceptions import NotAllowed, RuleViolation
from ..models import Commune, District, Province, Village

KINDS = {
    vp.VietNamDivisionType.XA: Commune.Kind.COMMUNE,
    vp.VietNamDivisionType.PHUONG: Commune.Kind.WARD,
    vp.VietNamDivisionType.DAC_KHU: Commune.Kind.SPECIAL_ZONE,
}


@transaction.atomic
def province_import(*, actor: Any, code: int) -> Province:
    """Create or update a province and its communes and wards with their official codes.

    An administrator imports any province; a coordination office refreshes its own."""
    if not (actor is not None and actor.is_active and actor.is_superuser):
        existing = Province.objects.filter(code=f"{code:02d}").first() \
            if isinstance(code, int) and 0 <= code < 100 else None
        if existing is None:
            raise NotAllowed(_("Only an administrator may import administrative units."))
        permissions.require_administrator(actor, existing)
    try:
        source = vp.Province.from_code(vp.ProvinceCode(code))
    except ValueError as exc:
        raise RuleViolation(_("%(code)s is not an official province code.") % {"code": code}) from exc
    province, created = Province.objects.get_or_create(
        code=f"{int(source.code):02d}",
        defaults={"name": source.name, "codename": source.codename})
    changes = {"province": "new" if created else None, "new": 0, "renamed": 0}
    if not created and (province.name, province.codename) != (source.name, source.codename):
        province.name, province.codename = source.name, source.codename
        province.save()
        changes["province"] = "renamed"
    existing = {c.code: c for c in Commune.objects.filter(province=province)}
    for ward in vp.Ward.iter_by_province(source.code):
        code = f"{int(ward.code):05d}"
        kind = KINDS.get(ward.division_type, Commune.Kind.COMMUNE)
        commune = existing.get(code)
        if commune is None:
            Commune.objects.create(province=province, code=code, name=ward.name, kind=kind)
            changes["new"] += 1
        elif (commune.name, commune.kind) != (ward.name, kind):
            commune.name, commune.kind = ward.name, kind
            commune.save()
            changes["renamed"] += 1
    if changes["province"] or changes["new"] or changes["renamed"]:
        trail.record(actor=actor, action="province.import", obj=province, province=province,
                     before=None if created else {"communes": len(existing)},
                     after={"name": province.name, **changes,
                            "data_version": vp.__data_version__})
    return province


CLASSIFICATION_FIELDS = ("group", "group_decided_on", "region", "region_decided_on", "district")


@transaction.atomic
def commune_classify(*, actor: Any, commune: Commune, group: int | None,
                     group_decided_on: dt.date | None, region: str,
                     region_decided_on: dt.date | None, district: District | None = None,
                     reason: str = "") -> Commune:
    """The province's decision on a commune: its group (2026-2030), its region (2021-2025),
    each with the date it was decided, and its historic district (for older dossiers)."""
    agency = permissions.require_administrator(actor, commune.province)
    commune = Commune.objects.select_for_update().get(pk=commune.pk)
    problems = []
    if group is not None and group not in Commune.Group.values:
        problems.append(_("Unknown commune group “%(group)s”.") % {"group": group})
    if group is not None and group_decided_on is None:
        problems.append(_("Give the date the commune's group was decided."))
    if region and region not in Commune.Region.values:
        problems.append(_("Unknown region “%(region)s”.") % {"region": region})
    if region and region_decided_on is None:
        problems.append(_("Give the date the commune's region was decided."))
    if district is not None and district.province_id != commune.province_id:
        problems.append(_("The district belongs to another province."))
    if problems:
        raise RuleViolation(problems)
    before = trail.snapshot(commune, CLASSIFICATION_FIELDS)
    commune.group, commune.group_decided_on = group, group_decided_on if group else None
    commune.region, commune.region_decided_on = region, region_decided_on if region else None
    commune.district = district
    commune.full_clean()
    commune.save()
    after = trail.snapshot(commune, CLASSIFICATION_FIELDS)
    if after != before:
        trail.record(actor=actor, agency=agency, action="commune.classify", obj=commune,
                     province=commune.province, before=before, after=after, reason=reason)
    return commune


@transaction.atomic
def district_record(*, actor: Any, province: Province, code: str, name: str,
                    abolished_on: dt.date | None = dt.date(2025, 7, 1)) -> District:
    """A historic district (huyện, abolished on 1 July 2025), for dossiers of the older variant."""
    agency = permissions.require_administrator(actor, province)
    if District.objects.filter(code=code).exists():
        raise RuleViolation(_("A district with code “%(code)s” already exists.") % {"code": code})
    district = District(province=province, code=code, name=name, abolished_on=abolished_on)
    district.full_clean()
    district.save()
    trail.record(actor=actor, agency=agency, action="district.create", obj=district,
                 province=province, after=trail.snapshot(district, ("code", "name", "abolished_on")))
    return district


@transaction.atomic
def village_set(*, actor: Any, commune: Commune, name: str, households: int) -> Village:
    """A village (thôn, ấp) of the commune with its registered households, created or updated:
    the units of the residents' satisfaction survey."""
    agency = permissions.require_administrator(actor, commune.province)
    name = " ".join(name.split())
    if not name:
        raise RuleViolation(_("Give the village's name."))
    village = Village.objects.select_for_update().filter(commune=commune, name=name).first()
    before = trail.snapshot(village, ("name", "households")) if village else None
    village = village or Village(commune=commune, name=name)
    village.households = households
    village.full_clean()
    village.save()
    after = trail.snapshot(village, ("name", "households"))
    if after != before:
        trail.record(actor=actor, agency=agency, action="village.set", obj=village,
                     province=commune.province, before=before, after=after)
    return village
