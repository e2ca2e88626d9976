"""Sign-ins and sign-outs go into the audit trail.

Failed sign-ins do not: anyone on the network can cause them, and every event of the
chained trail is appended under its chain's lock (the user's province's, or the national
chain's), so guessing passwords would queue up behind, and slow down, real work. django-axes keeps them instead (its access failure
log and attempts, in the admin), and refuses a username or an address after too many."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
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
