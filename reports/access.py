"""Who reads which report: a province's coordination office, People's Committee and
inspection read their province's figures and open the dossiers they may see; the central
coordination office of the programme (and a system administrator) reads every province's
figures, and no dossier beyond them."""

from __future__ import annotations

from typing import Any

from dossiers.models import Agency, Dossier, Province
from dossiers.selectors import visible_dossiers
from dossiers.services.roadmap import can_read_national

K = Agency.Kind
READER_KINDS = (K.COORDINATION_OFFICE, K.PROVINCIAL_COMMITTEE, K.AUDIT)


def reads_national(user: Any) -> bool:
    return can_read_national(user) or bool(user.is_active and user.is_superuser)


def own_provinces(user: Any) -> list[Province]:
    """The provinces whose report ``user`` reads as one of the province's own agencies."""
    return list(Province.objects.filter(pk__in=Agency.objects.filter(
        memberships__user=user, active=True, kind__in=READER_KINDS).values("province")
    ).order_by("code"))


def readable_provinces(user: Any) -> list[Province]:
    if not (user and user.is_authenticated and user.is_active):
        return []
    if reads_national(user):
        return list(Province.objects.order_by("code"))
    return own_provinces(user)


def dossiers_behind(user: Any, ids: frozenset[int]) -> list[Dossier]:
    """The dossiers behind a figure that ``user`` may open (none for the central office)."""
    return list(visible_dossiers(user).filter(pk__in=ids).select_related(
        "commune", "batch").order_by("commune__name", "pk"))
