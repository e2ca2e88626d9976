"""Delivery events from the e-mail provider, through anymail's signed tracking webhook."""

from typing import Any

from anymail.signals import tracking
from django.dispatch import receiver

from . import services


@receiver(tracking, dispatch_uid="reminder_tracking")
def reminder_tracking(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    if not event.message_id:
        return
    services.tracking_record(message_id=str(event.message_id), event_type=event.event_type,
                             recipient=event.recipient or "", timestamp=event.timestamp,
                             description=event.description or event.reject_reason or "")
