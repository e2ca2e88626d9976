"""Reminders (``notifications.services``): reminder points, escalation, one e-mail per person,
exactly-once delivery, provider tracking, in-app notifications and calendar feeds."""

import base64
import datetime as dt
import json

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from dossiers.models import Membership
from dossiers.services.setup import batch_deadline_set
from notifications import services
from notifications.models import (
    BouncedAddress,
    Notification,
    Reminder,
    ReminderEmail,
    ReminderPolicy,
)
from notifications.tasks import send_reminder_email
from workflow import services as steps

DUE = dt.date(2026, 8, 10)  # the batch's department appraisal date (conftest)
# The departments appraising the 2026 set's criteria (conftest), in the order of their users.
DEPARTMENTS = ("ca", "kh", "nn", "nv", "vh", "xd")


def at(day: dt.date, hour: int = 7) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def run(day: dt.date) -> list[ReminderEmail]:
    """One sweep as of ``day`` 07:00, its e-mails delivered; returns those e-mails."""
    result = services.sweep(now=at(day))
    for email_id in result.emails:
        services.deliver(email_id)
    return list(ReminderEmail.objects.filter(pk__in=result.emails))


def points(emails, address=None):
    return sorted((r.recipient.username, r.point) for e in emails for r in e.reminders.all()
                  if address is None or e.to_address == address)


# --- reminder points -------------------------------------------------------------------
@pytest.fixture
def appraisal(journey, kit):
    journey.to_appraisal()
    Membership.objects.filter(agency=kit.agencies["xd"]).update(is_head=True)
    return journey


def test_reminder_points_and_escalation_on_a_frozen_clock(appraisal, kit):
    xd = kit.users["so_xd"].email
    assert run(DUE - dt.timedelta(days=10)) == []
    assert points(run(DUE - dt.timedelta(days=7)), xd) == [("so_xd", "before:7")]
    assert run(DUE - dt.timedelta(days=5)) == []  # nothing new between points
    assert points(run(DUE - dt.timedelta(days=3)), xd) == [("so_xd", "before:3")]
    assert points(run(DUE - dt.timedelta(days=1)), xd) == [("so_xd", "before:1")]
    assert points(run(DUE), xd) == [("so_xd", "due")]
    assert points(run(DUE + dt.timedelta(days=1)), xd) == [("so_xd", "overdue:0")]
    assert run(DUE + dt.timedelta(days=2)) == []
    third = run(DUE + dt.timedelta(days=3))
    # Overdue again (every 2 days) and escalated after 3 days: to the head of the late
    # agency (only the Sở Xây dựng has one here) and to the coordination office, once for
    # each of the six late departments' tasks.
    assert points(third, xd) == [("so_xd", "escalation"), ("so_xd", "overdue:1")]
    assert points(third) == sorted([(f"so_{code}", "overdue:1") for code in DEPARTMENTS]
                                   + [("so_xd", "escalation")] + [("vpdp", "escalation")] * 6)
    assert run(DUE + dt.timedelta(days=4)) == []
    # Escalated once only.
    assert points(run(DUE + dt.timedelta(days=5))) == [(f"so_{code}", "overdue:2")
                                                        for code in DEPARTMENTS]


def test_a_missed_sweep_catches_up_once(appraisal, kit):
    xd = kit.users["so_xd"].email
    assert points(run(DUE - dt.timedelta(days=2)), xd) == [("so_xd", "before:3")]
    assert run(DUE - dt.timedelta(days=2)) == []


def test_policy_is_per_province_and_editable(appraisal, kit):
    ReminderPolicy.objects.create(province=kit.province, days_before="10,0",
                                  overdue_every_days=1, escalate_after_days=1)
    xd = kit.users["so_xd"].email
    assert points(run(DUE - dt.timedelta(days=7)), xd) == [("so_xd", "before:10")]
    assert run(DUE - dt.timedelta(days=3)) == []
    assert points(run(DUE + dt.timedelta(days=1)), xd) == [("so_xd", "escalation"),
                                                            ("so_xd", "overdue:0")]


