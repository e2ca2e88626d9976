"""People: the accounts of a province's officials, created where a membership needs one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from audit import trail

from .. import permissions
from ..exceptions import RuleViolation
from ..models import Province

USER_FIELDS = ("username", "first_name", "last_name", "email", "is_active")


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
    first, _sep, last = full_name.strip().rpartition(" ")
    account = model(username=username or email.lower(), email=email,
                    first_name=first[:150], last_name=last[:150])
    account.set_unusable_password()
    account.full_clean(exclude=["password"])
    account.save()
    trail.record(actor=actor, action="user.create", obj=account, province=province,
                 after=trail.snapshot(account, USER_FIELDS))
    return account, True
