"""Nobody learns what is not theirs to see (issue 12 item 8): a dossier the caller may not
read, and any object of a province the caller has no agency in, is answered exactly like an
absent one (404), in the pages and in the API, for the object of a path and for the objects
an input names. An action refused on what the caller may see still says why (403)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404

from dossiers.models import Agency, Dossier


def own_provinces(user: Any) -> QuerySet:
    """The provinces in which ``user`` belongs to an agency (ids, as a subquery)."""
    return Agency.objects.filter(memberships__user=user).values("province")


def in_own_provinces(user: Any, rows: QuerySet, *, province_field: str = "province") -> QuerySet:
    """``rows`` of the caller's provinces only (every row for a superuser)."""
    if user.is_superuser:
        return rows
    return rows.filter(**{f"{province_field}__in": own_provinces(user)})


def hide_unless_own_province(user: Any, obj: Model, province_id: int) -> None:
    """404, as for an absent object, unless ``obj`` is in one of the caller's provinces."""
    if user.is_superuser:
        return
    if not own_provinces(user).filter(province=province_id).exists():
        raise Http404(f"No {type(obj)._meta.object_name} matches the given query.")


def hide_unless_readable(user: Any, dossier: Dossier) -> None:
    """404, as for an absent dossier, unless ``user`` may read ``dossier``."""
    if not user.has_perm("dossiers.view_dossier", dossier):
        raise Http404("No Dossier matches the given query.")
