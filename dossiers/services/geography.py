"""Official administrative units (after the 1 July 2025 reorganisation) from ``vietnam-provinces``."""

from __future__ import annotations

from typing import Any

import vietnam_provinces as vp
from django.db import transaction
from django.utils.translation import gettext as _

from workflow import audit

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
    province, created = Province.objects.update_or_create(
        code=f"{int(source.code):02d}",
        defaults={"name": source.name, "codename": source.codename})
    counts = {"new": 0, "updated": 0}
    for ward in vp.Ward.iter_by_province(source.code):
        _commune, new = Commune.objects.update_or_create(
            code=f"{int(ward.code):05d}",
            defaults={"province": province, "name": ward.name,
                      "kind": KINDS.get(ward.division_type, Commune.Kind.COMMUNE)})
        counts["new" if new else "updated"] += 1
    audit.record(actor=actor, action="province.import", obj=province, province=province,
                 after={"name": province.name, "communes": counts,
                        "data_version": vp.__data_version__})
    return province
