"""Official administrative units (after the 1 July 2025 reorganisation) from ``vietnam-provinces``."""

from __future__ import annotations

from typing import Any

import vietnam_provinces as vp
from django.db import transaction
from django.utils.translation import gettext as _

from audit import trail

from ..exceptions import NotAllowed, RuleViolation
from ..models import Commune, Province

KINDS = {
    vp.VietNamDivisionType.XA: Commune.Kind.COMMUNE,
    vp.VietNamDivisionType.PHUONG: Commune.Kind.WARD,
    vp.VietNamDivisionType.DAC_KHU: Commune.Kind.SPECIAL_ZONE,
}


@transaction.atomic
def province_import(*, actor: Any, code: int) -> Province:
    """Create or update a province and its communes and wards with their official codes."""
    if actor is None or not actor.is_superuser:
        raise NotAllowed(_("Only an administrator may import administrative units."))
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
                     after={"name": province.name, **changes,
                            "data_version": vp.__data_version__})
    return province
