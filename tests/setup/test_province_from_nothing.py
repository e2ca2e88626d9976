"""A province set up from nothing through the API by an administrator, then a dossier of it
taken to a decision through the API (the step endpoints of ``web.api.views``)."""

import datetime as dt
import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from audit.models import AuditEvent
from demo.files import pdf as pdf_bytes
from dossiers.models import DossierDocument, DossierStatus
from tests.conftest import NOW

SET_2026 = "QD51-2025-NTM-XA"

AGENCIES = [  # key, kind, code, name, flags
    ("ubnd", "commune_committee", "ubnd-xa", "UBND xã", {}),
    ("mttq", "commune_front", "mttq-xa", "MTTQ xã", {}),
    ("front", "provincial_front", "mttq-tinh", "Ủy ban MTTQ tỉnh", {}),
    ("vpdp", "coordination_office", "vpdp", "Văn phòng Điều phối NTM tỉnh", {}),
    ("ubnd_tinh", "provincial_committee", "ubnd-tinh", "UBND tỉnh", {}),
    ("council", "council", "hoi-dong", "Hội đồng thẩm định", {}),
    ("xd", "department", "xd", "Sở Xây dựng", {}),
    ("nn", "department", "nn", "Sở Nông nghiệp và Môi trường", {}),
    ("tc", "department", "tc", "Sở Tài chính", {"confirms_debt": True}),
    ("ca", "department", "ca", "Công an tỉnh", {"confirms_security": True}),
    ("hlhpn", "mass_organisation", "hlhpn", "Hội Liên hiệp Phụ nữ tỉnh", {}),
]


def pdf(name):
    return SimpleUploadedFile(f"{name}.pdf", pdf_bytes(name).getvalue(),
                              content_type="application/pdf")


class Caller:
    """One API client per person, authenticated as them."""

    def __init__(self, user):
        self.client = APIClient()
        self.client.force_authenticate(user)

    def post(self, url, data=None, *, expect=201, multipart=False):
        response = self.client.post(url, data or {},
                                    format="multipart" if multipart else "json")
        assert response.status_code == expect, (url, response.content[:1000])
        return response.json() if response.content else None

    def get(self, url, params=None):
        response = self.client.get(url, params or {})
        assert response.status_code == 200, (url, response.content[:500])
        return response.json()


def set_province_up(admin_user, on_commit):
    """Everything a province needs, through the set-up API, as the administrator.
    Returns the people by key and the ids the dossier needs. The invitations leave once
    their transaction commits (``on_commit``: pytest-django's capture, executing them)."""
    with on_commit(execute=True):
        return _set_province_up(admin_user)


def _set_province_up(admin_user):
    admin = Caller(admin_user)
    province = admin.post("/api/setup/provinces/", {"code": 42})
    assert (province["code"], province["name"]) == ("42", "Hà Tĩnh")
    communes = admin.get("/api/setup/communes/", {"province": province["id"]})
    assert communes["count"] == 69
    commune = communes["results"][0]
    classified = admin.post(f"/api/setup/communes/{commune['id']}/classify/",
                            {"group": 2, "group_decided_on": "2026-01-15",
                             "region": "Bắc Trung Bộ", "region_decided_on": "2022-05-01"},
                            expect=200)
    assert (classified["group"], classified["region"]) == (2, "Bắc Trung Bộ")
    for name, households in (("Thôn 1", 120), ("Thôn 2", 140)):
        admin.post(f"/api/setup/communes/{commune['id']}/villages/",
                   {"name": name, "households": households})
    agencies = {}
    for key, kind, code, name, flags in AGENCIES:
        agencies[key] = admin.post("/api/setup/agencies/", {
            "province": province["id"], "kind": kind, "code": code, "name": name,
            "commune": commune["id"] if kind.startswith("commune") else None, **flags})["id"]
    people = {}
    members = [(key, key, {}) for key in ("ubnd", "mttq", "front", "vpdp", "xd", "nn", "tc", "ca")]
    members += [("ubnd_tinh", "chu_tich", {"is_head": True})]
    members += [("council", f"hd{n}", {"is_head": n == 1}) for n in range(1, 4)]
    for agency_key, username, flags in members:
        people[username] = admin.post("/api/setup/people/", {
            "agency": agencies[agency_key], "username": f"ht_{username}",
            "full_name": f"Nguyễn Văn {username}", "email": f"{username}@hatinh.example",
            "title": "Chuyên viên", "phone": "0239 3855 000", **flags})["id"]
    criteria_set = next(cs for cs in admin.get("/api/setup/criteria-sets/")["results"]
                        if cs["code"] == SET_2026)
    for criterion in criteria_set["criteria"]:
        owner = "xd" if criterion["number"] <= 5 else "nn"
        admin.post("/api/setup/responsibilities/", {
            "province": province["id"], "criterion": criterion["id"],
            "agency": agencies[owner]})
    admin.post("/api/setup/regulation-profiles/", {
        "province": province["id"], "valid_from": "2025-07-01", "reason": "Quy định của tỉnh",
        "council_quorum": "2/3", "council_approval_min": "90%", "posting_days": 15})
    batch = admin.post("/api/setup/batches/", {"province": province["id"],
                                               "recognition_year": 2026, "number": 1,
                                               "title": "Đợt 1 năm 2026"})
    admin.post(f"/api/setup/batches/{batch['id']}/deadlines/",
               {"step": "department_appraisal", "due_on": "2026-09-30", "reason": "Kế hoạch"},
               expect=200)
    admin.client.put(f"/api/setup/provinces/{province['id']}/reminder-policy/",
                     {"days_before": "5,1", "overdue_every_days": 2, "escalate_after_days": 3},
                     format="json")
    users = {key: get_user_model().objects.get(pk=pk) for key, pk in people.items()}
    return users, {"province": province["id"], "commune": commune["id"], "batch": batch["id"],
                   "council": agencies["council"], "xd": agencies["xd"], "nn": agencies["nn"]}


