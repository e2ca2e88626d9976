"""The province's legal time limit runs from the day it receives the complete dossier.

The clock is fixed with time_machine; every expected date below is counted by hand.
Vietnam's public holidays used here: Tết 2026 is Monday 16 to Friday 20 February 2026
(weekend 14-15 and 21-22 February); no public holiday falls in March 2026.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from demo.journey import Journey
from dossiers.models import DossierStatus, Level
from dossiers.services.setup import regulation_profile_publish
from notifications.deadlines import legal_limit, open_task_deadlines
from tests.conftest import district_variant
from workflow import services

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
THU_12_FEB = dt.date(2026, 2, 12)


def morning(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=TZ)


@pytest.fixture(autouse=True)
def clock():
    """Today is Thursday 12 February 2026 (before any fixture builds data)."""
    with time_machine.travel(morning(THU_12_FEB), tick=True) as traveller:
        yield traveller


def test_the_limit_runs_from_the_submission_in_the_current_variant(journey, clock):
    journey.to_appraisal()
    dossier = journey.refresh()
    assert timezone.localdate(dossier.province_received_at) == THU_12_FEB
    limit = legal_limit(dossier)
    # 15 working days after Thu 12/02: Fri 13/02 is day 1; Tết 16-20/02 and the weekends are
    # skipped; 23-27/02 are days 2-6, 02-06/03 days 7-11, 09-12/03 days 12-15.
    assert (limit.received_on, limit.working_days, limit.due_on) == (
        THU_12_FEB, 15, dt.date(2026, 3, 12))
    assert (limit.late, limit.days_late) == (False, 0)
    # The province's steps without a batch date carry that legal date.
    survey = next(d for d in open_task_deadlines() if d.step == "survey_appraisal")
    assert survey.due_on == dt.date(2026, 3, 12)

    clock.move_to(morning(dt.date(2026, 3, 12)))
    assert legal_limit(journey.refresh()).late is False
    clock.move_to(morning(dt.date(2026, 3, 13)))
    limit = legal_limit(journey.refresh())
    assert (limit.late, limit.days_late) == (True, 1)


def test_the_limit_is_configurable_in_the_regulation_profile(kit, clock):
    regulation_profile_publish(actor=kit.admin, province=kit.province,
                               valid_from=dt.date(2026, 1, 1), reason="5 working days",
                               province_answer_working_days=5)
    j = Journey.register(kit, kit.communes[1], Level.NTM)
    assert j.dossier.regulation.province_answer_working_days == 5
    j.to_appraisal()
    # 5 working days after Thu 12/02: Fri 13/02 (1), Tết 16-20/02 skipped, Mon 23 (2),
    # Tue 24 (3), Wed 25 (4), Thu 26/02 (5).
    assert legal_limit(j.refresh()).due_on == dt.date(2026, 2, 26)


def test_the_province_answering_ends_the_lateness(journey, clock):
    journey.to_consolidation()
    clock.move_to(morning(dt.date(2026, 3, 20)))
    # Due Thu 12/03 (see above); Fri 20/03 is 8 calendar days later.
    limit = legal_limit(journey.refresh())
    assert (limit.late, limit.days_late) == (True, 8)
    journey.schedule()
    journey.open_meeting()
    journey.vote()
    journey.close_vote()
    assert legal_limit(journey.refresh()).late is True  # awaiting the decision: still owed
    journey.decide()
    assert journey.dossier.status == DossierStatus.RECOGNISED
    limit = legal_limit(journey.dossier)
    assert (limit.due_on, limit.late) == (dt.date(2026, 3, 12), False)


@pytest.fixture
def district_kit(kit):
    return district_variant(kit, valid_from=dt.date(2026, 1, 1))


def test_in_the_older_variant_the_limit_runs_from_the_district_verification(district_kit,
                                                                            clock):
    kit = district_kit
    j = Journey.register(kit, kit.communes[0], Level.NTM)
    j.self_assess()
    j.post()
    j.close_posting()
    j.log_survey()
    j.submit()
    assert j.dossier.status == DossierStatus.DISTRICT_VERIFICATION
    assert j.dossier.province_received_at is None
    assert legal_limit(j.dossier) is None
    # The district's own step has no legal date (the province has not received the dossier).
    district = next(d for d in open_task_deadlines(keep_undated=True)
                    if d.step == "district_verification")
    assert district.due_on is None

    clock.move_to(morning(dt.date(2026, 2, 23)))
    services.district_verify(actor=kit.users["ubnd_huyen"], dossier=j.dossier,
                             report="Xã đạt", votes_for=5, members=5)
    limit = legal_limit(j.refresh())
    # Received Mon 23/02: Tue 24 (1) ... Fri 27 (4), 02-06/03 (5-9), 09-13/03 (10-14),
    # Mon 16/03 (15). Counting from the submission (12/02) would give 12/03.
    assert (limit.received_on, limit.due_on) == (dt.date(2026, 2, 23), dt.date(2026, 3, 16))
    assert timezone.localdate(j.dossier.submitted_at) == THU_12_FEB
