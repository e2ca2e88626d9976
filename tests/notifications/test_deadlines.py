"""Due dates (``notifications.deadlines``): working days that skip weekends, Vietnam's
holidays and the days off recorded; the batch calendar's dates, or the legal time limit
counted from the submission. Expected dates are counted by hand in the comments."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.deadlines import WorkingCalendar, open_task_deadlines
from notifications.models import DayOff
from tests.conftest import NOW

DUE = dt.date(2026, 8, 10)  # the batch's department appraisal date (conftest)


@pytest.mark.django_db
def test_working_days_skip_weekends_and_tet():
    calendar = WorkingCalendar()
    # Friday 13/02/2026, then Tết: 16-20/02 are holidays, 21-22 a weekend.
    assert calendar.add_working_days(dt.date(2026, 2, 13), 1) == dt.date(2026, 2, 23)
    assert not calendar.is_working_day(dt.date(2026, 2, 17))
    # Thu 12/02: Fri 13 is day 1, Tết and a weekend skipped, day 15 is Thu 12/03.
    assert calendar.add_working_days(dt.date(2026, 2, 12), 15) == dt.date(2026, 3, 12)
    # An ordinary week: Friday + 1 working day is Monday.
    assert calendar.add_working_days(dt.date(2026, 10, 9), 1) == dt.date(2026, 10, 12)
    # 2 September (National Day) and a day off decided on top of it.
    assert not calendar.is_working_day(dt.date(2026, 9, 2))
    DayOff.objects.create(date=dt.date(2026, 10, 12), name="Nghỉ bù")
    DayOff.objects.create(date=dt.date(2026, 10, 10), name="Làm bù", working=True)
    calendar = WorkingCalendar()
    assert calendar.add_working_days(dt.date(2026, 10, 9), 1) == dt.date(2026, 10, 10)
    assert calendar.add_working_days(dt.date(2026, 10, 9), 2) == dt.date(2026, 10, 13)


def due_dates(step: str) -> list[dt.date]:
    return [d.due_on for d in open_task_deadlines() if d.step == step]


def test_legal_time_limit_without_a_batch_date(journey, kit):
    journey.to_appraisal()  # submitted on Monday 03/08/2026 (the frozen clock)
    assert timezone.localdate(journey.dossier.submitted_at) == dt.date(2026, 8, 3)
    # 15 working days, the day of receipt not counted: 04-07/08 (4), 10-14/08 (9),
    # 17-21/08 (14), Monday 24/08 (15); only weekends skipped.
    for step in ("survey_appraisal", "debt_confirmation", "security_confirmation"):
        assert due_dates(step) == [dt.date(2026, 8, 24)], step
    # The departments have the batch's date instead.
    assert due_dates("department_appraisal") == [DUE] * 6


def test_legal_time_limit_skips_the_national_day_holidays(journey, kit, time_machine):
    time_machine.move_to(dt.datetime(2026, 8, 24, 9, tzinfo=NOW.tzinfo))
    journey.to_appraisal()  # submitted on Monday 24/08/2026
    # 15 working days: 25-28/08 (4); Monday 31/08 (day off in lieu), Tuesday 01/09 and
    # Wednesday 02/09 (National Day) skipped; 03-04/09 (6), 07-11/09 (11), 14-17/09 (15).
    assert due_dates("survey_appraisal") == [dt.date(2026, 9, 17)]
