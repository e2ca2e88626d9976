"""The reminder sweep and the delivery of its e-mails.

Every reminder is recorded (unique per recipient, task and reminder point) in the same
transaction that creates the e-mail carrying it, before anything is sent. Delivery marks
the e-mail ``sending`` before it calls the provider and ``sent`` after, so two sweeps,
a concurrent sweep or a retry never remind anybody of the same thing twice."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit import trail
from dossiers import permissions
from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.models import Agency, Membership, Province, Step

from .deadlines import (
    BATCH_SIZE,
    OPEN,
    TaskDeadline,
    legal_limits,
    open_task_deadline_batches,
    open_task_deadlines,
)
from .models import (
    BouncedAddress,
    CalendarFeed,
    Notification,
    Reminder,
    ReminderEmail,
    ReminderPolicy,
)

log = logging.getLogger(__name__)
K = Agency.Kind


class DeliveryError(Exception):
    pass


@dataclass(frozen=True)
class Planned:
    """One reminder point of one task that one person is to be told about."""

    recipient: Any
    deadline: TaskDeadline
    point: str
    kind: str


def _policy(province_id: int, cache: dict) -> ReminderPolicy:
    if province_id not in cache:
        cache[province_id] = (ReminderPolicy.objects.filter(province_id=province_id).first()
                              or ReminderPolicy(province_id=province_id))
    return cache[province_id]


def reminder_point(today: dt.date, due: dt.date, policy: ReminderPolicy) -> tuple[str, str] | None:
    """The latest reminder point reached on ``today`` (a missed sweep catches up once)."""
    days_left = (due - today).days
    if days_left >= 0:
        reached = [n for n in policy.points_before if n >= days_left]
        if not reached:
            return None
        n = min(reached)
        return ("due", Reminder.Kind.DUE) if n == 0 else (f"before:{n}", Reminder.Kind.BEFORE)
    overdue = -days_left
    index = (overdue - 1) // max(policy.overdue_every_days, 1)
    return f"overdue:{index}", Reminder.Kind.OVERDUE


class _Directory:
    """What the sweep knows of people across batches: each agency's active members, each
    province's coordination office and reminder policy, read once for each new one (so per
    batch a fixed number of queries, and memory bounded by the agencies, not the tasks)."""

    def __init__(self) -> None:
        self.members: dict[int, list[Any]] = {}
        self.coordination: dict[int, int] = {}
        self.policies: dict[int, ReminderPolicy] = {}
        self.legal_seen: set[int] = set()

    def load(self, deadlines: list[TaskDeadline]) -> None:
        provinces = {d.dossier.commune.province_id for d in deadlines} - set(self.coordination)
        if provinces:
            self.coordination.update({p: 0 for p in provinces})
            self.coordination.update({a.province_id: a.pk for a in Agency.objects.filter(
                province_id__in=provinces, kind=K.COORDINATION_OFFICE, active=True)
                .order_by("-pk")})
            self.policies.update({p.province_id: p for p in ReminderPolicy.objects.filter(
                province_id__in=provinces)})
        agencies = ({d.agency.pk for d in deadlines if d.agency}
                    | set(self.coordination.values())) - set(self.members) - {0}
        if agencies:
            for pk in agencies:
                self.members[pk] = []
            for membership in Membership.objects.filter(
                    agency_id__in=agencies, user__is_active=True).select_related("user") \
                    .order_by("pk"):
                self.members[membership.agency_id].append(membership)

    def policy(self, province_id: int) -> ReminderPolicy:
        return _policy(province_id, self.policies)

    def people(self, agency_id: int | None) -> list[Any]:
        return self.members.get(agency_id or 0, [])


def plan(*, now: dt.datetime) -> list[Planned]:
    """Who is to be reminded of what at ``now`` (every batch of ``plan_batches``)."""
    return [item for batch in plan_batches(now=now) for item in batch]


def plan_batches(*, now: dt.datetime, batch_size: int = BATCH_SIZE) -> Iterator[list[Planned]]:
    """Who is to be reminded of what at ``now``, one batch of open tasks at a time: a fixed
    number of queries per batch, memory that of one batch."""
    today = timezone.localdate(now)
    directory = _Directory()
    for every in open_task_deadline_batches(keep_undated=True, batch_size=batch_size):
        directory.load(every)
        planned = _task_reminders(every, today=today, directory=directory)
        planned += _legal_limit_reminders(every, today=today, directory=directory)
        yield [p for p in planned if p.recipient.email]


def _task_reminders(every: list[TaskDeadline], *, today: dt.date,
                    directory: _Directory) -> list[Planned]:
    planned: list[Planned] = []
    for deadline in every:
        if deadline.due_on is None:
            continue
        province_id = deadline.dossier.commune.province_id
        policy = directory.policy(province_id)
        point = reminder_point(today, deadline.due_on, policy)
        if point is None:
            continue
        task = deadline.task
        owners = [task.owner] if task.owner_id else [
            m.user for m in directory.people(deadline.agency.pk if deadline.agency else None)]
        for user in owners:
            planned.append(Planned(user, deadline, point[0], point[1]))
        overdue = (today - deadline.due_on).days
        if overdue >= policy.escalate_after_days:
            escalate_to = {m.user for m in directory.people(directory.coordination.get(
                province_id))}
            if deadline.agency:
                escalate_to |= {m.user for m in directory.people(deadline.agency.pk)
                                if m.is_head}
            for user in sorted(escalate_to, key=lambda u: u.pk):
                planned.append(Planned(user, deadline, "escalation", Reminder.Kind.ESCALATION))
    return planned


def _legal_limit_reminders(every: list[TaskDeadline], *, today: dt.date,
                           directory: _Directory) -> list[Planned]:
    """The coordination office is told of each dossier past the province's legal time limit,
    at the policy's overdue rhythm, once per point and dossier (whichever task is open: the
    first one streamed, the lowest primary key)."""
    first: dict[int, TaskDeadline] = {}
    for deadline in every:  # in the order of the tasks' primary keys
        if deadline.step and deadline.dossier.pk not in directory.legal_seen:
            first.setdefault(deadline.dossier.pk, deadline)
    directory.legal_seen |= set(first)
    limits = legal_limits([d.dossier for d in first.values()], today=today)
    late = {pk: limit for pk, limit in limits.items() if limit.late}
    if not late:
        return []
    told = set(Reminder.objects.filter(kind=Reminder.Kind.LEGAL_LIMIT, dossier_id__in=late)
               .values_list("recipient_id", "dossier_id", "point"))
    planned = []
    for pk, limit in sorted(late.items()):
        deadline = first[pk]
        province_id = deadline.dossier.commune.province_id
        policy = directory.policy(province_id)
        point = f"legal:{(limit.days_late - 1) // max(policy.overdue_every_days, 1)}"
        legal = TaskDeadline(deadline.task, deadline.dossier, deadline.step, limit.due_on,
                             deadline.agency)
        for membership in directory.people(directory.coordination.get(province_id)):
            if (membership.user.pk, pk, point) not in told:
                planned.append(Planned(membership.user, legal, point,
                                       Reminder.Kind.LEGAL_LIMIT))
    return planned


@dataclass
class SweepResult:
    planned: list[Planned]
    emails: list[int]
    count: int = 0  # reminders planned (also when ``planned`` is not kept)


# An in-app notification lists at most this many items (then how many more).
NOTIFICATION_LINES = 30


@dataclass
class _Summary:
    """One person's in-app notification of a sweep, built up batch by batch."""

    first_dossier: int
    count: int = 0
    overdue: int = 0
    lines: list[str] = field(default_factory=list)


