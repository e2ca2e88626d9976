"""The REST API: the same rights as the pages, JSON errors a person can act on."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from demo.journey import Journey
from dossiers.models import CriterionAppraisal, DossierStatus
from dossiers.services.setup import batch_create
from tests.conftest import queries_of


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def test_anonymous_is_refused(api, journey):
    response = api.get("/api/dossiers/")
    # Session authentication comes first: DRF answers 403 (no WWW-Authenticate challenge).
    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_token_authentication(api, journey):
    token = Token.objects.create(user=journey.commune_officer)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/dossiers/")
    assert response.status_code == 200
    assert [d["id"] for d in response.json()["results"]] == [journey.dossier.pk]


def test_other_province_sees_nothing(api, journey, other_kit):
    outsider = other_kit.users["na_vpdp"]
    as_user(api, outsider)
    assert api.get("/api/dossiers/").json()["results"] == []
    assert api.get(f"/api/dossiers/{journey.dossier.pk}/").status_code == 404
    assert api.post(f"/api/dossiers/{journey.dossier.pk}/submit/").status_code == 404
    assert api.get("/api/appraisals/").json()["results"] == []


def test_another_department_cannot_appraise(api, journey, kit):
    journey.to_appraisal()
    item = CriterionAppraisal.objects.filter(dossier=journey.dossier, agency__code="xd").first()
    as_user(api, kit.users["so_nn"])
    response = api.post(f"/api/appraisals/{item.pk}/record/", {"result": "met"}, format="json")
    assert response.status_code == 403
    assert "Sở Xây dựng" in response.json()["detail"]
    as_user(api, kit.users["so_xd"])
    response = api.post(f"/api/appraisals/{item.pk}/record/", {"result": "met"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "met"


def test_auditor_reads_but_cannot_write(api, journey, kit):
    auditor = kit.users["thanh_tra"]
    as_user(api, auditor)
    assert api.get(f"/api/dossiers/{journey.dossier.pk}/").status_code == 200
    assert api.get(f"/api/dossiers/{journey.dossier.pk}/audit/").status_code == 200
    assert api.get("/api/audit-events/").status_code == 200
    criterion = journey.dossier.criteria_set.criteria.first()
    response = api.post(f"/api/dossiers/{journey.dossier.pk}/self-assessment/",
                        {"criterion": criterion.pk, "met": True}, format="json")
    assert response.status_code == 403 and response.json()["detail"]
    assert api.post(f"/api/dossiers/{journey.dossier.pk}/publish/", {}).status_code == 403


def test_bad_input_and_refusals_are_json_not_500(api, journey):
    officer = journey.commune_officer
    as_user(api, officer)
    url = f"/api/dossiers/{journey.dossier.pk}/"
    response = api.post(url + "self-assessment/", {"criterion": "abc"}, format="json")
    assert response.status_code == 400 and sorted(response.json()) == ["criterion"]
    response = api.post(url + "publish/", {}, format="json")
    assert response.status_code == 400
    unfinished = ("Chưa hoàn thành tự đánh giá: còn 10 nội dung chưa có kết quả "
                  "(1, 2, 3, 4, 5, 6, 7, 8, 9, 10).")
    assert response.json() == {"detail": unfinished, "problems": [unfinished]}
    response = api.post(url + "publish/", {"posting_starts_on": "31/02/2026"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["posting_starts_on"]
    assert journey.refresh().status == DossierStatus.SELF_ASSESSMENT
    assert api.get("/api/dossiers/999999/").status_code == 404


def test_a_commune_works_through_the_api(api, journey):
    as_user(api, journey.commune_officer)
    url = f"/api/dossiers/{journey.dossier.pk}/"
    for criterion in journey.dossier.criteria_set.criteria.all():
        response = api.post(url + "self-assessment/", {"criterion": criterion.pk, "value": "đạt",
                                                       "met": True}, format="json")
        assert response.status_code == 200, response.json()
    registered = timezone.localdate(journey.dossier.registered_at).isoformat()
    response = api.post(url + "publish/", {"posting_starts_on": registered}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == DossierStatus.PUBLIC_POSTING
    conditions = api.get(url + "conditions/").json()
    assert [c["key"] for c in conditions] == ["criteria", "satisfaction", "debt", "security"]
    tasks = api.get("/api/tasks/").json()["results"]
    assert [t["step"] for t in tasks] == ["public_posting"]
    assert api.get("/api/tasks/", {"queue": "mine"}).json()["results"] == []
    assert api.get("/api/tasks/", {"dossier": journey.dossier.pk + 1}).json()["results"] == []
    assert len(api.get("/api/tasks/", {"dossier": journey.dossier.pk}).json()["results"]) == 1


# Each list and who reads it: the coordination office, or a department for its own tasks.
LISTS = {"/api/dossiers/": "vpdp", "/api/appraisals/": "vpdp", "/api/batches/": "vpdp",
         "/api/tasks/": "so_xd"}


def test_list_endpoints_run_the_same_queries_for_more_rows(api, kit, journey):
    journey.to_appraisal()

    def measure():
        counts = {}
        for endpoint, username in LISTS.items():
            as_user(api, kit.users[username])
            api.get(endpoint)  # warm
            counts[endpoint], response = queries_of(lambda e=endpoint: api.get(e))
            counts[endpoint] = (counts[endpoint], response.json()["count"])
        return counts

    few = measure()
    # More dossiers, appraisal items and tasks (a second dossier in appraisal), more batches
    # with their deadlines (a second batch).
    Journey.register(kit, kit.communes[1], "NTM").to_appraisal()
    batch_create(actor=kit.admin, province=kit.province, recognition_year=2026, number=2,
                 deadlines={"department_appraisal": dt.date(2026, 11, 30),
                            "council_vote": dt.date(2026, 12, 15)})
    many = measure()
    assert {e: rows for e, (_n, rows) in few.items()} == {
        "/api/dossiers/": 1, "/api/appraisals/": 10, "/api/batches/": 1, "/api/tasks/": 1}
    assert {e: rows for e, (_n, rows) in many.items()} == {
        "/api/dossiers/": 2, "/api/appraisals/": 20, "/api/batches/": 2, "/api/tasks/": 2}
    assert {e: n for e, (n, _rows) in many.items()} == {e: n for e, (n, _rows) in few.items()}


def test_schema_and_docs_load_nothing_from_outside(client, kit):
    client.force_login(kit.users["vpdp"])
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/dossiers/" in schema.content
    docs = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in docs
    for outside in ("cdn.", "unpkg", "jsdelivr", "https://"):
        assert outside not in docs


ENDPOINTS = [
    ("post", "dossiers/{d}/self-assessment/", {"criterion": 0, "met": True}),
    ("post", "dossiers/{d}/publish/", {}),
    ("post", "dossiers/{d}/close-posting/", {}),
    ("post", "dossiers/{d}/survey/", {"village": 0, "households": 1, "surveyed": 1,
                                      "satisfied": 1}),
    ("post", "dossiers/{d}/finish-survey/", {}),
    ("post", "dossiers/{d}/submit/", {}),
    ("post", "dossiers/{d}/survey-appraisal/", {"process_sound": True}),
    ("post", "dossiers/{d}/confirmations/", {"kind": "debt", "holds": True}),
    ("post", "dossiers/{d}/schedule/", {"meeting": 0, "report": "x"}),
    ("post", "dossiers/{d}/refuse/", {"reason": "x"}),
    ("post", "dossiers/{d}/announce/", {"announced_on": "2026-01-01",
                                        "certificate_number": "x"}),
    ("post", "appraisals/{i}/record/", {"result": "met"}),
    ("post", "appraisals/{i}/answer/", {"response": "x"}),
    ("post", "batches/{b}/deadlines/", {"step": "council_vote", "due_on": "2026-12-01",
                                        "reason": "x"}),
]


def test_every_write_endpoint_refuses_the_auditor_and_other_provinces(api, kit, other_kit,
                                                                      journey):
    journey.to_appraisal()
    item = CriterionAppraisal.objects.filter(dossier=journey.dossier).first()
    criterion = journey.dossier.criteria_set.criteria.first()
    meeting = journey.new_meeting()
    before = journey.refresh().status
    for method, path, body in ENDPOINTS:
        url = "/api/" + path.format(d=journey.dossier.pk, i=item.pk, b=kit.batch.pk)
        body = dict(body)
        if "criterion" in body:
            body["criterion"] = criterion.pk
        if "village" in body:
            body["village"] = journey.commune.villages.first().pk
        if "meeting" in body:
            body["meeting"] = meeting.pk
        # The auditor reads the dossier but may not act (403); other provinces do not even
        # see it (404).
        for user, expected in ((kit.users["thanh_tra"], 403),
                               (other_kit.users["na_vpdp"], 404),
                               (other_kit.users["na_so_xd"], 404)):
            as_user(api, user)
            response = getattr(api, method)(url, body, format="json")
            assert response.status_code == expected, (url, user, response.status_code,
                                                      response.content)
            assert response.json()["detail"]
    assert journey.refresh().status == before
    assert not CriterionAppraisal.objects.filter(dossier=journey.dossier).exclude(
        status="pending").exists()


def test_another_department_cannot_answer_or_read_other_items(api, kit, journey):
    journey.to_appraisal()
    as_user(api, kit.users["so_nn"])
    items = api.get("/api/appraisals/", {"agency": kit.agencies["xd"].pk}).json()["results"]
    # A department sees the dossier's items (it may read the dossier) but cannot rule on
    # another department's: the Sở Xây dựng's two (criteria 1 and 2).
    assert len(items) == 2 and {i["agency"] for i in items} == {kit.agencies["xd"].pk}
    response = api.post(f"/api/appraisals/{items[0]['id']}/record/", {"result": "met"},
                        format="json")
    assert response.status_code == 403


def test_meeting_vote_decision_and_upload_endpoints_refuse_outsiders(api, kit, other_kit,
                                                                     journey):
    from django.core.files.uploadedfile import SimpleUploadedFile

    journey.to_consolidation()
    item = journey.schedule()
    meeting = journey.meeting
    criterion = journey.dossier.criteria_set.criteria.first()
    d = journey.dossier.pk
    calls = [
        ("post", f"/api/meetings/{meeting.pk}/open/", {"present": [kit.council_members[0].pk]},
         "json"),
        ("post", f"/api/meetings/{meeting.pk}/close/", {}, "json"),
        ("post", "/api/meetings/", {"council": kit.agencies["council"].pk, "title": "x",
                                    "scheduled_for": "2026-12-01T08:00:00+07:00"}, "json"),
        ("post", f"/api/agenda-items/{item.pk}/vote/", {"in_favour": True}, "json"),
        ("post", f"/api/agenda-items/{item.pk}/close/", {}, "json"),
        ("post", "/api/dossiers/", {"commune": kit.communes[1].pk, "level": "NTM",
                                    "batch": kit.batch.pk}, "json"),
    ]
    uploads = [
        (f"/api/dossiers/{d}/decision/", {"number": "1", "signed_on": "2026-01-01",
                                          "signer_name": "x", "signer_title": "x"}),
        (f"/api/dossiers/{d}/evidence/", {"criterion": criterion.pk}),
        (f"/api/dossiers/{d}/documents/", {"kind": "other"}),
    ]
    for user in (kit.users["thanh_tra"], other_kit.users["na_vpdp"], kit.users["so_xd"]):
        as_user(api, user)
        outsider = user == other_kit.users["na_vpdp"]
        for method, url, body, fmt in calls:
            response = getattr(api, method)(url, body, format=fmt)
            # Another province does not see this province's objects, neither in the path nor
            # named in a creation (404, as if absent); a role of this province without the
            # right is refused (403).
            expected = 404 if outsider else 403
            assert response.status_code == expected, (user, url, response.content)
        for url, body in uploads:
            upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
            response = api.post(url, {**body, "file": upload}, format="multipart")
            assert response.status_code == (404 if outsider else 403), (user, url,
                                                                        response.content)
    assert journey.refresh().status == DossierStatus.COUNCIL
    assert item.votes.count() == 0


def test_audit_events_endpoint_is_for_reviewers_of_the_province(api, kit, other_kit, journey):
    as_user(api, kit.users["so_xd"])
    assert api.get("/api/audit-events/").status_code == 403
    as_user(api, other_kit.users["na_thanh_tra"])
    seen = {e["dossier"] for e in api.get("/api/audit-events/", {"page_size": 500}).json()[
        "results"]}
    assert journey.dossier.pk not in seen
    assert api.get(f"/api/dossiers/{journey.dossier.pk}/audit/").status_code == 404
