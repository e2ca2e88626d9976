"""Reads of the audit trail, always within what the reader may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from audit.models import AuditEvent

from .exceptions import NotAllowed
from .models import Agency, Dossier

REVIEWERS = (Agency.Kind.AUDIT, Agency.Kind.COORDINATION_OFFICE)


def audit_provinces(user: Any) -> QuerySet | None:
    """Provinces whose trail ``user`` may review; ``None`` means every province."""
    if user.is_active and user.is_superuser:
        return None
    return Agency.objects.filter(memberships__user=user, kind__in=REVIEWERS,
                                 active=True).values("province")


def may_review_audit(user: Any) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    provinces = audit_provinces(user)
    return provinces is None or provinces.exists()


def audit_events_for(user: Any) -> QuerySet[AuditEvent]:
    """Every event the reviewer may see: those of their own province(s)."""
    if not may_review_audit(user):
        raise NotAllowed(_("Only auditors and the coordination office review the audit trail."))
    events = AuditEvent.objects.select_related("actor")
    provinces = audit_provinces(user)
    if provinces is not None:
        events = events.filter(province_id__in=provinces)
    return events.order_by("id")


def audit_events_filter(events: QuerySet[AuditEvent], *, dossier: int | None = None,
                        commune: Any = None, agency: Any = None, actor: str = "",
                        action: str = "", date_from: dt.date | None = None,
                        date_to: dt.date | None = None) -> QuerySet[AuditEvent]:
    if dossier:
        events = events.filter(dossier_id=dossier)
    if commune is not None:
        events = events.filter(dossier_id__in=Dossier.objects.filter(commune=commune).values("pk"))
    if agency is not None:
        events = events.filter(agency_id=agency.pk)
    if actor:
        events = events.filter(actor_name__iexact=actor.strip())
    if action:
        events = events.filter(action=action)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events


def dossier_story(user: Any, dossier: Dossier) -> QuerySet[AuditEvent]:
    """A dossier's full story, in order, for whoever may read its trail."""
    if not (user.is_active and (user.is_superuser
                                or user.has_perm("dossiers.audit_dossier", dossier))):
        raise NotAllowed(_("You may not read this dossier's audit trail."))
    return AuditEvent.objects.filter(dossier_id=dossier.pk).select_related("actor").order_by("id")
