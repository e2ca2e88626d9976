"""A transition raced by two real database connections is applied once (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from audit.models import AuditEvent
from dossiers.exceptions import RuleViolation
from dossiers.models import DossierStatus
from workflow import services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(calls):
    """Run each callable in its own thread and connection, released at the same moment."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_same_transition_twice_at_once_is_applied_once(journey):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    j = journey
    j.self_assess()
    j.post()
    j.close_posting()
    j.log_survey()
    j.attach_documents()
    dossier = j.refresh()

    outcomes = race([lambda: services.dossier_submit(actor=j.commune_officer, dossier=dossier)
                     for _ in range(3)])

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "error", "ok"], outcomes
    for kind, value in outcomes:
        if kind == "error":
            assert isinstance(value, RuleViolation), value
    assert j.refresh().status == DossierStatus.APPRAISAL
    assert AuditEvent.objects.filter(dossier_id=dossier.pk, action="dossier.submit").count() == 1
    assert j.open_tasks().count("department_appraisal") == 6
    assert j.items() and len(j.items()) == 10


def test_two_departments_finishing_at_once_join_once(journey):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    j = journey
    j.to_appraisal()
    j.appraise_survey()
    j.confirm()
    # Every department but two is done; the last two finish at the same moment.
    j.appraise_all(except_codes=("xd", "nn"))
    pending = {code: j.items(code) for code in ("xd", "nn")}

    def finish(code):
        def call():
            for item in pending[code]:
                services.appraisal_record(actor=j.u(f"so_{code}"), item=item, result="met")
        return call

    outcomes = race([finish("xd"), finish("nn")])
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    assert j.refresh().status == DossierStatus.CONSOLIDATION
    assert j.open_tasks() == ["consolidation"]
    assert AuditEvent.objects.filter(dossier_id=j.dossier.pk,
                                     action="dossier.close_appraisal").count() == 1


def test_two_sweeps_at_once_remind_once(journey):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    import datetime as dt

    from django.core import mail
    from django.utils import timezone

    from notifications import services
    from notifications.models import Reminder, ReminderEmail

    journey.to_appraisal()
    now = timezone.make_aware(dt.datetime(2026, 8, 3, 7))
    outcomes = race([lambda: services.sweep(now=now) for _ in range(3)])
    assert [kind for kind, _ in outcomes] == ["ok"] * 3, outcomes
    emails = [pk for _, result in outcomes for pk in result.emails]
    for pk in emails:
        services.deliver(pk)
    keys = list(Reminder.objects.values_list("recipient__username", "task_id", "point"))
    # A week before 10/08: each of the six departments reminded once for its task.
    assert len(keys) == len(set(keys)) == 6
    assert sorted((name, point) for name, _task, point in keys) == [
        (f"so_{code}", "before:7") for code in ("ca", "kh", "nn", "nv", "vh", "xd")]
    recipients = {p.recipient.pk for p in services.plan(now=now)}
    assert ReminderEmail.objects.filter(status="sent").count() == len(recipients)
    assert len(mail.outbox) == len(recipients)
