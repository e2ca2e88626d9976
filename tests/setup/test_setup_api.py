"""The set-up API: a coordination office keeps to its own province; every change is audited
with what was before and what is after; closing a batch and deactivating a person."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient
from viewflow.workflow.status import STATUS

from audit.models import AuditEvent
from dossiers.models import Agency, Batch, Commune, Criterion, Indicator, Responsibility
from workflow import services


def as_user(user):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")  # messages asserted in their English source
    api.force_authenticate(user)
    return api


def last(action):
    return AuditEvent.objects.filter(action=action).order_by("-seq").first()


def test_another_provinces_office_finds_nothing_and_writes_nothing(kit, other_kit):
    outsider = as_user(other_kit.users["na_vpdp"])
    agency = kit.agencies["xd"]
    commune = kit.communes[0]
    person = kit.users["so_xd"]
    membership = person.memberships.get()
    responsibility = Responsibility.objects.filter(province=kit.province).first()
    criterion = Criterion.objects.filter(criteria_set__code="QD51-2025-NTM-XA", number=1).get()
    events = AuditEvent.objects.count()
    p = kit.province.pk
    attempts = [
        ("get", f"/api/setup/provinces/{p}/", None),
        ("post", f"/api/setup/provinces/{p}/import/", {}),
        ("put", f"/api/setup/provinces/{p}/reminder-policy/",
         {"days_before": "1", "overdue_every_days": 1, "escalate_after_days": 1}),
        ("get", f"/api/setup/agencies/{agency.pk}/", None),
        ("patch", f"/api/setup/agencies/{agency.pk}/", {"name": "Sở bị đổi tên"}),
        ("post", f"/api/setup/agencies/{agency.pk}/deactivate/", {"reason": "x"}),
        ("post", "/api/setup/agencies/", {"province": p, "kind": "department", "code": "moi",
                                          "name": "Sở mới"}),
        ("post", f"/api/setup/communes/{commune.pk}/classify/",
         {"group": 1, "group_decided_on": "2026-01-01"}),
        ("post", f"/api/setup/communes/{commune.pk}/villages/", {"name": "Thôn 9",
                                                                 "households": 10}),
        ("post", "/api/setup/districts/", {"province": p, "code": "999", "name": "Huyện X"}),
        ("post", "/api/setup/people/", {"agency": agency.pk, "username": "moi",
                                        "full_name": "Người Mới", "email": "moi@x.vn"}),
        ("patch", f"/api/setup/people/{person.pk}/", {"full_name": "Đổi Tên",
                                                      "email": "d@x.vn"}),
        ("post", f"/api/setup/people/{person.pk}/deactivate/", {"reason": "x"}),
        ("post", "/api/setup/memberships/", {"agency": agency.pk,
                                             "user": other_kit.users["na_so_xd"].pk}),
        ("delete", f"/api/setup/memberships/{membership.pk}/", {"reason": "x"}),
        ("post", "/api/setup/responsibilities/", {"province": p, "criterion": criterion.pk,
                                                  "agency": agency.pk}),
        ("delete", f"/api/setup/responsibilities/{responsibility.pk}/", {"reason": "x"}),
        ("post", "/api/setup/responsibilities/copy/", {"province": p, "criteria_set":
                                                       criterion.criteria_set_id,
                                                       "source_province":
                                                       other_kit.province.pk}),
        ("post", "/api/setup/regulation-profiles/", {"province": p, "valid_from": "2026-09-01",
                                                     "reason": "x"}),
        ("post", "/api/setup/batches/", {"province": p, "recognition_year": 2027,
                                         "number": 1}),
        ("patch", f"/api/setup/batches/{kit.batch.pk}/", {"title": "x", "closed": True,
                                                          "reason": "x"}),
        ("post", f"/api/setup/batches/{kit.batch.pk}/deadlines/",
         {"step": "council_vote", "due_on": "2026-09-15", "reason": "x"}),
    ]
    for method, url, body in attempts:
        response = getattr(outsider, method)(url, body, format="json")
        assert (url, response.status_code) == (url, 404)
    # The outsider's own lists hold only its province.
    listed = outsider.get("/api/setup/agencies/", {"province": p}).json()
    assert listed["count"] == 0
    own = outsider.get("/api/setup/communes/").json()
    assert {c["province"] for c in own["results"]} == {other_kit.province.pk}
    assert AuditEvent.objects.count() == events
    agency.refresh_from_db()
    kit.batch.refresh_from_db()
    assert (agency.name, agency.active, kit.batch.closed) == ("Sở Xây dựng", True, False)


def test_a_department_is_refused_the_set_up(kit):
    department = as_user(kit.users["so_xd"])
    assert department.get("/api/setup/agencies/").json()["count"] == 0
    response = department.post("/api/setup/batches/", {"province": kit.province.pk,
                                                       "recognition_year": 2027, "number": 1},
                               format="json")
    assert response.status_code == 404


def test_every_set_up_change_is_audited_with_before_and_after(kit, other_kit):
    office = as_user(kit.users["vpdp"])
    commune = kit.communes[0]
    response = office.post(f"/api/setup/communes/{commune.pk}/classify/", {
        "group": 3, "group_decided_on": "2026-02-01", "region": "Tây Nguyên",
        "region_decided_on": "2022-04-01", "reason": "Quyết định 12/QĐ-UBND"}, format="json")
    assert response.status_code == 200, response.json()
    event = last("commune.classify")
    assert event.before == {"group": 2, "group_decided_on": None, "region": "Bắc Trung Bộ",
                            "region_decided_on": None, "district": None}
    assert event.after == {"group": 3, "group_decided_on": "2026-02-01",
                           "region": "Tây Nguyên", "region_decided_on": "2022-04-01",
                           "district": None}
    assert (event.actor, event.agency_id, event.province_id, event.reason) == (
        kit.users["vpdp"], kit.agencies["coordination"].pk, kit.province.pk,
        "Quyết định 12/QĐ-UBND")

    agency = kit.agencies["xd"]
    office.patch(f"/api/setup/agencies/{agency.pk}/", {"name": "Sở Xây dựng Hà Tĩnh"},
                 format="json")
    event = last("agency.change")
    assert (event.before["name"], event.after["name"]) == ("Sở Xây dựng", "Sở Xây dựng Hà Tĩnh")

    created = office.post("/api/setup/agencies/", {
        "province": kit.province.pk, "kind": "mass_organisation", "code": "hlhpn",
        "name": "Hội Liên hiệp Phụ nữ tỉnh"}, format="json").json()
    event = last("agency.create")
    assert event.before is None
    assert event.after == {"kind": "mass_organisation", "code": "hlhpn",
                           "name": "Hội Liên hiệp Phụ nữ tỉnh", "commune": None,
                           "district": None, "confirms_debt": False,
                           "confirms_security": False, "active": True}

    # A mass organisation owns a single indicator, never a whole criterion.
    indicator = Indicator.objects.filter(criterion__criteria_set__code="QD318-2022-NTM-XA",
                                         code="19.2").get()
    whole = office.post("/api/setup/responsibilities/", {
        "province": kit.province.pk, "criterion": indicator.criterion_id,
        "agency": created["id"]}, format="json")
    assert whole.status_code == 400
    assert whole.json()["problems"] == [
        "A mass organisation appraises single indicators, not a whole criterion."]
    single = office.post("/api/setup/responsibilities/", {
        "province": kit.province.pk, "criterion": indicator.criterion_id,
        "indicator": indicator.pk, "agency": created["id"], "reason": "Phân công"},
        format="json")
    assert single.status_code == 201, single.json()
    event = last("responsibility.set")
    assert event.before == {"agency": kit.agencies["ca"].pk, "agency_name": "Công an tỉnh"}
    assert event.after == {"agency": created["id"], "agency_name": "Hội Liên hiệp Phụ nữ tỉnh",
                           "criterion": 19, "indicator": "19.2"}

    batch = office.patch(f"/api/setup/batches/{kit.batch.pk}/",
                         {"title": "Đợt 1", "closed": True, "reason": "Hết hạn đăng ký"},
                         format="json")
    assert batch.status_code == 200
    event = last("batch.close")
    assert event.before == {"recognition_year": 2026, "number": 1, "title": "", "closed": False}
    assert event.after == {"recognition_year": 2026, "number": 1, "title": "Đợt 1",
                           "closed": True}

    office.put(f"/api/setup/provinces/{kit.province.pk}/reminder-policy/",
               {"days_before": "5,2", "overdue_every_days": 1, "escalate_after_days": 2},
               format="json")
    event = last("reminder_policy.set")
    assert (event.before, event.after) == (None, {"days_before": "5,2", "overdue_every_days": 1,
                                                  "escalate_after_days": 2})

    profile = office.post("/api/setup/regulation-profiles/", {
        "province": kit.province.pk, "valid_from": "2026-09-01", "reason": "QĐ mới",
        "posting_days": 10}, format="json")
    assert profile.status_code == 201 and profile.json()["version"] == 2
    event = last("regulation.publish")
    assert (event.before["version"], event.before["posting_days"]) == (1, 15)
    assert (event.after["version"], event.after["posting_days"]) == (2, 10)

    person = kit.users["so_nn"]
    office.patch(f"/api/setup/people/{person.pk}/", {"full_name": "Lê Thị Hoa",
                                                     "email": "hoa@hatinh.example"},
                 format="json")
    event = last("account.change")
    assert (event.before["email"], event.after["email"]) == (person.email, "hoa@hatinh.example")
    assert (event.after["first_name"], event.after["last_name"]) == ("Lê Thị", "Hoa")

    copy = office.post("/api/setup/responsibilities/copy/", {
        "province": kit.province.pk, "criteria_set": indicator.criterion.criteria_set_id,
        "source_province": other_kit.province.pk}, format="json")
    assert copy.status_code == 200
    # Everything is mapped here already: kept, nothing copied.
    assert copy.json()["copied"] == []


def test_copy_the_mapping_from_another_province(kit, other_kit, admin_user):
    Responsibility.objects.filter(province=kit.province,
                                  criterion__criteria_set__code="QD51-2025-NTM-XA").delete()
    office = as_user(kit.users["vpdp"])
    criteria_set = Criterion.objects.filter(criteria_set__code="QD51-2025-NTM-XA").first() \
        .criteria_set
    response = office.post("/api/setup/responsibilities/copy/", {
        "province": kit.province.pk, "criteria_set": criteria_set.pk,
        "source_province": other_kit.province.pk}, format="json")
    assert response.status_code == 200
    assert response.json() == {"copied": [str(n) for n in range(1, 11)], "kept": [],
                               "skipped": []}
    mapping = dict(Responsibility.objects.filter(
        province=kit.province, criterion__criteria_set=criteria_set)
        .values_list("criterion__number", "agency__code"))
    assert mapping == {1: "xd", 2: "xd", 3: "nn", 4: "nv", 5: "vh", 6: "nv", 7: "kh", 8: "nn",
                       9: "nv", 10: "ca"}
    assert last("responsibility.set").reason == "copied from QD51-2025-NTM-XA, Nghệ An"


def test_a_closed_batch_takes_no_registration(kit):
    office = as_user(kit.users["vpdp"])
    office.patch(f"/api/setup/batches/{kit.batch.pk}/", {"title": "", "closed": True,
                                                         "reason": "Hết hạn"}, format="json")
    response = office.post("/api/dossiers/", {"commune": kit.communes[0].pk, "level": "NTM",
                                              "batch": kit.batch.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == ("Batch 1/2026 is closed: it takes no new registration. "
                                         "Register the dossier in an open batch.")
    assert not kit.batch.dossiers.exists()
    refused = office.patch(f"/api/setup/batches/{kit.batch.pk}/",
                           {"title": "", "closed": False}, format="json")
    assert refused.json()["problems"] == ["Say why the batch is closed or reopened."]
    assert Batch.objects.get(pk=kit.batch.pk).closed is True


def test_deactivation_returns_open_tasks_to_the_agencys_queue(journey, kit):
    journey.to_appraisal()
    xd = kit.agencies["xd"]
    task = next(t for t in journey.tasks_of("department_appraisal")
                if t.owner_permission_obj_pk == str(xd.pk))
    person = kit.users["so_xd"]
    services.task_reassign(actor=kit.users["vpdp"], task=task, to=person, reason="Phân công")
    response = as_user(kit.users["vpdp"]).post(f"/api/setup/people/{person.pk}/deactivate/",
                                               {"reason": "Nghỉ hưu"}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    task.refresh_from_db()
    person.refresh_from_db()
    assert (task.status, task.owner_id, task.owner_permission_obj_pk) == (STATUS.NEW, None,
                                                                          str(xd.pk))
    assert (person.is_active, list(person.groups.all())) == (False, [])
    assert not person.has_perm("dossiers.act_for_agency", xd)
    event = last("account.deactivate")
    assert event.before == {"is_active": True, "groups": [xd.group.name]}
    assert event.after == {"is_active": False, "groups": []}
    assert event.reason == "Nghỉ hưu"
    event = last("task.unassign")
    assert (event.before, event.after, event.dossier_id) == (
        {"owner": person.pk, "owner_name": "so_xd"}, {"owner": None, "owner_name": None},
        journey.dossier.pk)
    # Still a member (the history stays), in no group while inactive; reactivated, back in.
    assert Agency.objects.filter(memberships__user=person).get() == xd
    as_user(kit.users["vpdp"]).post(f"/api/setup/people/{person.pk}/reactivate/",
                                    {"reason": "Quay lại"}, format="json")
    assert list(Group.objects.filter(user=person)) == [xd.group]


@pytest.mark.parametrize("body, problems", [
    ({"group": 1}, ["Give the date the commune's group was decided."]),
    ({"group": None, "region": "Tây Nguyên"}, ["Give the date the commune's region was decided."]),
])
def test_classification_needs_its_dates(kit, body, problems):
    response = as_user(kit.users["vpdp"]).post(
        f"/api/setup/communes/{kit.communes[0].pk}/classify/", body, format="json")
    assert (response.status_code, response.json()["problems"]) == (400, problems)
    assert Commune.objects.get(pk=kit.communes[0].pk).group == 2


def test_bad_input_is_refused_in_words(kit):
    office = as_user(kit.users["vpdp"])
    response = office.post("/api/setup/people/", {
        "agency": kit.agencies["xd"].pk, "username": "so_xd", "full_name": " ",
        "email": "khong-phai-email"}, format="json")
    assert response.status_code == 400
    assert sorted(response.json()) == ["email", "full_name"]
    response = office.post("/api/setup/people/", {
        "agency": kit.agencies["xd"].pk, "username": "so_xd", "full_name": "Lê Văn A",
        "email": "a@hatinh.example"}, format="json")
    assert response.json()["problems"] == ["The login name “so_xd” is taken."]
    assert office.post("/api/setup/batches/", {"province": kit.province.pk,
                                               "recognition_year": 2026, "number": 1},
                       format="json").json()["problems"] == ["Batch 1 of 2026 already exists."]
