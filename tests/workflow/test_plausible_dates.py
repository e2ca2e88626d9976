"""Dates and figures must be plausible for their step; every refusal says why and writes
nothing. Public comments are answered later, and closing the posting needs every answer.

Today is fixed with time_machine: Monday 16 March 2026. The demo journey registers its
dossier 30 days earlier, on Saturday 14 February 2026, and starts its posting 20 days
before today, on Tuesday 24 February 2026.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from audit.models import AuditEvent
from demo.files import pdf
from demo.journey import Journey
from dossiers.exceptions import RuleViolation
from dossiers.models import BatchDeadline, CouncilMeeting, DossierStatus, Level, SurveyResult
from dossiers.services import assessment
from dossiers.services.council import meeting_create
from dossiers.services.setup import batch_deadline_set, regulation_profile_publish
from workflow import services

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = dt.date(2026, 3, 16)
REGISTERED = dt.date(2026, 2, 14)
POSTED = dt.date(2026, 2, 24)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 3, 16, 9, tzinfo=TZ), tick=True) as traveller:
        yield traveller


def events(dossier, action: str) -> int:
    return AuditEvent.objects.filter(dossier_id=dossier.pk, action=action).count()


# --- the posting -----------------------------------------------------------------------
def test_the_posting_cannot_start_before_registration_or_in_the_future(journey):
    assert timezone.localdate(journey.dossier.registered_at) == REGISTERED
    journey.self_assess()
    for day, reason in (
            (dt.date(1900, 1, 1), "The start of the public posting cannot be dated 01/01/1900: "
                                  "the dossier was registered on 14/02/2026."),
            (dt.date(2026, 2, 13), "The start of the public posting cannot be dated "
                                   "13/02/2026: the dossier was registered on 14/02/2026."),
            (dt.date(2026, 3, 17), "The start of the public posting cannot be dated "
                                   "17/03/2026: that is in the future (today is 16/03/2026).")):
        with pytest.raises(RuleViolation) as refused:
            services.self_assessment_complete(actor=journey.commune_officer,
                                              dossier=journey.dossier, posting_starts_on=day)
        assert refused.value.problems == [reason]
        dossier = journey.refresh()
        assert (dossier.status, dossier.posting_started_on) == (
            DossierStatus.SELF_ASSESSMENT, None)
        assert events(dossier, "dossier.publish_for_comments") == 0
    # The registration day itself is plausible.
    services.self_assessment_complete(actor=journey.commune_officer, dossier=journey.dossier,
                                      posting_starts_on=REGISTERED)
    assert journey.refresh().posting_started_on == REGISTERED


def test_a_posting_of_1900_cannot_be_closed_at_once(journey):
    journey.self_assess()
    with pytest.raises(RuleViolation):
        services.self_assessment_complete(actor=journey.commune_officer,
                                          dossier=journey.dossier,
                                          posting_starts_on=dt.date(1900, 1, 1))
    journey.post(days_ago=3)  # 13/03: 15 days are not over
    with pytest.raises(RuleViolation, match="can close on 28/03/2026"):
        services.posting_close(actor=journey.commune_officer, dossier=journey.dossier)
    assert journey.refresh().status == DossierStatus.PUBLIC_POSTING


# --- comments --------------------------------------------------------------------------
def comment(journey, received_on: dt.date, response: str = ""):
    return assessment.comment_record(actor=journey.commune_officer, dossier=journey.dossier,
                                     author="Trần Thị B", content="Đường thôn 3 chưa xong",
                                     received_on=received_on, response=response)


def test_comment_dates_lie_within_the_posting_and_not_in_the_future(journey):
    journey.self_assess()
    journey.post()
    assert journey.dossier.posting_started_on == POSTED
    for day, reason in (
            (dt.date(2026, 2, 14), "A public comment cannot be dated 14/02/2026: the posting "
                                   "started on 24/02/2026."),
            (dt.date(1900, 1, 1), "A public comment cannot be dated 01/01/1900: the dossier "
                                  "was registered on 14/02/2026."),
            (dt.date(2026, 3, 17), "A public comment cannot be dated 17/03/2026: that is in "
                                   "the future (today is 16/03/2026).")):
        with pytest.raises(RuleViolation) as refused:
            comment(journey, day)
        assert refused.value.problems == [reason]
    assert journey.dossier.comments.count() == 0
    assert events(journey.dossier, "comment.record") == 0
    assert comment(journey, POSTED).received_on == POSTED
    assert comment(journey, TODAY).received_on == TODAY


def test_a_comment_recorded_without_response_is_answered_later(journey):
    journey.self_assess()
    journey.post()
    first = comment(journey, dt.date(2026, 3, 2))
    with pytest.raises(RuleViolation, match=r"1 public comment\(s\) have no response"):
        services.posting_close(actor=journey.commune_officer, dossier=journey.dossier)
    assert journey.refresh().status == DossierStatus.PUBLIC_POSTING
    with pytest.raises(RuleViolation, match="The response is empty."):
        assessment.comment_respond(actor=journey.commune_officer, comment=first, response="  ")
    assessment.comment_respond(actor=journey.commune_officer, comment=first,
                               response="Tiếp thu, hoàn thành trong quý II")
    first.refresh_from_db()
    assert first.response == "Tiếp thu, hoàn thành trong quý II"
    event = AuditEvent.objects.get(dossier_id=journey.dossier.pk, action="comment.respond")
    assert (event.before, event.after) == (
        {"response": ""}, {"response": "Tiếp thu, hoàn thành trong quý II"})
    services.posting_close(actor=journey.commune_officer, dossier=journey.dossier)
    assert journey.refresh().status == DossierStatus.SURVEY
    # Once the posting is closed the responses are final.
    with pytest.raises(RuleViolation, match="Not possible while the dossier is"):
        assessment.comment_respond(actor=journey.commune_officer, comment=first,
                                   response="Sửa")


def test_only_the_commune_answers_comments(journey, kit):
    journey.self_assess()
    journey.post()
    first = comment(journey, TODAY)
    with pytest.raises(Exception) as refused:
        assessment.comment_respond(actor=kit.users["so_xd"], comment=first, response="Không")
    assert type(refused.value).__name__ == "NotAllowed"
    first.refresh_from_db()
    assert first.response == ""


# --- decision and announcement -----------------------------------------------------------
def decide(journey, signed_on: dt.date):
    return services.decision_record(
        actor=journey.u("chu_tich"), dossier=journey.dossier, number="45/QĐ-UBND",
        signed_on=signed_on, signer_name="Võ Trọng Hải", signer_title="Chủ tịch UBND tỉnh",
        upload=pdf("decision"), name="quyet-dinh.pdf")


def test_decision_and_announcement_dates_are_plausible(journey):
    journey.to_awaiting_decision()  # the council approved today, 16/03/2026
    for day, reason in (
            (dt.date(1900, 1, 1), "The decision cannot be dated 01/01/1900: the dossier was "
                                  "registered on 14/02/2026."),
            (dt.date(2026, 3, 13), "The decision cannot be dated 13/03/2026: the council "
                                   "approved the dossier on 16/03/2026."),
            (dt.date(2026, 3, 17), "The decision cannot be dated 17/03/2026: that is in the "
                                   "future (today is 16/03/2026).")):
        with pytest.raises(RuleViolation) as refused:
            decide(journey, day)
        assert refused.value.problems == [reason]
        assert journey.refresh().status == DossierStatus.AWAITING_DECISION
        assert journey.dossier.decisions.count() == 0
    decide(journey, TODAY)
    assert journey.refresh().status == DossierStatus.RECOGNISED
    with pytest.raises(RuleViolation) as refused:
        services.dossier_announce(actor=journey.u("vpdp"), dossier=journey.dossier,
                                  announced_on=dt.date(9999, 12, 31), certificate_number="BK-1")
    assert refused.value.problems == [
        "The announcement cannot be dated 31/12/9999: that is in the future (today is "
        "16/03/2026)."]
    assert journey.refresh().announced_on is None
    assert journey.dossier.status == DossierStatus.RECOGNISED


# --- batch calendar ----------------------------------------------------------------------
def test_batch_due_dates_lie_near_the_recognition_year(kit):
    batch = kit.batch  # recognition year 2026
    for day in (dt.date(1900, 1, 1), dt.date(2024, 12, 31), dt.date(2028, 1, 1)):
        with pytest.raises(RuleViolation) as refused:
            batch_deadline_set(actor=kit.admin, batch=batch, step="council_vote", due_on=day,
                               reason="lịch")
        assert refused.value.problems == [
            "A due date of the 2026 batch must lie between 01/01/2025 and 31/12/2027, not on "
            + day.strftime("%d/%m/%Y") + "."]
    assert not BatchDeadline.objects.filter(batch=batch, step="council_vote").exists()
    for day in (dt.date(2025, 1, 1), dt.date(2027, 12, 31)):
        batch_deadline_set(actor=kit.admin, batch=batch, step="council_vote", due_on=day,
                           reason="lịch")
        assert BatchDeadline.objects.get(batch=batch, step="council_vote").due_on == day


# --- survey households -------------------------------------------------------------------
def to_survey(journey):
    journey.self_assess()
    journey.post()
    journey.close_posting()
    village = journey.commune.villages.order_by("name").first()
    village.households = 120
    village.save()
    return journey, village


def log(journey, village, households: int, reason: str = ""):
    return assessment.survey_result_set(
        actor=journey.front_officer, dossier=journey.dossier, village=village,
        households=households, surveyed=1, satisfied=1, households_reason=reason)


def test_survey_households_must_match_the_registered_count(journey):
    journey, village = to_survey(journey)
    assert journey.dossier.regulation.survey_households_tolerance == 10  # the default
    with pytest.raises(RuleViolation) as refused:
        log(journey, village, 1)
    assert refused.value.problems == [
        f"{village.name} has 120 registered households, but the survey counts 1 (more than "
        "10% apart): correct the figure or write why it differs."]
    with pytest.raises(RuleViolation):
        log(journey, village, 133)  # 13 of 120 is 10.8% apart
    assert not SurveyResult.objects.filter(dossier=journey.dossier).exists()
    assert log(journey, village, 132).households == 132  # 12 of 120: exactly 10%
    assert log(journey, village, 108).households == 108  # -12 of 120: exactly 10%
    row = log(journey, village, 1, reason="Thôn mới sáp nhập, chỉ còn 1 hộ ở lại")
    assert (row.households, row.households_reason) == (
        1, "Thôn mới sáp nhập, chỉ còn 1 hộ ở lại")
    event = AuditEvent.objects.filter(dossier_id=journey.dossier.pk,
                                      action="survey.result_set").order_by("-seq").first()
    assert event.after["households_reason"] == "Thôn mới sáp nhập, chỉ còn 1 hộ ở lại"


def test_the_households_tolerance_is_configurable(kit):
    profile = regulation_profile_publish(actor=kit.admin, province=kit.province,
                                         valid_from=dt.date(2026, 1, 1), reason="exact counts",
                                         survey_households_tolerance=0)
    journey = Journey.register(kit, kit.communes[1], Level.NTM)
    assert journey.dossier.regulation == profile
    journey, village = to_survey(journey)
    with pytest.raises(RuleViolation, match="more than 0% apart"):
        log(journey, village, 121)
    assert log(journey, village, 120).households == 120


# --- council meetings --------------------------------------------------------------------
def test_duplicate_meetings_are_refused(kit):
    office, council = kit.users["vpdp"], kit.agencies["council"]
    day = dt.datetime(2026, 3, 20, 8, tzinfo=TZ)
    meeting_create(actor=office, council=council, title="Phiên họp đợt 1", scheduled_for=day)
    with pytest.raises(RuleViolation) as refused:
        meeting_create(actor=office, council=council, title=" phiên họp đợt 1 ",
                       scheduled_for=day + dt.timedelta(hours=6))
    assert refused.value.problems == [
        "A council meeting “phiên họp đợt 1” on 20/03/2026 already exists in Hà Tĩnh."]
    assert CouncilMeeting.objects.filter(council=council).count() == 1
    meeting_create(actor=office, council=council, title="Phiên họp đợt 1",
                   scheduled_for=day + dt.timedelta(days=1))
    meeting_create(actor=office, council=council, title="Phiên họp đợt 2", scheduled_for=day)
    assert CouncilMeeting.objects.filter(council=council).count() == 3