def test_a_province_set_up_through_the_api_takes_a_dossier_to_a_decision(
        admin_user, catalogue, _clock, django_capture_on_commit_callbacks):
    users, ids = set_province_up(admin_user, django_capture_on_commit_callbacks)
    # Everyone was invited by e-mail; every set-up change is in the trail.
    assert len(mail.outbox) == 12
    assert sorted(m.to[0] for m in mail.outbox)[:2] == ["ca@hatinh.example",
                                                        "chu_tich@hatinh.example"]
    actions = set(AuditEvent.objects.filter(province_id=ids["province"])
                  .values_list("action", flat=True))
    assert {"province.import", "commune.classify", "village.set", "agency.create",
            "account.create", "agency.member_add", "responsibility.set", "regulation.publish",
            "batch.create", "batch.deadline_set", "reminder_policy.set"} <= actions

    # The coordination office registers; the commune works; the Front surveys.
    vpdp, commune, front = Caller(users["vpdp"]), Caller(users["ubnd"]), Caller(users["mttq"])
    dossier = vpdp.post("/api/dossiers/", {"commune": ids["commune"], "level": "NTM",
                                           "batch": ids["batch"]})
    url = f"/api/dossiers/{dossier['id']}/"
    criteria = Caller(admin_user).get("/api/setup/criteria-sets/")["results"]
    for criterion in next(cs for cs in criteria if cs["code"] == SET_2026)["criteria"]:
        commune.post(url + "self-assessment/", {"criterion": criterion["id"], "value": "đạt",
                                                "met": True}, expect=200)
    commune.post(url + "publish/", {"posting_starts_on": "2026-08-03"}, expect=200)
    _clock.move_to(NOW + dt.timedelta(days=16), tick=True)  # the 15 days of posting are over
    commune.post(url + "comments/", {"author": "Trần Thị B", "received_on": "2026-08-05",
                                     "content": "Đồng ý", "response": "Tiếp thu"})
    commune.post(url + "close-posting/", expect=200)
    villages = Caller(admin_user).get(f"/api/setup/communes/{ids['commune']}/villages/")
    for village in villages:
        front.post(url + "survey/", {"village": village["id"],
                                     "households": village["households"],
                                     "surveyed": village["households"],
                                     "satisfied": village["households"]}, expect=200)
    front.post(url + "finish-survey/", expect=200)
    for kind in DossierDocument.REQUIRED_FOR_SUBMISSION:
        commune.post(url + "documents/", {"kind": kind, "file": pdf(kind)}, multipart=True)
    assert commune.post(url + "submit/", expect=200)["status"] == DossierStatus.APPRAISAL

    # The departments appraise their criteria; the Front, finance and police confirm.
    for key in ("xd", "nn"):
        department = Caller(users[key])
        items = department.get("/api/appraisals/", {"dossier": dossier["id"],
                                                    "agency": ids[key]})["results"]
        assert len(items) == 5
        for item in items:
            department.post(f"/api/appraisals/{item['id']}/record/", {"result": "met"},
                            expect=200)
    Caller(users["front"]).post(url + "survey-appraisal/", {
        "process_sound": True, "sample_surveyed": 30, "sample_satisfied": 30}, expect=200)
    Caller(users["tc"]).post(url + "confirm-debt/", {"holds": True}, expect=200)
    status = Caller(users["ca"]).post(url + "confirm-security/", {"holds": True},
                                      expect=200)["status"]
    assert status == DossierStatus.CONSOLIDATION

    # The council meets and votes; the chairman decides.
    meeting = vpdp.post("/api/meetings/", {"council": ids["council"], "title": "Phiên họp 1",
                                           "scheduled_for": "2026-08-19T08:00:00+07:00",
                                           "batch": ids["batch"]})
    item = vpdp.post(url + "schedule/", {"meeting": meeting["id"], "report": "Đủ điều kiện"},
                     expect=200)
    council = [users[f"hd{n}"] for n in range(1, 4)]
    vpdp.post(f"/api/meetings/{meeting['id']}/open/", {"present": [u.pk for u in council]},
              expect=200)
    for member in council:
        Caller(member).post(f"/api/agenda-items/{item['id']}/vote/", {"in_favour": True})
    vpdp.post(f"/api/agenda-items/{item['id']}/close/", {}, expect=200)
    decided = Caller(users["chu_tich"]).post(url + "decision/", {
        "number": "15/QĐ-UBND", "signed_on": "2026-08-19", "signer_name": "Nguyễn Văn chu_tich",
        "signer_title": "Chủ tịch UBND tỉnh", "file": pdf("decision")}, expect=200,
        multipart=True)
    assert decided["status"] == DossierStatus.RECOGNISED


def test_invitation_link_sets_the_password(admin_user, catalogue, client,
                                          django_capture_on_commit_callbacks):
    set_province_up(admin_user, django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == ["vpdp@hatinh.example"])
    with translation.override("vi"):  # the invitation is in Vietnamese, whoever sends it
        assert message.subject == gettext(
            "Your account for the New Rural Development recognition system")
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group()
    assert "ht_vpdp" in message.body
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": "Mat-khau-moi-2026",
                                  "new_password2": "Mat-khau-moi-2026"})
    assert done.status_code == 302
    person = get_user_model().objects.get(username="ht_vpdp")
    assert person.check_password("Mat-khau-moi-2026")
    # The link works once.
    again = client.get("/" + path, follow=True)
    assert again.context["validlink"] is False