def sweep(*, now: dt.datetime | None = None, dry_run: bool = False, keep_planned: bool = True,
          on_planned: Callable[[Planned], None] | None = None,
          batch_size: int = BATCH_SIZE) -> SweepResult:
    """Record this sweep's reminders and one e-mail per person; returns the e-mails to send.

    Streamed (``plan_batches``): each batch is recorded in its own transaction with a fixed
    number of statements (the reminders already recorded, the new e-mails, the new
    reminders); the in-app notifications are written at the end, in bulk. ``keep_planned``
    off (the nightly task, the command), memory stays that of one batch plus one small
    summary per person reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    planned: list[Planned] = []
    emails: dict[int, ReminderEmail] = {}
    summaries: dict[int, _Summary] = {}
    count = 0
    for batch in plan_batches(now=now, batch_size=batch_size):
        count += len(batch)
        if keep_planned:
            planned += batch
        if on_planned is not None:
            for item in batch:
                on_planned(item)
        if not dry_run and batch:
            _record_batch(batch, now=now, today=today, emails=emails, summaries=summaries)
    if summaries:
        with translation.override(settings.LANGUAGE_CODE):
            notifications = [_notification(pk, summary) for pk, summary in summaries.items()]
        Notification.objects.bulk_create(notifications, batch_size=batch_size)
    return SweepResult(planned, [email.pk for email in emails.values()], count)


def _record_batch(batch: list[Planned], *, now: dt.datetime, today: dt.date,
                  emails: dict[int, ReminderEmail], summaries: dict[int, _Summary]) -> None:
    with transaction.atomic():
        # The reminders of these tasks already recorded (by an earlier or concurrent sweep):
        # never twice. One query through the unique (recipient, task, point) index's table.
        told = set(Reminder.objects.filter(
            task_id__in={item.deadline.task.pk for item in batch}).values_list(
            "recipient_id", "task_id", "point"))
        new: list[Planned] = []
        for item in batch:
            key = (item.recipient.pk, item.deadline.task.pk, item.point)
            if key not in told:
                told.add(key)
                new.append(item)
        fresh = {}
        for item in new:
            if item.recipient.pk not in emails and item.recipient.pk not in fresh:
                fresh[item.recipient.pk] = ReminderEmail(
                    recipient=item.recipient, to_address=item.recipient.email, sweep_at=now,
                    province_id=item.deadline.dossier.commune.province_id)
        ReminderEmail.objects.bulk_create(list(fresh.values()))
        emails.update(fresh)
        # ``ignore_conflicts``: a concurrent sweep that recorded the same point meanwhile
        # wins; the unique key keeps it to one row.
        Reminder.objects.bulk_create([
            Reminder(recipient=item.recipient, task=item.deadline.task, point=item.point,
                     kind=item.kind, dossier=item.deadline.dossier, step=item.deadline.step,
                     due_on=item.deadline.due_on, email=emails[item.recipient.pk])
            for item in new], ignore_conflicts=True)
    for item in new:
        summary = summaries.setdefault(item.recipient.pk, _Summary(item.deadline.dossier.pk))
        summary.count += 1
        summary.overdue += item.deadline.due_on < today
        if len(summary.lines) < NOTIFICATION_LINES:
            summary.lines.append(f"{item.deadline.step}\t{item.deadline.dossier}\t"
                                 f"{item.deadline.due_on:%d/%m/%Y}")


def _notification(person_pk: int, summary: _Summary) -> Notification:
    title = ngettext("%(n)s item due", "%(n)s items due", summary.count) % {"n": summary.count}
    if summary.overdue:
        title += " — " + ngettext("%(n)s overdue", "%(n)s overdue", summary.overdue) % {
            "n": summary.overdue}
    lines = []
    for line in summary.lines:
        step, dossier, due = line.split("\t")
        lines.append(f"{Step(step).label}: {dossier} ({due})")
    if summary.count > len(summary.lines):
        lines.append(_("… and %(n)s more") % {"n": summary.count - len(summary.lines)})
    return Notification(user_id=person_pk, title=title, body="\n".join(lines),
                        url=reverse("dossier", args=[summary.first_dossier]))


def _open_reminders(email: ReminderEmail) -> list[Reminder]:
    return [r for r in email.reminders.select_related(
        "task", "dossier__commune", "dossier__batch").order_by("due_on", "pk")
        if r.task.status in OPEN]


def render_email(email: ReminderEmail, reminders: list[Reminder]) -> tuple[str, str, str]:
    base = settings.NTM_BASE_URL.rstrip("/")
    today = timezone.localdate(email.sweep_at)
    items = [{
        "dossier": r.dossier, "step": Step(r.step).label, "due_on": r.due_on,
        "days": (r.due_on - today).days, "overdue": (today - r.due_on).days,
        "escalation": r.kind == Reminder.Kind.ESCALATION,
        "legal_limit": r.kind == Reminder.Kind.LEGAL_LIMIT,
        "url": base + reverse("dossier", args=[r.dossier_id]),
    } for r in reminders]
    with translation.override(settings.LANGUAGE_CODE):
        overdue = sum(1 for i in items if i["overdue"] > 0)
        subject = ngettext("[NTM] %(n)s item due", "[NTM] %(n)s items due", len(items)) % {
            "n": len(items)}
        if overdue:
            subject += ", " + ngettext("%(n)s overdue", "%(n)s overdue", overdue) % {"n": overdue}
        context = {"recipient": email.recipient, "items": items, "today": today,
                   "inbox_url": base + reverse("home")}
        text = render_to_string("notifications/reminder_email.txt", context)
        html = render_to_string("notifications/reminder_email.html", context)
    return subject, text, html


def deliver(email_id: int) -> str:
    """Send one reminder e-mail; returns its status. Raises DeliveryError on a provider error."""
    with transaction.atomic():
        email = ReminderEmail.objects.select_for_update().select_related("recipient").get(
            pk=email_id)
        if email.status in (ReminderEmail.Status.SENT, ReminderEmail.Status.CANCELLED,
                            ReminderEmail.Status.FAILED):
            return email.status
        reminders = _open_reminders(email)
        if not reminders:  # every task was completed meanwhile: nothing to remind
            email.status = ReminderEmail.Status.CANCELLED
            email.save(update_fields=["status"])
            return email.status
        email.status = ReminderEmail.Status.SENDING
        email.attempts += 1
        email.save(update_fields=["status", "attempts"])
    subject, text, html = render_email(email, reminders)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL,
                                     [email.to_address],
                                     headers={"Message-ID": f"<reminder-{email.pk}@ntm.local>"})
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - any provider failure is retried, then recorded
        with transaction.atomic():
            ReminderEmail.objects.filter(pk=email.pk).update(
                status=ReminderEmail.Status.PENDING, last_error=str(exc)[:2000])
        raise DeliveryError(str(exc)) from exc
    status = getattr(message, "anymail_status", None)
    message_id = (getattr(status, "message_id", None) or f"reminder-{email.pk}@ntm.local")
    with transaction.atomic():
        ReminderEmail.objects.filter(pk=email.pk).update(
            status=ReminderEmail.Status.SENT, sent_at=timezone.now(), subject=subject,
            message_id=str(message_id)[:200], last_error="")
    return ReminderEmail.Status.SENT


def mark_failed(email_id: int, error: str) -> None:
    """After the last retry: the e-mail is failed and the coordination office is told."""
    with transaction.atomic():
        email = ReminderEmail.objects.select_for_update().get(pk=email_id)
        if email.status == ReminderEmail.Status.SENT:
            return
        email.status = ReminderEmail.Status.FAILED
        email.last_error = error[:2000]
        email.save(update_fields=["status", "last_error"])
        _tell_coordination(email.province_id,
                           _("A reminder to %(address)s could not be sent") % {
                               "address": email.to_address}, error)


def _tell_coordination(province_id: int, title: str, body: str) -> None:
    users = get_user_model().objects.filter(
        memberships__agency__province_id=province_id, is_active=True,
        memberships__agency__kind=K.COORDINATION_OFFICE).distinct()
    Notification.objects.bulk_create([
        Notification(user=u, title=title[:300], body=body, url=reverse("notifications:delivery"))
        for u in users])


BAD_EVENTS = {"bounced", "complained", "rejected", "failed"}


def tracking_record(*, message_id: str, event_type: str, recipient: str,
                    timestamp: dt.datetime | None, description: str = "") -> ReminderEmail | None:
    """A delivery event from the provider (through anymail's signed tracking webhook)."""
    with transaction.atomic():
        email = ReminderEmail.objects.select_for_update().filter(message_id=message_id).first()
        if email is None:
            return None
        email.delivery_status = event_type
        email.delivery_events = [*email.delivery_events, {
            "event": event_type, "recipient": recipient, "description": description[:500],
            "at": (timestamp or timezone.now()).isoformat()}]
        email.save(update_fields=["delivery_status", "delivery_events"])
        if event_type in BAD_EVENTS:
            BouncedAddress.objects.update_or_create(
                address=(recipient or email.to_address).lower(),
                defaults={"event": event_type, "reason": description[:300],
                          "at": timestamp or timezone.now()})
            _tell_coordination(email.province_id,
                               _("Reminders to %(address)s do not arrive (%(event)s)") % {
                                   "address": recipient or email.to_address, "event": event_type},
                               description)
    return email


# --- calendar feeds and in-app notifications ---------------------------------------------
@transaction.atomic
def calendar_feed_create(*, actor: Any, agency: Agency | None = None) -> CalendarFeed:
    if agency is not None:
        permissions.require_member(actor, agency)
    elif not actor.is_authenticated:
        raise NotAllowed(_("You must be signed in."))
    feed = CalendarFeed.objects.create(user=None if agency else actor, agency=agency,
                                       created_by=actor)
    trail.record(actor=actor, agency=agency, action="calendar.create", obj=feed,
                 province=agency.province if agency else None,
                 after={"for": str(agency or actor)})
    return feed


@transaction.atomic
def calendar_feed_revoke(*, actor: Any, feed: CalendarFeed) -> CalendarFeed:
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    if feed.user_id and feed.user_id != actor.pk:
        raise NotAllowed(_("This calendar is someone else's."))
    if feed.agency_id:
        permissions.require_member(actor, feed.agency)
    if feed.revoked_at:
        raise RuleViolation(_("This calendar link is already revoked."))
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    trail.record(actor=actor, agency=feed.agency, action="calendar.revoke", obj=feed,
                 province=feed.agency.province if feed.agency else None,
                 before={"revoked": False}, after={"revoked": True})
    return feed


def feed_deadlines(feed: CalendarFeed) -> list[TaskDeadline]:
    deadlines = open_task_deadlines()
    if feed.agency_id:
        return [d for d in deadlines if d.agency and d.agency.pk == feed.agency_id]
    user = feed.user
    agency_ids = set(Membership.objects.filter(user=user).values_list("agency_id", flat=True))
    return [d for d in deadlines
            if d.task.owner_id == user.pk
            or (not d.task.owner_id and d.agency and d.agency.pk in agency_ids)]


def notifications_mark_read(*, user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now())


def province_of_coordinator(user: Any) -> Province:
    agency = permissions.acting_agency(user, kind=K.COORDINATION_OFFICE)
    if agency is None:
        raise NotAllowed(_("Only the coordination office sees deliveries."))
    return agency.province
