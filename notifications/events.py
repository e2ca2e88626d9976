"""Event notifications: besides the daily sweep, the people concerned are told at once when
a criterion is returned, a dossier is deferred or refused, a vote opens, and a decision is
signed — in the application, and by e-mail unless they turned it off.

The events are the audit events the steps record (``dossiers.steps``: a transition's
``dossier.<name>``, a row's ``events``); ``receivers`` hands each new one to ``event_notify``.
Texts are rendered in the recipient's language; e-mails go out through Celery
(``tasks.send_event_email``) once the transaction that made the change has committed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.models import AuditEvent
from dossiers.exceptions import RuleViolation
from dossiers.models import Agency, CouncilMeeting, CriterionAppraisal, Dossier

from .models import Notification, NotificationPreference

log = logging.getLogger(__name__)
K = Agency.Kind


@dataclass(frozen=True)
class Told:
    """Who is told of an event, and what: ``text(event, obj)`` → (title, body), called in
    each recipient's language."""

    recipients: Callable[[AuditEvent, Any], list[Any]]
    text: Callable[[AuditEvent, Any], tuple[str, str]]
    url: Callable[[AuditEvent, Any], str]


def _members(**agency_filter: Any) -> list[Any]:
    users = get_user_model().objects.filter(
        is_active=True, memberships__agency__active=True,
        memberships__agency__in=Agency.objects.filter(**agency_filter)).distinct()
    return list(users.order_by("pk"))


def _commune(event: AuditEvent, obj: Any) -> list[Any]:
    dossier = _dossier(event)
    return _members(kind=K.COMMUNE_COMMITTEE, commune_id=dossier.commune_id)


def _commune_and_office(event: AuditEvent, obj: Any) -> list[Any]:
    dossier = _dossier(event)
    office = _members(kind=K.COORDINATION_OFFICE, province_id=dossier.commune.province_id)
    return list({u.pk: u for u in [*_commune(event, obj), *office]}.values())


def _present(event: AuditEvent, meeting: CouncilMeeting) -> list[Any]:
    ids = (event.after or {}).get("present") or []
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _dossier(event: AuditEvent) -> Dossier:
    return Dossier.objects.select_related("commune__province").get(pk=event.dossier_id)


def _dossier_url(event: AuditEvent, obj: Any) -> str:
    return reverse("dossier", args=[event.dossier_id])


def _returned(event: AuditEvent, item: CriterionAppraisal) -> tuple[str, str]:
    target = item.indicator.code if item.indicator_id else item.criterion.number
    return (_("Criterion %(n)s of %(dossier)s returned for supplement") % {
        "n": target, "dossier": item.dossier.commune},
        _("%(agency)s asks for: %(reason)s") % {"agency": item.agency, "reason": event.reason})


def _dossier_text(title: str) -> Callable[[AuditEvent, Any], tuple[str, str]]:
    def text(event: AuditEvent, obj: Any) -> tuple[str, str]:
        dossier = _dossier(event)
        return (_(title) % {"dossier": dossier.commune, "level": dossier.get_level_display()},
                event.reason or dossier.outcome_reason)
    return text


def _vote_open(event: AuditEvent, meeting: CouncilMeeting) -> tuple[str, str]:
    agenda = meeting.agenda.filter(result="open").select_related("dossier__commune")
    return (_("Voting is open: %(meeting)s") % {"meeting": meeting.title},
            "\n".join(str(item.dossier.commune) for item in agenda))


# Titles marked for translation here, translated in the recipient's language when told.
DEFERRED = gettext_noop("%(dossier)s: the council deferred the dossier (%(level)s)")
REFUSED = gettext_noop("%(dossier)s: the dossier was refused (%(level)s)")
SIGNED = gettext_noop("%(dossier)s: the recognition decision was signed (%(level)s)")

EVENTS: dict[str, Told] = {
    "appraisal.returned": Told(_commune, _returned, _dossier_url),
    "dossier.defer": Told(_commune, _dossier_text(DEFERRED), _dossier_url),
    "dossier.refuse": Told(_commune, _dossier_text(REFUSED), _dossier_url),
    "dossier.council_reject": Told(_commune, _dossier_text(REFUSED), _dossier_url),
    "dossier.decline": Told(_commune, _dossier_text(REFUSED), _dossier_url),
    "meeting.open": Told(_present, _vote_open, lambda event, obj: reverse("home")),
    "dossier.recognise": Told(_commune_and_office, _dossier_text(SIGNED), _dossier_url),
}
MODELS = {"appraisal.returned": CriterionAppraisal, "meeting.open": CouncilMeeting}


def preference_of(user: Any) -> NotificationPreference:
    return (NotificationPreference.objects.filter(user=user).first()
            or NotificationPreference(user=user))


def event_notify(*, event: AuditEvent) -> list[tuple[Notification, bool]]:
    """Tell the people concerned by ``event`` in the application (nothing for an event nobody
    is told of); each notification with whether its recipient wants it by e-mail."""
    told = EVENTS.get(event.action)
    if told is None:
        return []
    model = MODELS.get(event.action)
    obj = model.objects.get(pk=event.object_id) if model else None
    made = []
    for user in told.recipients(event, obj):
        preference = preference_of(user)
        with translation.override(preference.language):
            title, body = told.text(event, obj)
        notification = Notification.objects.create(
            user=user, title=str(title)[:300], body=str(body), url=told.url(event, obj),
            event=event.action)
        made.append((notification, preference.email_on_events and bool(user.email)))
    return made


def event_email_send(notification_id: int) -> str:
    """Send the e-mail of one event notification (once); returns what happened."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().select_related("user").filter(
            pk=notification_id).first()
        if notification is None or notification.emailed_at is not None:
            return "skipped"
        preference = preference_of(notification.user)
        if not preference.email_on_events or not notification.user.email:
            return "not wanted"
        base = settings.NTM_BASE_URL.rstrip("/")
        with translation.override(preference.language):
            subject = _("[NTM] %(title)s") % {"title": notification.title}
            text = render_to_string("notifications/event_email.txt", {
                "notification": notification, "link": base + notification.url})
        EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, [notification.user.email],
                     headers={"Message-ID": f"<event-{notification.pk}@ntm.local>"}).send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return "sent"


def preference_set(*, actor: Any, email_on_events: bool, language: str) -> NotificationPreference:
    """A person sets how they are told of events (their own preference only)."""
    if language not in dict(settings.LANGUAGES):
        raise RuleViolation(_("Unknown language."))
    preference, _created = NotificationPreference.objects.update_or_create(
        user=actor, defaults={"email_on_events": email_on_events, "language": language})
    return preference
