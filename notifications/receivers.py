"""Signals the notifications listen to: anymail's delivery events, and every new audit event
(the events the steps record), handed to ``events.event_notify``."""

from typing import Any

from anymail.signals import tracking
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from audit.models import AuditEvent

from . import events, services, tasks


@receiver(tracking, dispatch_uid="reminder_tracking")
def reminder_tracking(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    if not event.message_id:
        return
    services.tracking_record(message_id=str(event.message_id), event_type=event.event_type,
                             recipient=event.recipient or "", timestamp=event.timestamp,
                             description=event.description or event.reject_reason or "")


@receiver(post_save, sender=AuditEvent, dispatch_uid="event_notifications")
def audit_event_recorded(sender: Any, instance: AuditEvent, created: bool, **kwargs: Any) -> None:
    """In-app notifications in the event's transaction; their e-mails after it commits."""
    if not created or instance.action not in events.EVENTS:
        return
    for notification, by_email in events.event_notify(event=instance):
        if by_email:
            transaction.on_commit(
                lambda pk=notification.pk: tasks.send_event_email.delay(pk))
