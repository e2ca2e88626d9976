"""Due dates: from the batch calendar, or from a legal time limit counted in working days.

The province's legal time limit (``RegulationProfile.province_answer_working_days``) runs
from the day it received the complete dossier (``Dossier.province_received_at``: the
submission, or in the older variant the district's verification) until it answers with an
outcome; ``legal_limits`` says, per dossier, its legal due date and whether it is late.

Working days skip weekends and Vietnam's public holidays (the ``holidays`` package, Tết
included), adjusted by the days off an administrator records (``DayOff``). Due dates are
computed when asked, so a change of the batch calendar is followed at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import holidays
from django.db.models import F
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from dossiers.models import Agency, BatchDeadline, Dossier, DossierStatus
from dossiers.steps import DEADLINE_OF_NODE, PUBLIC_POSTING, Deadline

from .models import DayOff

# The statuses of a task still to be done (viewflow's NEW, ASSIGNED, STARTED).
OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


@lru_cache(maxsize=64)
def _statutory(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


class WorkingCalendar:
    def __init__(self) -> None:
        self.overrides = dict(DayOff.objects.values_list("date", "working"))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5 and day not in _statutory(day.year)

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
        day = start
        remaining = days
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day


@dataclass(frozen=True)
class TaskDeadline:
    task: Task
    dossier: Dossier
    step: str
    due_on: dt.date | None
    agency: Agency | None

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < timezone.localdate()


class DeadlineBook:
    """Due dates of many tasks with a fixed number of queries."""

    def __init__(self) -> None:
        self.calendar = WorkingCalendar()
        self.batch_dates: dict[tuple[int, str], dt.date] = {
            (batch_id, step): due for batch_id, step, due in
            BatchDeadline.objects.values_list("batch_id", "step", "due_on")}

    def due_on(self, task: Task, dossier: Dossier) -> dt.date | None:
        deadline = DEADLINE_OF_NODE.get(task.flow_task.name)
        if deadline is None:
            return None
        return self.due_for(deadline, dossier)

    def due_for(self, deadline: Deadline, dossier: Dossier) -> dt.date | None:
        """The batch calendar's date for the step (or the step it falls back to); else, for
        the posting, its legal length; for the province's steps, its legal time limit."""
        batch_date = self.batch_dates.get((dossier.batch_id, deadline.key))
        if batch_date is None and deadline.falls_back_to:
            batch_date = self.batch_dates.get((dossier.batch_id, deadline.falls_back_to))
        if batch_date is not None:
            return batch_date
        if deadline == PUBLIC_POSTING and dossier.posting_started_on:
            return dossier.posting_started_on + dt.timedelta(days=dossier.regulation.posting_days)
        if deadline.province_limit:
            limit = legal_limit(dossier, calendar=self.calendar)
            return limit.due_on if limit else None
        return None


# While the dossier stands in one of these, the province owes its answer (the outcome).
AWAITING_PROVINCE = (DossierStatus.APPRAISAL, DossierStatus.CONSOLIDATION,
                     DossierStatus.COUNCIL, DossierStatus.AWAITING_DECISION)


@dataclass(frozen=True)
class LegalLimit:
    """The province's legal time limit on one dossier."""

    received_on: dt.date
    working_days: int
    due_on: dt.date
    # The province has not answered and the due date has passed.
    late: bool
    days_late: int


def legal_limit(dossier: Dossier, *, calendar: WorkingCalendar | None = None,
                today: dt.date | None = None) -> LegalLimit | None:
    """The legal due date of the province's answer on ``dossier`` (None before the province
    received it): ``province_answer_working_days`` working days after the day it was received
    (that day not counted); late while the answer is still owed after that date."""
    if dossier.province_received_at is None:
        return None
    calendar = calendar or WorkingCalendar()
    today = today or timezone.localdate()
    received = timezone.localdate(dossier.province_received_at)
    days = dossier.regulation.province_answer_working_days
    due = calendar.add_working_days(received, days)
    late = dossier.status in AWAITING_PROVINCE and today > due
    return LegalLimit(received, days, due, late, (today - due).days if late else 0)


def legal_limits(dossiers: Any, *, today: dt.date | None = None) -> dict[int, LegalLimit]:
    """``legal_limit`` of many dossiers (their regulation selected) with one calendar."""
    calendar = WorkingCalendar()
    limits = {}
    for dossier in dossiers:
        limit = legal_limit(dossier, calendar=calendar, today=today)
        if limit is not None:
            limits[dossier.pk] = limit
    return limits


# How many open tasks the reminder sweep reads at a time (``open_task_deadline_batches``).
BATCH_SIZE = 500


def open_task_deadlines(*, tasks: Any = None, keep_undated: bool = False) -> list[TaskDeadline]:
    """Every open human task of a dossier with its due date; tasks without one are left out
    unless ``keep_undated`` (then their ``due_on`` is None)."""
    if tasks is None:
        tasks = Task.objects.filter(status__in=OPEN, flow_task_type="HUMAN")
    return _deadlines_of(list(tasks.select_related("owner")), DeadlineBook(), keep_undated)


def open_task_deadline_batches(*, keep_undated: bool = False, batch_size: int = BATCH_SIZE,
                               ) -> Iterator[list[TaskDeadline]]:
    """The same as ``open_task_deadlines``, streamed ``batch_size`` tasks at a time in the
    order of their primary key, in three queries a batch (tasks, their dossiers, their
    agencies) and two for the whole stream (the calendar): memory stays that of one batch.
    Keyset pagination (``pk > last``, not OFFSET): each batch is one range scan of the
    task table's primary key index, however far the stream has gone."""
    book = DeadlineBook()
    last = 0
    while True:
        tasks = list(Task.objects.filter(status__in=OPEN, flow_task_type="HUMAN", pk__gt=last)
                     .select_related("owner").order_by("pk")[:batch_size])
        if not tasks:
            return
        last = tasks[-1].pk
        yield _deadlines_of(tasks, book, keep_undated)


def _deadlines_of(tasks: list[Task], book: DeadlineBook,
                  keep_undated: bool) -> list[TaskDeadline]:
    # Each task's dossier, through the dossier's passes of the process (``processes``).
    dossier_of_process = {d.process_pk: d for d in Dossier.objects.filter(
        processes__pk__in={t.process_id for t in tasks}).annotate(
        process_pk=F("processes__pk")).select_related("commune__province", "regulation",
                                                      "batch")}
    agencies = Agency.objects.in_bulk({int(t.owner_permission_obj_pk) for t in tasks
                                       if t.owner_permission_obj_pk})
    result = []
    for task in tasks:
        dossier = dossier_of_process.get(task.process_id)
        if dossier is None:
            continue
        due = book.due_on(task, dossier)
        if due is None and not keep_undated:
            continue
        agency = agencies.get(int(task.owner_permission_obj_pk)) \
            if task.owner_permission_obj_pk else None
        deadline = DEADLINE_OF_NODE.get(task.flow_task.name)
        result.append(TaskDeadline(task, dossier, deadline.key if deadline else "", due, agency))
    return result
