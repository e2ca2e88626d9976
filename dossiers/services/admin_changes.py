"""Changes made in the Django admin: the admin writes only through these services, which
refuse what the rules forbid and audit every change (inline rows included) with what was
before and what is after, in the admin's own transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from audit import trail

from ..exceptions import NotAllowed, RuleViolation
from ..models import CriteriaSet, Criterion, Dossier, Indicator, Threshold

# Never copied into the trail.
SECRET_FIELDS = {"password"}


def editable_fields(obj: models.Model) -> list[str]:
    return [f.name for f in obj._meta.concrete_fields
            if f.name != "id" and f.name not in SECRET_FIELDS]


def criteria_set_of(obj: models.Model) -> CriteriaSet | None:
    """The criteria set a catalogue row belongs to (None for anything else)."""
    if isinstance(obj, CriteriaSet):
        return obj
    if isinstance(obj, Criterion):
        return obj.criteria_set if obj.criteria_set_id else None
    if isinstance(obj, Indicator):
        return obj.criterion.criteria_set if obj.criterion_id else None
    if isinstance(obj, Threshold):
        return criteria_set_of(obj.indicator) if obj.indicator_id else None
    return None


def catalogue_in_use(obj: models.Model) -> bool:
    """Is ``obj`` part of a criteria set that a dossier already uses? Such a set is law for
    its dossiers: it is never edited in place."""
    criteria_set = criteria_set_of(obj)
    return criteria_set is not None and criteria_set.pk is not None and \
        Dossier.objects.filter(criteria_set_id=criteria_set.pk).exists()


def _require_staff(actor: Any) -> None:
    if actor is None or not actor.is_active or not actor.is_staff:
        raise NotAllowed(_("Only an administrator may change this in the administration."))


def _refuse_catalogue_in_use(obj: models.Model) -> None:
    stored = type(obj).objects.filter(pk=obj.pk).first() if obj.pk else None
    for row in (stored, obj):
        if row is not None and catalogue_in_use(row):
            raise RuleViolation(_("Dossiers already use the criteria set “%(set)s”: it cannot be "
                                  "edited in place. Publish a new version of the set instead.")
                                % {"set": criteria_set_of(row)})


@transaction.atomic
def admin_save(*, actor: Any, obj: models.Model, save: Callable[[], Any], reason: str = "",
               extra_before: dict[str, Any] | None = None,
               extra_after: Callable[[], dict[str, Any]] | None = None) -> None:
    """Save ``obj`` (``save()`` does it, the admin's own way) and audit it: ``admin.add`` or
    ``admin.change`` with every field before and after (``extra_*``: many-to-many fields)."""
    _require_staff(actor)
    _refuse_catalogue_in_use(obj)
    old = type(obj).objects.filter(pk=obj.pk).first() if obj.pk else None
    before = {**trail.snapshot(old, editable_fields(old)), **(extra_before or {})} \
        if old is not None else None
    save()
    after = {**trail.snapshot(obj, editable_fields(obj)), **(extra_after() if extra_after else {})}
    if after != before:
        trail.record(actor=actor, action="admin.change" if old is not None else "admin.add",
                     obj=obj, before=before, after=after, reason=reason)


@transaction.atomic
def admin_delete(*, actor: Any, obj: models.Model, delete: Callable[[], Any]) -> None:
    _require_staff(actor)
    _refuse_catalogue_in_use(obj)
    trail.record(actor=actor, action="admin.delete", obj=obj,
                 before=trail.snapshot(obj, editable_fields(obj)))
    delete()


def m2m_names(obj: models.Model, fields: Iterable[str]) -> dict[str, list[str]]:
    """Many-to-many fields by the names of their rows (groups, permissions), sorted."""
    return {name: sorted(str(row) for row in getattr(obj, name).all()) for name in fields}


@transaction.atomic
def admin_password_set(*, actor: Any, person: Any) -> None:
    """Record that an administrator set ``person``'s password (never the password)."""
    _require_staff(actor)
    trail.record(actor=actor, action="admin.password_set", obj=person,
                 before={"password": "…"}, after={"password": "changed"})  # a marker, never the password
