"""Background work of the reminders (``notifications.tasks``): the sweep through a real
Celery worker, and its place in the beat schedule."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from config.celery import app
from notifications import services
from notifications.models import ReminderEmail
from notifications.tasks import sweep


@pytest.mark.django_db(transaction=True)
def test_reminder_sweep_through_a_real_worker(journey, private_queue, mailoutbox):
    journey.to_appraisal()
    expected = {p.recipient.email for p in services.plan(now=timezone.now())}
    # Monday 03/08/2026, a week before the departments' date: each of the six is reminded.
    assert expected == {f"so_{code}@example.invalid"
                        for code in ("ca", "kh", "nn", "nv", "vh", "xd")}
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        summary = sweep.delay().get(timeout=60)
        assert summary["emails"] == len(expected)
        deadline = time.monotonic() + 60
        while ReminderEmail.objects.exclude(status="sent").exists() or \
                len(mailoutbox) < len(expected):
            assert time.monotonic() < deadline, list(ReminderEmail.objects.values("status"))
            time.sleep(0.2)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(expected)
    # A second sweep the same day finds nothing new to say.
    assert services.sweep(now=timezone.now()).emails == []


@pytest.mark.django_db
def test_beat_runs_the_sweep_at_seven_in_the_morning():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="notifications.sweep")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("7", "0")
    assert str(task.crontab.timezone) == "Asia/Ho_Chi_Minh"
