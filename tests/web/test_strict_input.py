"""Malformed input, on the pages and on the API: a message, a 4xx or the form's error, no row
written, never a server error."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from dossiers.models import (
    Confirmation,
    CouncilMeeting,
    Decision,
    Dossier,
    Evidence,
    PublicComment,
    SelfAssessment,
    SurveyResult,
)
from dossiers.models.appraisal import SurveyAppraisal
from tests.conftest import pdf

BIG = 2**31  # one above PostgreSQL's integer
HUGE = 99_999_999_999
TODAY = "today"  # replaced by today's date when posted


def _today(page: bool) -> str:
    day = timezone.localdate()
    return day.strftime("%d/%m/%Y") if page else day.isoformat()


def _pdf(name: str = "quyet-dinh.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf(name).getvalue(), content_type="application/pdf")


@dataclass
class Case:
    stage: str  # how far the dossier goes first
    user: str  # "commune", "front", or a kit user name
    target: str  # page action, "meetings", or an API path under /api/ ({d} the dossier)
    data: dict[str, Any]
    model: type  # whose rows must not change
    words: str  # what the message says (in English: the field or the rule)
    files: dict[str, Any] = field(default_factory=dict)


DECISION = {"number": "01/QĐ-UBND", "signed_on": TODAY, "signer_name": "Võ Trọng Hải",
            "signer_title": "Chủ tịch UBND tỉnh"}
PAGE = {
    "decision number of 61 characters": Case("decision", "chu_tich", "decide",
                                             {**DECISION, "number": "1" * 61}, Decision,
                                             "Decision number"),
    "signer name of 201": Case("decision", "chu_tich", "decide",
                               {**DECISION, "signer_name": "A" * 201}, Decision, "Signed by"),
    "NUL in signer title": Case("decision", "chu_tich", "decide",
                                {**DECISION, "signer_title": "Chủ\x00tịch"}, Decision,
                                "Signer's title"),
    "vertical tab in signer name": Case("decision", "chu_tich", "decide",
                                        {**DECISION, "signer_name": "Võ\x0bHải"}, Decision,
                                        "control character"),
    "meeting title of 201": Case("meeting", "vpdp", "meetings",
                                 {"action": "create", "council": "COUNCIL", "title": "T" * 201,
                                  "date": TODAY}, CouncilMeeting, "Title"),
    "present=['abc']": Case("meeting", "vpdp", "meetings",
                            {"action": "open", "meeting": "MEETING", "present": ["abc"]},
                            CouncilMeeting, "Members present"),
    "meeting id beyond bigint": Case("meeting", "vpdp", "meetings",
                                     {"action": "open", "meeting": str(2**64),
                                      "present": []}, CouncilMeeting, "Meeting"),
    "households 2^31": Case("survey", "front", "survey", {"households_V": BIG,
                                                          "surveyed_V": 1, "satisfied_V": 1},
                            SurveyResult, "Households"),
    "sample 99,999,999,999": Case("appraisal", "mttq_tinh", "survey_appraisal",
                                  {"process_sound": "yes", "sample_surveyed": HUGE,
                                   "sample_satisfied": 1}, SurveyAppraisal,
                                  "Households sampled directly"),
    "evidence criterion 2^63": Case("start", "commune", "evidence",
                                    {"criterion": 2**63, "description": "x"}, Evidence,
                                    "Criterion", {"file": "PDF"}),
    "evidence description with NUL": Case("start", "commune", "evidence",
                                          {"criterion": "CRITERION", "description": "a\x00b"},
                                          Evidence, "Description", {"file": "PDF"}),
    "macro-enabled evidence (docm)": Case("start", "commune", "evidence",
                                          {"criterion": "CRITERION"}, Evidence, "macros",
                                          {"file": "DOCM"}),
    "control character in a comment": Case("posting", "commune", "comment",
                                           {"author": "Nguyễn Văn A", "received_on": TODAY,
                                            "content": "thiếu\x0bhồ sơ"}, PublicComment,
                                           "control character"),
}
API = {
    "households 2^31": Case("survey", "front", "dossiers/{d}/survey/",
                            {"village": "VILLAGE", "households": BIG, "surveyed": 1,
                             "satisfied": 1}, SurveyResult, "households"),
    "sample 99,999,999,999": Case("appraisal", "mttq_tinh", "dossiers/{d}/survey-appraisal/",
                                  {"process_sound": True, "sample_surveyed": HUGE,
                                   "sample_satisfied": 1}, SurveyAppraisal,
                                  "sample_surveyed"),
    "decision number of 61 characters": Case("decision", "chu_tich", "dossiers/{d}/decision/",
                                             {**DECISION, "number": "1" * 61}, Decision,
                                             "number", {"file": "PDF"}),
    "signer name of 201": Case("decision", "chu_tich", "dossiers/{d}/decision/",
                               {**DECISION, "signer_name": "A" * 201}, Decision, "signer_name",
                               {"file": "PDF"}),
    "NUL in signer title": Case("decision", "chu_tich", "dossiers/{d}/decision/",
                                {**DECISION, "signer_title": "Chủ\x00tịch"}, Decision,
                                "signer_title", {"file": "PDF"}),
    "meeting title of 201": Case("meeting", "vpdp", "meetings/",
                                 {"council": "COUNCIL", "title": "T" * 201,
                                  "scheduled_for": "2026-12-01T08:00:00+07:00"},
                                 CouncilMeeting, "title"),
    "present=['abc']": Case("meeting", "vpdp", "meetings/MEETING/open/", {"present": ["abc"]},
                            CouncilMeeting, "present"),
    "present id 2^63": Case("meeting", "vpdp", "meetings/MEETING/open/", {"present": [2**63]},
                            CouncilMeeting, "present"),
    "self-assessment value of 501": Case("start", "commune", "dossiers/{d}/self-assessment/",
                                         {"criterion": "CRITERION", "value": "v" * 501,
                                          "met": True}, SelfAssessment, "value"),
    "self-assessment note with NUL": Case("start", "commune", "dossiers/{d}/self-assessment/",
                                          {"criterion": "CRITERION", "value": "đạt",
                                           "met": True, "note": "a\x00b"}, SelfAssessment,
                                          "note"),
    "self-assessment criterion 2^63": Case("start", "commune", "dossiers/{d}/self-assessment/",
                                           {"criterion": 2**63, "value": "đạt", "met": True},
                                           SelfAssessment, "criterion"),
    "pdf polyglot evidence": Case("start", "commune", "dossiers/{d}/evidence/",
                                  {"criterion": "CRITERION"}, Evidence, "hides another kind",
                                  {"file": "POLYGLOT"}),
    "evidence description of 301": Case("start", "commune", "dossiers/{d}/evidence/",
                                        {"criterion": "CRITERION", "description": "d" * 301},
                                        Evidence, "description", {"file": "PDF"}),
    "register commune 2^63": Case("start", "vpdp", "dossiers/",
                                  {"commune": 2**63, "level": "ntm", "batch": 1}, Dossier,
                                  "commune"),
    "confirmation remark with escape": Case("appraisal", "DEBT", "dossiers/{d}/confirm-debt/",
                                            {"holds": True, "remark": "nợ\x1b[31m"},
                                            Confirmation, "remark"),
}


def _at(journey, stage: str) -> None:
    if stage == "posting":
        journey.self_assess()
        journey.post()
    elif stage == "survey":
        journey.self_assess()
        journey.post()
        journey.close_posting()
    elif stage == "appraisal":
        journey.to_appraisal()
    elif stage == "decision":
        journey.to_awaiting_decision()
    elif stage == "meeting":
        journey.new_meeting()


def _user(journey, kit, name: str):
    from dossiers.models import Confirmation

    if name == "commune":
        return journey.commune_officer
    if name == "front":
        return journey.front_officer
    if name == "DEBT":
        return journey.confirmer(kind=Confirmation.Kind.DEBT)
    return kit.users[name]


def _fill(value: Any, journey, kit, page: bool) -> Any:
    """Placeholders: the ids and dates of this journey."""
    if isinstance(value, list):
        return [_fill(v, journey, kit, page) for v in value]
    lookup = {
        TODAY: lambda: _today(page),
        "COUNCIL": lambda: kit.agencies["council"].pk,
        "MEETING": lambda: CouncilMeeting.objects.get().pk,
        "VILLAGE": lambda: journey.commune.villages.order_by("pk").first().pk,
        "CRITERION": lambda: journey.dossier.criteria_set.criteria.order_by("number").first().pk,
        "PDF": _pdf,
        "DOCM": lambda: SimpleUploadedFile("bien-ban.docx", _docm()),
        "POLYGLOT": lambda: SimpleUploadedFile(
            "scan.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"),
    }
    return lookup[value]() if isinstance(value, str) and value in lookup else value


def _docm() -> bytes:
    from tests.dossiers.test_uploads import CT, DOCM_MAIN, archive

    return archive({"[Content_Types].xml": CT % ("word/document.xml", DOCM_MAIN),
                    "word/document.xml": "<w/>", "word/vbaProject.bin": b"\x00"}).getvalue()


def _counts(model: type) -> tuple[int, int, int]:
    """Rows of ``model``, audit events, and files stored."""
    media = Path(settings.MEDIA_ROOT)
    files = sum(1 for p in media.rglob("*") if p.is_file()) if media.exists() else 0
    return model.objects.count(), AuditEvent.objects.count(), files


@pytest.mark.parametrize("name", list(PAGE))
def test_malformed_page_input_is_a_message(client, journey, kit, name):
    case = PAGE[name]
    _at(journey, case.stage)
    data = {k: _fill(v, journey, kit, True) for k, v in case.data.items()}
    village = journey.commune.villages.order_by("pk").first()
    data = {k.replace("_V", f"_{village.pk}"): v for k, v in data.items()}
    data.update({k: _fill(v, journey, kit, True) for k, v in case.files.items()})
    client.force_login(_user(journey, kit, case.user))
    before = _counts(case.model)
    client.raise_request_exception = False
    url = (reverse("meetings") if case.target == "meetings"
           else reverse("dossier_action", args=[journey.dossier.pk, case.target]))
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    shown = [str(m) for m in response.wsgi_request._messages]
    errors = [m for m in shown if case.words in m]
    assert len(errors) == 1, shown
    assert _counts(case.model) == before


@pytest.mark.parametrize("name", list(API))
def test_malformed_api_input_is_a_400(journey, kit, name):
    case = API[name]
    _at(journey, case.stage)
    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")  # messages asserted in English
    api.force_authenticate(_user(journey, kit, case.user))
    data = {k: _fill(v, journey, kit, False) for k, v in case.data.items()}
    files = {k: _fill(v, journey, kit, False) for k, v in case.files.items()}
    path = "/api/" + case.target.replace("{d}", str(journey.dossier.pk)).replace(
        "MEETING", str(_fill("MEETING", journey, kit, False)) if "MEETING" in case.target
        else "")
    before = _counts(case.model)
    if files:
        response = api.post(path, {**data, **files}, format="multipart")
    else:
        response = api.post(path, data, format="json")
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert case.words in str(body), body
    assert _counts(case.model) == before


@pytest.mark.parametrize(("path", "status"), [
    ("/api/audit-events/?dossier=abc", 400),
    ("/api/audit-events/?dossier=%C2%B2", 400),  # "²" is a digit to str.isdigit, not to int
    (f"/api/audit-events/?dossier={2**64}", 400),
    ("/api/tasks/?dossier=%C2%B2", 200),
    (f"/api/tasks/?dossier={2**64}", 200),
    (f"/api/dossiers/?batch={2**64}", 400),
])
def test_malformed_query_parameters_are_not_a_500(journey, kit, path, status):
    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")  # messages asserted in English
    api.force_authenticate(kit.users["vpdp"])
    response = api.get(path)
    assert response.status_code == status, response.content[:300]