def test_one_email_per_person_listing_all_their_items(appraisal, kit):
    from demo.journey import Journey

    second = Journey.register(kit, kit.communes[1], "NTM")
    second.to_appraisal()
    mail.outbox.clear()
    emails = run(DUE - dt.timedelta(days=7))
    to_xd = [e for e in emails if e.to_address == kit.users["so_xd"].email]
    assert len(to_xd) == 1 and to_xd[0].reminders.count() == 2
    messages = [m for m in mail.outbox if m.to == [kit.users["so_xd"].email]]
    assert len(messages) == 1
    message = messages[0]
    # In Vietnamese (the default language): two items, none overdue, a week before 10/08.
    assert message.subject == "[NTM] 2 việc đến hạn"
    paragraphs = message.body.split("\n\n")
    assert paragraphs[0] == f"Kính gửi {kit.users['so_xd'].get_full_name()},"
    base = settings.NTM_BASE_URL.rstrip("/")
    with translation.override("vi"):
        urls = {str(d): base + reverse("dossier", args=[d.pk])
                for d in (appraisal.dossier, second.dossier)}
    assert sorted(paragraphs[2:4]) == sorted(
        f"- thẩm định của các sở, ban, ngành: {dossier}\n"
        f"  Hạn hoàn thành 10/08/2026 — còn 7 ngày\n"
        f"  {url}" for dossier, url in urls.items())
    assert paragraphs[4] == f"Nhiệm vụ của Ông/Bà: {base}/"
    html, content_type = message.alternatives[0]
    assert content_type == "text/html"
    for dossier, url in urls.items():
        assert html.count(f'<a href="{url}">{dossier}</a>') == 1
    assert html.count("<td>10/08/2026</td>") == 2 and html.count("<td>còn 7 ngày</td>") == 2


def test_sweep_twice_sends_nothing_twice(appraisal):
    day = DUE - dt.timedelta(days=7)
    first = run(day)
    assert len(first) == len(mail.outbox) == len(DEPARTMENTS)
    assert run(day) == []
    assert len(mail.outbox) == len(DEPARTMENTS)
    assert Reminder.objects.count() == sum(e.reminders.count() for e in first)


def test_a_completed_task_is_not_reminded(appraisal, kit):
    pending = services.sweep(now=at(DUE - dt.timedelta(days=7)))
    for item in appraisal.items("xd"):
        steps.appraisal_record(actor=kit.users["so_xd"], item=item, result="met")
    statuses = {services.deliver(pk) for pk in pending.emails
                if ReminderEmail.objects.get(pk=pk).to_address == kit.users["so_xd"].email}
    assert statuses == {"cancelled"}
    assert not [m for m in mail.outbox if m.to == [kit.users["so_xd"].email]]
    later = run(DUE - dt.timedelta(days=3))
    assert points(later) == [(f"so_{code}", "before:3") for code in DEPARTMENTS if code != "xd"]


def test_batch_date_change_moves_the_reminders(appraisal, kit):
    batch_deadline_set(actor=kit.users["vpdp"], batch=kit.batch, step="department_appraisal",
                       due_on=DUE + dt.timedelta(days=20), reason="Lùi hạn")
    assert run(DUE - dt.timedelta(days=7)) == []
    # 30/08 - 7 days: 23/08, the day before the Front's and the confirmations' legal limit
    # (24/08, see test_deadlines).
    assert points(run(dt.date(2026, 8, 23))) == sorted(
        [(f"so_{code}", "before:7") for code in DEPARTMENTS]
        + [("mttq_tinh", "before:1"), ("so_ca", "before:1"), ("so_tc", "before:1")])


def test_dry_run_records_and_sends_nothing(appraisal, capsys):
    call_command("send_deadline_reminders", "--dry-run", "--now", "2026-08-03T07:00")
    *planned, summary = capsys.readouterr().out.splitlines()
    assert sorted(line.split()[:2] for line in planned) == [
        [f"so_{code}@example.invalid", "before:7"] for code in DEPARTMENTS]
    assert summary == "Dry run: 6 reminder(s) would be considered; nothing recorded or sent."
    assert Reminder.objects.count() == 0 and ReminderEmail.objects.count() == 0
    assert mail.outbox == []
    call_command("send_deadline_reminders", "--now", "2026-08-03T07:00")
    assert sorted(Reminder.objects.values_list("recipient__username", "point")) == [
        (f"so_{code}", "before:7") for code in DEPARTMENTS]
    assert ReminderEmail.objects.filter(status="sent").count() == len(DEPARTMENTS)
    assert sorted(m.to[0] for m in mail.outbox) == [f"so_{code}@example.invalid"
                                                    for code in DEPARTMENTS]


