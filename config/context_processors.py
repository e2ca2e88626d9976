from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which workspaces the header offers the signed-in person."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from dossiers.models import Agency
    from workflow.selectors import may_review_audit

    kinds = set(Agency.objects.filter(memberships__user=user, active=True).values_list(
        "kind", flat=True))
    return {
        "nav_audit": may_review_audit(user),
        "nav_meetings": bool(kinds & {Agency.Kind.COORDINATION_OFFICE, Agency.Kind.COUNCIL}),
        "nav_delivery": Agency.Kind.COORDINATION_OFFICE in kinds,
        "nav_batches": Agency.Kind.COORDINATION_OFFICE in kinds,
        "nav_appraisals": Agency.Kind.DEPARTMENT in kinds,
    }
