"""People of a province's agencies: accounts, their invitation, their deactivation.

An account is created by the province's coordination office (or an administrator) for a
member of one of its agencies; the person sets their own password from the invitation
e-mail (Django's password-reset token: it stops working once the password is set)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from audit import trail

from .. import permissions
from ..exceptions import NotAllowed, RuleViolation
from ..models import Agency, Membership, Province
from .agencies import agency_add_member

ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "is_staff",
                  "is_superuser")


def _split_name(full_name: str) -> tuple[str, str]:
    """Vietnamese order: family and middle names first; the given name is the last word."""
    words = full_name.split()
    if not words:
        raise RuleViolation(_("Give the person's full name."))
    return " ".join(words[:-1])[:150], words[-1][:150]


def require_people_administrator(actor: Any, person: Any) -> Agency | None:
    """An administrator, or the coordination office of every province ``person`` works in."""
    if actor is not None and actor.is_active and actor.is_superuser:
        return None
    provinces = {m.agency.province for m in
                 Membership.objects.filter(user=person).select_related("agency__province")}
    if not provinces:
        raise NotAllowed(_("Only an administrator may manage an account outside any agency."))
    agency = None
    for province in sorted(provinces, key=lambda p: p.code):
        agency = permissions.require_administrator(actor, province)
    return agency


def invitation_link(person: Any) -> str:
    """The one-time link by which ``person`` sets their password."""
    path = reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
        "token": default_token_generator.make_token(person)})
    return settings.NTM_BASE_URL.rstrip("/") + path


def invitation_send(*, person: Any, agency: Agency) -> None:
    """The invitation e-mail, in Vietnamese (the people it goes to read Vietnamese)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your account for the New Rural Development recognition system")
        body = _(
            "Dear %(name)s,\n\n"
            "An account has been created for you as a member of %(agency)s.\n"
            "Your login name: %(username)s\n\n"
            "Set your password by opening this link (it works once, and for %(days)s days):\n"
            "%(link)s\n\n"
            "If you did not expect this e-mail, tell the coordination office of %(province)s."
        ) % {"name": person.get_full_name() or person.get_username(), "agency": agency,
             "username": person.get_username(), "link": invitation_link(person),
             "days": settings.PASSWORD_RESET_TIMEOUT // 86400, "province": agency.province}
    send_mail(subject, body, None, [person.email])


@transaction.atomic
def person_invite(*, actor: Any, agency: Agency, username: str, full_name: str, email: str,
                  title: str = "", phone: str = "", is_head: bool = False,
                  is_delegate: bool = False) -> Any:
    """Create a person's account as a member of ``agency`` and e-mail them the link to set
    their password (the account has no usable password until then)."""
    acting = permissions.require_administrator(actor, agency.province)
    model = get_user_model()
    problems = []
    if model.objects.filter(username__iexact=username).exists():
        problems.append(_("The login name “%(username)s” is taken.") % {"username": username})
    try:
        validate_email(email)
    except Exception:  # noqa: BLE001 - Django raises ValidationError; the message is ours
        problems.append(_("“%(email)s” is not an e-mail address.") % {"email": email})
    if not full_name.split():
        problems.append(_("Give the person's full name."))
    if not agency.active:
        problems.append(_("%(agency)s is deactivated.") % {"agency": agency})
    if problems:
        raise RuleViolation(problems)
    first, last = _split_name(full_name)
    person = model(username=username, email=email, first_name=first, last_name=last)
    person.set_unusable_password()
    person.full_clean(exclude=["password"])
    person.save()
    trail.record(actor=actor, agency=acting, action="account.create", obj=person,
                 province=agency.province, after=trail.snapshot(person, ACCOUNT_FIELDS))
    agency_add_member(actor=actor, agency=agency, user=person, title=title, phone=phone,
                      is_head=is_head, is_delegate=is_delegate)
    transaction.on_commit(lambda: invitation_send(person=person, agency=agency))
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Any, full_name: str, email: str) -> Any:
    acting = require_people_administrator(actor, person)
    try:
        validate_email(email)
    except Exception as exc:  # noqa: BLE001
        raise RuleViolation(_("“%(email)s” is not an e-mail address.") % {"email": email}) from exc
    person = get_user_model().objects.select_for_update().get(pk=person.pk)
    before = trail.snapshot(person, ACCOUNT_FIELDS)
    person.first_name, person.last_name = _split_name(full_name)
    person.email = email
    person.save()
    after = trail.snapshot(person, ACCOUNT_FIELDS)
    if after != before:
        trail.record(actor=actor, agency=acting, action="account.change", obj=person,
                     province=acting.province if acting else None, before=before, after=after)
    return person


@transaction.atomic
def account_set_active(*, actor: Any, person: Any, active: bool, reason: str) -> Any:
    """Deactivate a person (every right is gone at once: the account is inactive and out of
    its agencies' groups) or reactivate them (back into their active agencies' groups).
    Their open tasks are the caller's concern (``workflow.services.members``)."""
    acting = require_people_administrator(actor, person)
    if not reason.strip():
        raise RuleViolation(_("Say why the account is deactivated or reactivated."))
    if person.pk == getattr(actor, "pk", None) and not active:
        raise RuleViolation(_("You cannot deactivate your own account."))
    person = get_user_model().objects.select_for_update().get(pk=person.pk)
    before = {**trail.snapshot(person, ("is_active",)),
              "groups": sorted(person.groups.values_list("name", flat=True))}
    person.is_active = active
    person.save(update_fields=["is_active"])
    if active:
        person.groups.add(*[a.group for a in
                            Agency.objects.filter(memberships__user=person, active=True)
                            .select_related("group")])
    else:
        person.groups.clear()
    after = {**trail.snapshot(person, ("is_active",)),
             "groups": sorted(person.groups.values_list("name", flat=True))}
    trail.record(actor=actor, agency=acting,
                 action="account.activate" if active else "account.deactivate", obj=person,
                 province=acting.province if acting else None, before=before, after=after, reason=reason)
    return person


@transaction.atomic
def person_find_or_create(*, actor: Any, province: Province, full_name: str, email: str,
                          username: str = "") -> tuple[Any, bool]:
    """The account with ``username`` (or, without one, with this e-mail), created when there
    is none: without a password (the person sets one through the password reset page)."""
    permissions.require_administrator(actor, province)
    try:
        validate_email(email)
    except ValidationError:
        raise RuleViolation(_("“%(email)s” is not an e-mail address.") % {"email": email}) from None
    model = get_user_model()
    if username:
        found = model.objects.filter(username=username).first()
    else:
        matches = list(model.objects.filter(email__iexact=email)[:2])
        if len(matches) > 1:
            raise RuleViolation(_("Several accounts have the e-mail %(email)s: give the username.")
                                % {"email": email})
        found = matches[0] if matches else None
    if found is not None:
        return found, False
    first, last = _split_name(full_name)
    account = model(username=username or email.lower(), email=email,
                    first_name=first, last_name=last)
    account.set_unusable_password()
    account.full_clean(exclude=["password"])
    account.save()
    trail.record(actor=actor, action="user.create", obj=account, province=province,
                 after=trail.snapshot(account, ACCOUNT_FIELDS))
    return account, True
