"""Services refuse what a column cannot take, with a message, and write nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from dossiers.columns import instance_problems, no_control_characters
from dossiers.exceptions import RuleViolation
from dossiers.models import CouncilMeeting, PublicComment, SurveyResult
from dossiers.services import assessment
from dossiers.services.council import meeting_create


def test_instance_problems_name_each_field():
    meeting = CouncilMeeting(title="T" * 201, members_total=40000)
    meeting.title = "Họp\x0bhội đồng" + "x" * 200
    assert instance_problems(meeting) == [
        "Title contains a control character (U+000B): remove it.",
        "Title is longer than 200 characters.",
        "Council members must be between 0 and 32767.",
    ]


def test_tab_and_line_breaks_are_text():
    no_control_characters("dòng 1\r\ndòng 2\tcột")
    with pytest.raises(Exception, match=r"U\+001B"):
        no_control_characters("nợ\x1b[31m")


def test_service_refuses_a_control_character_and_writes_nothing(journey):
    journey.self_assess()
    journey.post()
    events = AuditEvent.objects.count()
    with pytest.raises(RuleViolation) as refused:
        assessment.comment_record(actor=journey.commune_officer, dossier=journey.dossier,
                                  author="Nguyễn Văn A", content="thiếu\x0bhồ sơ",
                                  received_on=timezone.localdate())
    assert refused.value.problems == [
        "Comment contains a control character (U+000B): remove it."]
    assert PublicComment.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_service_refuses_an_integer_beyond_its_column(journey):
    journey.self_assess()
    journey.post()
    journey.close_posting()
    village = journey.commune.villages.order_by("pk").first()
    events = AuditEvent.objects.count()
    with pytest.raises(RuleViolation) as refused:
        assessment.survey_result_set(actor=journey.front_officer, dossier=journey.dossier,
                                     village=village, households=2**31, surveyed=1,
                                     satisfied=1, households_reason="Số liệu thử")
    assert refused.value.problems == ["Households must be between 0 and 2147483647."]
    assert SurveyResult.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_meeting_title_beyond_its_column_is_refused(journey, kit):
    with pytest.raises(ValidationError, match="at most 200 characters"):
        meeting_create(actor=kit.users["vpdp"], council=kit.agencies["council"],
                       title="T" * 201, scheduled_for=timezone.now())
    assert CouncilMeeting.objects.count() == 0
