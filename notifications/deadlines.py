"""Due dates: from the batch calendar, or from a legal time limit counted in working days.

Working days skip weekends and Vietnam's public holidays (the ``holidays`` package, Tết
included), adjusted by the days off an administrator records (``DayOff``). Due dates are
computed when asked, so a change of the batch calendar is followed at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import holidays
from django.utils import timezone
from viewflow.workflow.models import Task

from dossiers.models import Agency, BatchDeadline, Dossier, Step

from .models import DayOff

OPEN = ["NEW", "ASSIGNED", "STARTED"]

STEP_OF_NODE = {
    "self_assessment": Step.SELF_ASSESSMENT,
    "public_posting": Step.PUBLIC_POSTING,
    "survey": Step.SURVEY,
    "submission": Step.SUBMISSION,
    "district_verification": Step.DISTRICT_VERIFICATION,
    "department_appraisal": Step.DEPARTMENT_APPRAISAL,
    "answer_returns": Step.ANSWER_RETURNS,
    "survey_appraisal": Step.SURVEY_APPRAISAL,
    "debt_confirmation": Step.DEBT_CONFIRMATION,
    "security_confirmation": Step.SECURITY_CONFIRMATION,
    "consolidation": Step.CONSOLIDATION,
    "vote": Step.COUNCIL_VOTE,
    "close_vote": Step.COUNCIL_VOTE,
    "decision": Step.DECISION,
    "announcement": Step.ANNOUNCEMENT,
}
# Steps the province must finish within its legal time limit after receiving the dossier.
PROVINCE_STEPS = {Step.DISTRICT_VERIFICATION, Step.DEPARTMENT_APPRAISAL, Step.ANSWER_RETURNS,
                  Step.SURVEY_APPRAISAL, Step.DEBT_CONFIRMATION, Step.SECURITY_CONFIRMATION,
                  Step.CONSOLIDATION}


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
        step = STEP_OF_NODE.get(task.flow_task.name)
        if step is None:
            return None
        batch_date = self.batch_dates.get((dossier.batch_id, step))
        if batch_date is None and step == Step.ANSWER_RETURNS:
            batch_date = self.batch_dates.get((dossier.batch_id, Step.DEPARTMENT_APPRAISAL))
        if batch_date is not None:
            return batch_date
        if step == Step.PUBLIC_POSTING and dossier.posting_started_on:
            return dossier.posting_started_on + dt.timedelta(days=dossier.regulation.posting_days)
        if step in PROVINCE_STEPS and dossier.submitted_at:
            received = timezone.localdate(dossier.submitted_at)
            return self.calendar.add_working_days(
                received, dossier.regulation.province_answer_working_days)
        return None


def open_task_deadlines(*, tasks: Any = None, keep_undated: bool = False) -> list[TaskDeadline]:
    """Every open human task of a dossier with its due date; tasks without one are left out
    unless ``keep_undated`` (then their ``due_on`` is None)."""
    from workflow.models import DossierProcess

    if tasks is None:
        tasks = Task.objects.filter(status__in=OPEN, flow_task_type="HUMAN")
    tasks = list(tasks.select_related("owner"))
    processes = {p.pk: p for p in DossierProcess.objects.filter(
        pk__in={t.process_id for t in tasks}).select_related(
        "dossier__commune__province", "dossier__regulation", "dossier__batch")}
    agencies = Agency.objects.in_bulk({int(t.owner_permission_obj_pk) for t in tasks
                                       if t.owner_permission_obj_pk})
    book = DeadlineBook()
    result = []
    for task in tasks:
        process = processes.get(task.process_id)
        if process is None:
            continue
        due = book.due_on(task, process.dossier)
        if due is None and not keep_undated:
            continue
        agency = agencies.get(int(task.owner_permission_obj_pk)) \
            if task.owner_permission_obj_pk else None
        result.append(TaskDeadline(task, process.dossier,
                                   STEP_OF_NODE.get(task.flow_task.name, ""), due, agency))
    return result
