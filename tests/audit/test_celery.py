"""Background work goes through a real Celery worker on the configured broker
(the embedded file-system transport by default, Redis on CI's PostgreSQL pass)."""

import pytest
from celery.contrib.testing.worker import start_worker

from audit.models import AuditEvent
from audit.tasks import audit_verify
from config.celery import app


@pytest.fixture
def private_queue():
    """This test process's own queue (set in conftest), so that parallel test processes,
    or a developer's running worker, never take each other's tasks."""
    assert app.conf.task_default_queue.startswith("test-")


@pytest.mark.django_db(transaction=True)
def test_audit_verification_runs_on_a_real_worker(catalogue, private_queue):
    events = AuditEvent.objects.count()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["criteria_set.load"] * 2
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        result = audit_verify.delay()
        assert result.get(timeout=60) == {"ok": True, "count": events}
    verified = AuditEvent.objects.get(action="audit.verified")
    assert verified.after["events"] == events
    assert verified.seq == events + 1


@pytest.mark.django_db(transaction=True)
def test_reminder_sweep_through_a_real_worker(journey, private_queue, mailoutbox):
    import time

    from django.utils import timezone

    from notifications import services
    from notifications.models import ReminderEmail
    from notifications.tasks import sweep

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
