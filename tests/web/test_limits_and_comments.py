"""The legal time limit and the public comments on the pages, in the API and in reminders.

Today is fixed with time_machine. The dossier is submitted (the province receives it) on
Thursday 12 February 2026; 15 working days later, Tết 2026 (Monday 16 to Friday 20
February) and the weekends skipped, is Thursday 12 March 2026: the legal due date.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from demo.journey import Journey
from dossiers.models import DossierStatus, Level
from dossiers.services import assessment
from dossiers.services.setup import batch_deadline_set
from notifications import services as reminders
from notifications.models import Reminder

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SUBMITTED = dt.date(2026, 2, 12)
DUE = dt.date(2026, 3, 12)


def morning(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=TZ)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(morning(SUBMITTED), tick=True) as traveller:
        yield traveller


@pytest.fixture
def received(journey, clock):
    journey.to_appraisal()
    return journey


def test_dossier_page_shows_the_legal_due_date_and_lateness(client, received, kit, clock):
    client.force_login(kit.users["vpdp"])
    url = reverse("dossier", args=[received.dossier.pk])
    page = client.get(url)
    limit = page.context["legal_limit"]
    assert (limit.received_on, limit.due_on, limit.late) == (SUBMITTED, DUE, False)
    assert b'id="legal-limit"' in page.content
    assert b'id="legal-limit" class="overdue"' not in page.content
    assert b"12/03/2026" in page.content

    clock.move_to(morning(dt.date(2026, 3, 16)))  # Monday: 4 days late
    client.force_login(kit.users["vpdp"])  # the session of a month ago has expired
    page = client.get(url)
    assert (page.context["legal_limit"].late, page.context["legal_limit"].days_late) == (True, 4)
    assert b'id="legal-limit" class="overdue"' in page.content


def test_batch_board_lists_the_legally_late(client, received, kit, clock):
    clock.move_to(morning(dt.date(2026, 3, 13)))
    client.force_login(kit.users["vpdp"])
    rows = client.get(reverse("batch", args=[kit.batch.pk])).context["rows"]
    by_dossier = {r.dossier.pk: r.legal for r in rows}
    assert set(by_dossier) == {received.dossier.pk}
    assert (by_dossier[received.dossier.pk].due_on, by_dossier[received.dossier.pk].late) == (
        DUE, True)


def test_api_shows_the_legal_due_date_and_filters_the_late(received, kit, clock):
    api = APIClient()
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")  # messages asserted in English
    api.force_authenticate(kit.users["vpdp"])
    fresh = Journey.register(kit, kit.communes[1], Level.NTM)  # not received by the province
    rows = {d["id"]: d for d in api.get("/api/dossiers/").json()["results"]}
    assert (rows[received.dossier.pk]["legal_due_on"], rows[received.dossier.pk]["legally_late"]
            ) == ("2026-03-12", False)
    assert (rows[fresh.dossier.pk]["legal_due_on"], rows[fresh.dossier.pk]["legally_late"]) == (
        None, False)
    assert api.get("/api/dossiers/?legally_late=true").json()["results"] == []

    clock.move_to(morning(dt.date(2026, 3, 13)))
    late = api.get("/api/dossiers/?legally_late=true").json()["results"]
    assert [(d["id"], d["legally_late"], d["days_late"]) for d in late] == [
        (received.dossier.pk, True, 1)]
    assert [d["id"] for d in api.get("/api/dossiers/?legally_late=false").json()["results"]
            ] == [fresh.dossier.pk]
    one = api.get(f"/api/dossiers/{received.dossier.pk}/").json()
    assert (one["legal_due_on"], one["legally_late"]) == ("2026-03-12", True)


def test_the_sweep_reminds_the_coordination_office_of_legal_lateness(received, kit, clock):
    # Give the province's steps batch dates far ahead: only the legal limit is passed.
    for step in ("department_appraisal", "survey_appraisal", "debt_confirmation",
                 "security_confirmation"):
        batch_deadline_set(actor=kit.admin, batch=kit.batch, step=step,
                           due_on=dt.date(2026, 8, 10), reason="lịch")

    def legal_points(day):
        result = reminders.sweep(now=morning(day))
        return sorted((p.recipient.username, p.point, p.deadline.due_on) for p in result.planned
                      if p.kind == Reminder.Kind.LEGAL_LIMIT)

    assert legal_points(DUE) == []
    # Fri 13/03: one day late; the default policy reminds every 2 days while overdue.
    assert legal_points(dt.date(2026, 3, 13)) == [("vpdp", "legal:0", DUE)]
    assert legal_points(dt.date(2026, 3, 14)) == []  # already told at this point
    assert legal_points(dt.date(2026, 3, 15)) == [("vpdp", "legal:1", DUE)]
    stored = Reminder.objects.filter(kind=Reminder.Kind.LEGAL_LIMIT)
    assert sorted(stored.values_list("point", flat=True)) == ["legal:0", "legal:1"]
    assert {r.dossier_id for r in stored} == {received.dossier.pk}


# --- comments on the page and in the API --------------------------------------------------
@pytest.fixture
def posting(journey):
    journey.self_assess()
    journey.post()  # 20 days ago: 23/01/2026
    return journey


def test_comments_are_listed_and_answered_on_the_page(client, posting):
    officer = posting.commune_officer
    comment = assessment.comment_record(actor=officer, dossier=posting.dossier,
                                        author="Lê Văn C", content="Thiếu đèn đường",
                                        received_on=SUBMITTED)
    client.force_login(officer)
    url = reverse("dossier", args=[posting.dossier.pk])
    page = client.get(url)
    assert [c.pk for c in page.context["comments"]] == [comment.pk]
    assert "Thiếu đèn đường" in page.content.decode()
    action = reverse("dossier_action", args=[posting.dossier.pk, "comment_response"])
    assert action.encode() in page.content

    client.post(action, {"comment": comment.pk, "response": ""})
    page = client.get(url)
    comment.refresh_from_db()
    assert comment.response == ""
    assert [m.level_tag for m in page.context["messages"]] == ["error"]

    client.post(action, {"comment": comment.pk, "response": "Sẽ lắp trong tháng 4"})
    comment.refresh_from_db()
    assert comment.response == "Sẽ lắp trong tháng 4"
    assert AuditEvent.objects.filter(dossier_id=posting.dossier.pk,
                                     action="comment.respond").count() == 1
    client.post(reverse("dossier_action", args=[posting.dossier.pk, "close_posting"]))
    assert posting.refresh().status == DossierStatus.SURVEY


def test_comments_are_listed_and_answered_in_the_api(posting, kit):
    api = APIClient()
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")  # messages asserted in English
    api.force_authenticate(posting.commune_officer)
    base = f"/api/dossiers/{posting.dossier.pk}/comments/"
    created = api.post(base, {"author": "Lê Văn C", "content": "Thiếu đèn đường",
                              "received_on": "2026-02-12"}, format="json")
    assert created.status_code == 201
    comment_id = created.json()["id"]
    refused = api.post(base, {"author": "Lê Văn C", "content": "x",
                              "received_on": "1900-01-01"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["problems"] == [
        "A public comment cannot be dated 01/01/1900: the dossier was registered on "
        "13/01/2026."]
    assert [(c["id"], c["response"]) for c in api.get(base).json()] == [(comment_id, "")]
    assert api.post(f"/api/dossiers/{posting.dossier.pk}/close-posting/").status_code == 400

    answered = api.post(f"{base}{comment_id}/respond/", {"response": "Tiếp thu"},
                        format="json")
    assert (answered.status_code, answered.json()["response"]) == (200, "Tiếp thu")
    assert api.post(f"/api/dossiers/{posting.dossier.pk}/close-posting/").status_code == 200

    # A department does not see the dossier before the appraisal.
    api.force_authenticate(kit.users["so_xd"])
    refused = api.post(f"{base}{comment_id}/respond/", {"response": "x"}, format="json")
    assert refused.status_code == 404


def test_survey_households_reason_in_the_api(journey):
    journey.self_assess()
    journey.post()
    journey.close_posting()
    village = journey.commune.villages.order_by("name").first()
    api = APIClient()
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")  # messages asserted in English
    api.force_authenticate(journey.front_officer)
    url = f"/api/dossiers/{journey.dossier.pk}/survey/"
    figures = {"village": village.pk, "households": 1, "surveyed": 1, "satisfied": 1}
    refused = api.post(url, figures, format="json")
    assert refused.status_code == 400
    assert refused.json()["problems"] == [
        f"{village.name} has {village.households} registered households, but the survey counts "
        "1 (more than 10% apart): correct the figure or write why it differs."]
    assert not journey.dossier.survey_results.exists()
    accepted = api.post(url, {**figures, "households_reason": "Thôn đã giải thể"},
                        format="json")
    assert accepted.status_code == 200
    row = journey.dossier.survey_results.get()
    assert (row.households, row.households_reason) == (1, "Thôn đã giải thể")
