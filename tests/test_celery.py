"""Background work goes through a real Celery worker on the configured broker
(the embedded file-system transport by default, Redis on CI's PostgreSQL pass)."""

import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from workflow.models import AuditEvent
from workflow.tasks import audit_verify


@pytest.fixture
def private_queue():
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = f"test-{uuid.uuid4().hex}"
    yield
    app.conf.task_default_queue = previous


@pytest.mark.django_db(transaction=True)
def test_audit_verification_runs_on_a_real_worker(catalogue, private_queue):
    events = AuditEvent.objects.count()
    assert events > 0
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        result = audit_verify.delay()
        assert result.get(timeout=60) == {"ok": True, "count": events}
    verified = AuditEvent.objects.get(action="audit.verified")
    assert verified.after["events"] == events
    assert verified.seq == events + 1
