"""A province's reminder policy: when people are reminded of what they owe."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit import trail
from dossiers import permissions
from dossiers.models import Province

from .models import ReminderPolicy

POLICY_FIELDS = ("days_before", "overdue_every_days", "escalate_after_days")


def reminder_policy_of(province: Province) -> ReminderPolicy:
    """The province's policy, or the defaults it runs on until one is saved."""
    return (ReminderPolicy.objects.filter(province=province).first()
            or ReminderPolicy(province=province))


@transaction.atomic
def reminder_policy_set(*, actor: Any, province: Province, days_before: str,
                        overdue_every_days: int, escalate_after_days: int,
                        reason: str = "") -> ReminderPolicy:
    agency = permissions.require_administrator(actor, province)
    policy = (ReminderPolicy.objects.select_for_update().filter(province=province).first()
              or ReminderPolicy(province=province))
    before = trail.snapshot(policy, POLICY_FIELDS) if policy.pk else None
    policy.days_before = days_before
    policy.overdue_every_days = overdue_every_days
    policy.escalate_after_days = escalate_after_days
    policy.full_clean()
    policy.save()
    after = trail.snapshot(policy, POLICY_FIELDS)
    if after != before:
        trail.record(actor=actor, agency=agency, action="reminder_policy.set", obj=policy,
                     province=province, before=before, after=after, reason=reason)
    return policy
