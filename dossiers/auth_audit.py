"""Logins, logouts and failed logins go into the audit trail."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from audit import trail


def _agency_of(user: Any) -> Any:
    from dossiers.models import Agency

    if user is None or not getattr(user, "pk", None):
        return None
    return Agency.objects.filter(memberships__user=user).order_by("pk").first()


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        trail.record(actor=user, agency=_agency_of(user), action="auth.login", obj=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    with transaction.atomic():
        trail.record(actor=user, agency=_agency_of(user), action="auth.logout", obj=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    known = get_user_model().objects.filter(username=username).first()
    with transaction.atomic():
        trail.record(actor=None, agency=_agency_of(known), action="auth.login_failed", obj=None,
                     object_type="auth.user", object_id=str(known.pk) if known else "",
                     object_repr=username or "?",
                     after={"username": username, "known_user": known is not None})