# --- delivery -----------------------------------------------------------------------------
class FlakyBackend:
    failures = 0
    sent = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionError("provider unavailable")
        FlakyBackend.sent.extend(messages)
        return len(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.sent = []
    return FlakyBackend


def test_provider_error_then_success_sends_once(appraisal, kit, flaky):
    flaky.failures = 2
    result = services.sweep(now=at(DUE - dt.timedelta(days=7)))
    email_id = next(pk for pk in result.emails
                    if ReminderEmail.objects.get(pk=pk).to_address == kit.users["so_xd"].email)
    outcome = send_reminder_email.apply(args=[email_id])
    assert outcome.get() == "sent"
    email = ReminderEmail.objects.get(pk=email_id)
    assert email.status == "sent" and email.attempts == 3
    assert len([m for m in flaky.sent if m.to == [email.to_address]]) == 1


def test_provider_failing_for_good_is_marked_failed_and_shown(appraisal, kit, flaky, client):
    flaky.failures = 100
    result = services.sweep(now=at(DUE - dt.timedelta(days=7)))
    email_id = result.emails[0]
    assert send_reminder_email.apply(args=[email_id]).get() == "failed"
    email = ReminderEmail.objects.get(pk=email_id)
    assert email.status == "failed" and "provider unavailable" in email.last_error
    assert email.attempts == send_reminder_email.max_retries + 1
    assert Notification.objects.filter(user=kit.users["vpdp"],
                                       title__contains=email.to_address).exists()
    client.force_login(kit.users["vpdp"])
    page = client.get(reverse("notifications:delivery"))
    assert email.to_address in page.content.decode()
    client.force_login(kit.users["so_xd"])
    assert client.get(reverse("notifications:delivery")).status_code == 403


def test_retry_after_a_worker_died_mid_send_sends_once(appraisal, kit):
    result = services.sweep(now=at(DUE - dt.timedelta(days=7)))
    email_id = result.emails[0]
    # The worker marked it "sending" and died before the provider call returned.
    ReminderEmail.objects.filter(pk=email_id).update(status="sending", attempts=1)
    assert services.deliver(email_id) == "sent"
    assert services.deliver(email_id) == "sent"
    address = ReminderEmail.objects.get(pk=email_id).to_address
    assert len([m for m in mail.outbox if m.to == [address]]) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<reminder-{email_id}@ntm.local>"


def test_delivery_events_arrive_through_the_signed_webhook(appraisal, kit, client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    run(DUE - dt.timedelta(days=7))
    email = ReminderEmail.objects.get(to_address=kit.users["so_xd"].email)
    payload = {"RecordType": "Bounce", "MessageID": email.message_id, "Type": "HardBounce",
               "Email": email.to_address, "BouncedAt": "2026-08-03T07:05:00Z",
               "Description": "The server was unable to deliver your message",
               "Details": "550 mailbox unavailable"}
    url = "/anymail/postmark/tracking/"
    unsigned = client.post(url, json.dumps(payload), content_type="application/json")
    assert unsigned.status_code == 400
    auth = "Basic " + base64.b64encode(b"hook:secret").decode()
    signed = client.post(url, json.dumps(payload), content_type="application/json",
                         HTTP_AUTHORIZATION=auth)
    assert signed.status_code == 200
    email.refresh_from_db()
    assert email.delivery_status == "bounced"
    assert email.delivery_events[-1]["event"] == "bounced"
    assert BouncedAddress.objects.filter(address=email.to_address.lower()).exists()
    assert Notification.objects.filter(user=kit.users["vpdp"],
                                       title__contains=email.to_address).exists()


# --- in the application --------------------------------------------------------------------
def test_notifications_in_the_header(appraisal, kit, client):
    run(DUE - dt.timedelta(days=7))
    officer = kit.users["so_xd"]
    assert Notification.objects.filter(user=officer, read_at__isnull=True).count() == 1
    client.force_login(officer)
    page = client.get(reverse("notifications:list"))
    assert page.context["unread_count"] == 1
    assert [n.title for n in page.context["unread_latest"]] == ["1 việc đến hạn"]
    assert page.content.decode().count("Thông báo (1)") == 1
    client.post(reverse("notifications:mark_read"))
    assert not Notification.objects.filter(user=officer, read_at__isnull=True).exists()


def test_private_calendar_feed_with_revocable_token(appraisal, kit, client):
    officer = kit.users["so_xd"]
    client.force_login(officer)
    client.post(reverse("notifications:feed_create"))
    client.post(reverse("notifications:feed_create"), {"agency": kit.agencies["xd"].pk})
    client.logout()
    personal, agency_feed = officer.calendar_feeds.get(), kit.agencies["xd"].calendar_feeds.get()
    for feed in (personal, agency_feed):
        body = client.get(reverse("notifications:feed", args=[feed.token])).content.decode()
        assert body.startswith("BEGIN:VCALENDAR") and "DTSTART;VALUE=DATE:20260810" in body
        assert body.count("BEGIN:VEVENT") == 1
    assert client.get(reverse("notifications:feed", args=["guess"])).status_code == 404
    client.force_login(kit.users["so_nn"])
    assert client.post(reverse("notifications:feed_revoke", args=[personal.pk])).status_code == 404
    client.force_login(officer)
    client.post(reverse("notifications:feed_revoke", args=[personal.pk]))
    client.logout()
    assert client.get(reverse("notifications:feed", args=[personal.token])).status_code == 404
