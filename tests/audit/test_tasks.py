"""The audit's background work (``audit.tasks``) on a real Celery worker, on the configured
broker (the embedded file-system transport by default, Redis on CI's PostgreSQL pass)."""

import pytest
from celery.contrib.testing.worker import start_worker

from audit.models import AuditEvent
from audit.tasks import audit_verify
from config.celery import app


@pytest.mark.django_db(transaction=True)
def test_audit_verification_runs_on_a_real_worker(catalogue, private_queue):
    events = AuditEvent.objects.count()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["criteria_set.load"] * 2
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        result = audit_verify.delay()
        assert result.get(timeout=60) == {"ok": True, "count": events}
    verified = AuditEvent.objects.get(action="audit.verified")
    assert verified.after["events"] == events
    # Loading the national criteria sets and verifying: the national chain.
    assert (verified.chain, verified.seq) == (0, events + 1)
    assert verified.after["heads"] == {"0": [events, AuditEvent.objects.get(seq=events).hash]}
