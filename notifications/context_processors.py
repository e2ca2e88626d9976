from typing import Any

from django.http import HttpRequest


def notifications(request: HttpRequest) -> dict[str, Any]:
    """Unread notifications for the page header (two queries, whatever their number)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    unread = user.notifications.filter(read_at__isnull=True)
    return {"unread_count": unread.count(), "unread_latest": list(unread[:5])}
