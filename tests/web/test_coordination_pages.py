"""The coordination office's batch board and the departments' appraisal board."""

import datetime as dt

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from demo.journey import Journey
from dossiers.models import BatchDeadline, CriterionAppraisal, Dossier
from tests.conftest import NOW, queries_of


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_batch_board_shows_progress_and_who_is_late(client, kit, journey, time_machine):
    journey.to_appraisal()
    for item in journey.items("xd"):
        from workflow import services

        services.appraisal_record(actor=kit.users["so_xd"], item=item, result="met")
    client.force_login(kit.users["vpdp"])
    page = client.get(reverse("batch", args=[kit.batch.pk]))
    assert page.status_code == 200
    row = page.context["rows"][0]
    assert (row.criteria_met, row.criteria_total) == (2, 10)
    # Monday 03/08/2026: the batch's appraisal date (10/08/2026) is a week ahead.
    assert row.late == []
    # Tuesday 11/08/2026: that date is past; the departments still appraising are late (the
    # Sở Xây dựng is done). The Front and the confirmations have the legal 15 working days
    # from the submission on 03/08: until 24/08.
    time_machine.move_to(dt.datetime(2026, 8, 11, 9, tzinfo=NOW.tzinfo))
    row = client.get(reverse("batch", args=[kit.batch.pk])).context["rows"][0]
    assert row.late == ["Công an tỉnh", "Sở Khoa học và Công nghệ", "Sở Nông nghiệp và Môi trường",
                        "Sở Nội vụ", "Sở Văn hóa"]


def test_batch_board_runs_the_same_queries_for_more_dossiers(client, kit, journey):
    journey.to_appraisal()
    client.force_login(kit.users["vpdp"])
    url = reverse("batch", args=[kit.batch.pk])
    client.get(url)
    few, page = queries_of(lambda: client.get(url))
    assert len(page.context["rows"]) == 1
    Journey.register(kit, kit.communes[1], "NTM").to_appraisal()
    many, page = queries_of(lambda: client.get(url))
    assert len(page.context["rows"]) == 2
    assert many == few


def test_registration_and_calendar_through_the_board(client, kit):
    client.force_login(kit.users["vpdp"])
    url = reverse("batch", args=[kit.batch.pk])
    client.post(url, {"action": "register", "commune": kit.communes[1].pk, "level": "NTM"})
    assert Dossier.objects.filter(commune=kit.communes[1], batch=kit.batch).exists()
    page = client.post(url, {"action": "deadline", "step": "council_vote", "due_on": "30/08/2026",
                             "reason": ""}, follow=True)
    # The registration's confirmation, then the refusal of a date change without a reason.
    assert messages_of(page) == ["Đã đăng ký cho xã.", "Lý do: Trường này là bắt buộc."]
    assert not BatchDeadline.objects.filter(step="council_vote").exists()
    client.post(url, {"action": "deadline", "step": "council_vote", "due_on": "30/08/2026",
                      "reason": "Kế hoạch đợt 1"})
    assert BatchDeadline.objects.get(step="council_vote").due_on.isoformat() == "2026-08-30"
    assert AuditEvent.objects.filter(action="batch.deadline_set", reason="Kế hoạch đợt 1").exists()


def test_only_the_provinces_coordination_office_sees_the_board(client, kit, other_kit):
    for user, status in ((other_kit.users["na_vpdp"], 404), (kit.users["so_xd"], 403),
                         (kit.users["thanh_tra"], 403)):
        client.force_login(user)
        assert client.get(reverse("batch", args=[kit.batch.pk])).status_code == status


def test_a_department_appraises_many_communes_at_once(client, kit, journey):
    journey.to_appraisal()
    second = Journey.register(kit, kit.communes[1], "NTM")
    second.to_appraisal()
    client.force_login(kit.users["so_xd"])
    page = client.get(reverse("appraisal_board"))
    items = list(page.context["items"])
    assert {i.dossier_id for i in items} == {journey.dossier.pk, second.dossier.pk}
    assert all(i.agency.code == "xd" for i in items) and len(items) == 4
    client.post(reverse("appraisal_board"), {f"result_{i.pk}": "met" for i in items})
    assert set(CriterionAppraisal.objects.filter(agency__code="xd").values_list(
        "status", flat=True)) == {"met"}
    client.force_login(kit.users["so_nn"])
    items = list(client.get(reverse("appraisal_board")).context["items"])
    # Criteria 3 and 8 of each of the two dossiers.
    assert sorted((i.dossier_id, i.criterion.number) for i in items) == [
        (d, n) for d in sorted((journey.dossier.pk, second.dossier.pk)) for n in (3, 8)]
    assert {i.agency.code for i in items} == {"nn"}


@pytest.mark.parametrize("to_member", [True, False])
def test_coordination_office_reassigns_a_task(client, kit, journey, to_member):
    task = journey.tasks_of("self_assessment")[0]
    client.force_login(kit.users["vpdp"])
    page = client.get(reverse("dossier", args=[journey.dossier.pk]))
    assert page.context["reassignable"]
    data = {"task": task.pk, "reason": "Phân công"}
    if to_member:
        data["to"] = journey.commune_officer.pk
    client.post(reverse("task_reassign", args=[journey.dossier.pk]), data)
    task.refresh_from_db()
    assert task.owner == (journey.commune_officer if to_member else None)
    client.force_login(kit.users["thanh_tra"])
    assert client.post(reverse("task_reassign", args=[journey.dossier.pk]),
                       data).status_code == 403


def test_reassign_with_bad_input_says_so(client, kit, journey):
    client.force_login(kit.users["vpdp"])
    response = client.post(reverse("task_reassign", args=[journey.dossier.pk]),
                           {"task": "abc", "reason": "x"}, follow=True)
    assert response.status_code == 200 and len(messages_of(response)) == 1
