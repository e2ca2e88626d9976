"""Deadlines and reminders: the policy, every reminder sent (before it is sent), the e-mail
that carries a person's reminders of one sweep, in-app notifications, calendar feeds."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def parse_days(value: str) -> list[int]:
    try:
        days = sorted({int(part) for part in str(value).replace(";", ",").split(",")
                       if part.strip()}, reverse=True)
    except ValueError as exc:
        raise ValidationError(_("Write whole numbers of days separated by commas, e.g. 7,3,1,0."),
                              ) from exc
    if not days or any(d < 0 or d > 90 for d in days):
        raise ValidationError(_("Days before the due date must be between 0 and 90."))
    return days


def validate_days(value: str) -> None:
    parse_days(value)


class ReminderPolicy(models.Model):
    """When a province reminds people of what they owe (editable in the admin)."""

    province = models.OneToOneField("dossiers.Province", models.CASCADE,
                                    related_name="reminder_policy", verbose_name=_("province"))
    days_before = models.CharField(
        _("remind this many days before the due date"), max_length=60, default="7,3,1,0",
        validators=[validate_days], help_text=_("0 means on the day itself."))
    overdue_every_days = models.PositiveSmallIntegerField(
        _("while overdue, remind every (days)"), default=2)
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate after this many days overdue"), default=3,
        help_text=_("To the coordination office and the head of the late agency."))

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policies")

    def __str__(self) -> str:
        return str(self.province)

    def clean(self) -> None:
        if self.overdue_every_days < 1:
            raise ValidationError({"overdue_every_days": _("Remind at least every day.")})

    @property
    def points_before(self) -> list[int]:
        return parse_days(self.days_before)


class DayOff(models.Model):
    """A day off decided on top of the statutory holidays (or a weekend made a working day)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    working = models.BooleanField(
        _("working day"), default=False,
        help_text=_("Tick for a Saturday or Sunday worked in exchange for a day off."))

    class Meta:
        ordering = ["date"]
        verbose_name = _("day off or swapped working day")
        verbose_name_plural = _("days off and swapped working days")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class ReminderEmail(models.Model):
    """One person's e-mail of one sweep, listing all their items that are due."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("not needed any more")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+",
                                  verbose_name=_("recipient"))
    province = models.ForeignKey("dossiers.Province", models.CASCADE, related_name="+",
                                 verbose_name=_("province"))
    to_address = models.EmailField(_("address"))
    sweep_at = models.DateTimeField(_("sweep time"))
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    message_id = models.CharField(_("provider message id"), max_length=200, blank=True,
                                  db_index=True)
    delivery_status = models.CharField(_("delivery"), max_length=20, blank=True)
    delivery_events = models.JSONField(_("delivery events"), default=list, blank=True)

    class Meta:
        ordering = ["-sweep_at", "recipient"]
        verbose_name = _("reminder e-mail")
        verbose_name_plural = _("reminder e-mails")

    def __str__(self) -> str:
        return f"{self.to_address} {self.sweep_at:%d/%m/%Y}"


class Reminder(models.Model):
    """One reminder point of one task for one person, recorded before anything is sent.

    The unique key (recipient, task, point) makes a second sweep, a concurrent sweep or
    a retry unable to remind anybody of the same thing twice."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("before the due date")
        DUE = "due", _("due today")
        OVERDUE = "overdue", _("overdue")
        ESCALATION = "escalation", _("escalation")
        LEGAL_LIMIT = "legal_limit", _("the province's legal time limit has passed")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+",
                                  verbose_name=_("recipient"))
    task = models.ForeignKey("viewflow.Task", models.CASCADE, related_name="+",
                             verbose_name=_("task"))
    point = models.CharField(_("reminder point"), max_length=40)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    dossier = models.ForeignKey("dossiers.Dossier", models.CASCADE, related_name="reminders",
                                verbose_name=_("dossier"))
    step = models.CharField(_("step"), max_length=32)
    due_on = models.DateField(_("due on"))
    email = models.ForeignKey(ReminderEmail, models.CASCADE, related_name="reminders",
                              verbose_name=_("e-mail"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "task", "point"],
                                    name="reminder_once_per_point"),
        ]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"{self.recipient} {self.point} {self.due_on:%d/%m/%Y}"


class BouncedAddress(models.Model):
    address = models.EmailField(_("address"), unique=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    event = models.CharField(_("event"), max_length=20)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("bounced address")
        verbose_name_plural = _("bounced addresses")

    def __str__(self) -> str:
        return self.address


class Notification(models.Model):
    """What a person sees in the page header."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE,
                             related_name="notifications", verbose_name=_("user"))
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    event = models.CharField(_("event"), max_length=64, blank=True,
                             help_text=_("The audit action that caused it (empty: a reminder)."))
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How a person wants to be told of the events that concern them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE,
                                related_name="notification_preference", verbose_name=_("user"))
    email_on_events = models.BooleanField(
        _("e-mail me about events"), default=True,
        help_text=_("Besides the notification in the application: a criterion returned, a "
                    "dossier deferred or refused, a vote opened, a decision signed."))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private iCalendar feed of a person's or an agency's due dates (revocable)."""

    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True,
                             related_name="calendar_feeds", verbose_name=_("user"))
    agency = models.ForeignKey("dossiers.Agency", models.CASCADE, null=True, blank=True,
                               related_name="calendar_feeds", verbose_name=_("agency"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False, agency__isnull=True)
                           | models.Q(user__isnull=True, agency__isnull=False)),
                name="calendar_feed_user_or_agency"),
        ]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user or self.agency)
