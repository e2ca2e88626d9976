"""The reminder sweep is streamed in batches of open tasks (issue 13, P3): a fixed number of
statements per batch, however many tasks the batch holds, dry or real."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from viewflow.workflow.models import Task

from demo.journey import Journey
from notifications import services
from notifications.deadlines import OPEN
from notifications.models import Notification, Reminder, ReminderEmail
from tests.conftest import queries_of

DUE = dt.date(2026, 8, 10)  # the batch's department appraisal date (conftest)
SWEEP_AT = timezone.make_aware(dt.datetime.combine(DUE - dt.timedelta(days=7), dt.time(7)))


def sweep_cost(*, dry_run: bool, batch_size: int) -> tuple[int, int]:
    """Statements and reminders of one sweep; a real one is rolled back after counting."""
    with transaction.atomic():
        count, result = queries_of(lambda: services.sweep(now=SWEEP_AT, dry_run=dry_run,
                                                          keep_planned=False,
                                                          batch_size=batch_size))
        if not dry_run:
            assert Reminder.objects.count() == result.count
            assert ReminderEmail.objects.count() == len(result.emails)
            assert Notification.objects.count() == len(result.emails)
        transaction.set_rollback(True)
    return count, result.count


@pytest.mark.django_db
def test_statements_per_batch_stay_the_same_as_the_batch_grows(kit):
    one = Journey.register(kit, kit.communes[0], "NTM")
    one.to_appraisal()
    dry_one, planned_one = sweep_cost(dry_run=True, batch_size=1000)
    real_one, _ = sweep_cost(dry_run=False, batch_size=1000)

    two = Journey.register(kit, kit.communes[1], "NTM")
    two.to_appraisal()
    dry_two, planned_two = sweep_cost(dry_run=True, batch_size=1000)
    real_two, _ = sweep_cost(dry_run=False, batch_size=1000)

    assert planned_two == 2 * planned_one > 0
    # One batch holding twice the tasks and reminders: the same statements.
    assert (dry_two, real_two) == (dry_one, real_one)


@pytest.mark.django_db
def test_each_further_batch_costs_a_fixed_number_of_statements(kit):
    for commune in kit.communes:
        Journey.register(kit, commune, "NTM").to_appraisal()
    open_tasks = Task.objects.filter(status__in=OPEN, flow_task_type="HUMAN").count()
    costs = {size: sweep_cost(dry_run=True, batch_size=size) for size in (open_tasks, 3)}
    batches = -(-open_tasks // 3)  # ceiling
    (whole, planned), (small, planned_small) = costs[open_tasks], costs[3]
    assert planned_small == planned
    # Per further batch: its tasks, dossiers, agencies and the working calendar of the legal
    # limits (4), and one more when it meets agencies no earlier batch met (their members):
    # here 6 batches of 3 tasks, two of which meet new departments.
    assert batches == 6
    assert small - whole == 4 * (batches - 1) + 2
