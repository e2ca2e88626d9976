"""Celery tasks: thin wrappers around ``notifications.services``."""

from celery import shared_task
from django.utils import timezone

from . import events, services

MAX_RETRIES = 5


@shared_task(name="notifications.sweep")
def sweep() -> dict:
    """The morning sweep (beat, 07:00 Asia/Ho_Chi_Minh): record reminders, queue the e-mails."""
    result = services.sweep(now=timezone.now(), keep_planned=False)
    for email_id in result.emails:
        send_reminder_email.delay(email_id)
    return {"planned": result.count, "emails": len(result.emails)}


@shared_task(bind=True, name="notifications.send_reminder_email", max_retries=MAX_RETRIES,
             acks_late=True)
def send_reminder_email(self, email_id: int) -> str:
    """Send one e-mail; a provider error is retried with back-off, then marked failed."""
    try:
        return services.deliver(email_id)
    except services.DeliveryError as exc:
        if self.request.retries >= self.max_retries:
            services.mark_failed(email_id, str(exc))
            return "failed"
        raise self.retry(exc=exc, countdown=60 * 2 ** self.request.retries) from exc


@shared_task(bind=True, name="notifications.send_event_email", max_retries=MAX_RETRIES,
             acks_late=True)
def send_event_email(self, notification_id: int) -> str:
    """The e-mail of an event notification; a provider error is retried with back-off."""
    try:
        return events.event_email_send(notification_id)
    except Exception as exc:  # noqa: BLE001 - any provider failure is retried
        if self.request.retries >= self.max_retries:
            return "failed"
        raise self.retry(exc=exc, countdown=60 * 2 ** self.request.retries) from exc
