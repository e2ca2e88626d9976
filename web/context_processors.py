"""What every page's header needs: the workspaces offered and unread notifications."""

from typing import Any

from django.http import HttpRequest

from dossiers.audit_review import may_review_audit
from dossiers.models import Agency
from reports.access import READER_KINDS, reads_national


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which workspaces the header offers the signed-in person."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    kinds = set(Agency.objects.filter(memberships__user=user, active=True).values_list(
        "kind", flat=True))
    return {
        "nav_audit": may_review_audit(user),
        "nav_meetings": bool(kinds & {Agency.Kind.COORDINATION_OFFICE, Agency.Kind.COUNCIL}),
        "nav_delivery": Agency.Kind.COORDINATION_OFFICE in kinds,
        "nav_batches": Agency.Kind.COORDINATION_OFFICE in kinds,
        "nav_mergers": Agency.Kind.COORDINATION_OFFICE in kinds or user.is_superuser,
        "nav_appraisals": bool(kinds & {Agency.Kind.DEPARTMENT, Agency.Kind.MASS_ORGANISATION}),
        "nav_reports": bool(kinds & set(READER_KINDS)) or reads_national(user),
        "nav_roadmap": Agency.Kind.COORDINATION_OFFICE in kinds,
        "nav_setup": user.is_superuser or Agency.Kind.COORDINATION_OFFICE in kinds,
    }


def notifications(request: HttpRequest) -> dict[str, Any]:
    """Unread notifications for the page header (two queries, whatever their number)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    unread = user.notifications.filter(read_at__isnull=True)
    return {"unread_count": unread.count(), "unread_latest": list(unread[:5])}
