"""One dossier from self-assessment to decision entirely through the pages, as each role."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dossiers.models import CouncilMeeting, CriterionAppraisal, DossierDocument, DossierStatus
from tests.conftest import PASSWORD, pdf, queries_of


def act(client, user, dossier, action, data=None, files=None):
    client.force_login(user)
    payload = dict(data or {})
    if files:
        payload.update(files)
    response = client.post(reverse("dossier_action", args=[dossier.pk, action]), payload)
    assert response.status_code == 302, response.content[:500]
    page = client.get(reverse("dossier", args=[dossier.pk]))
    return page


def errors(page):
    return [str(m) for m in page.context["messages"] if "error" in m.tags]


def test_a_dossier_goes_to_decision_through_the_pages(client, journey, kit):
    dossier, commune = journey.dossier, journey.commune
    officer, front = journey.commune_officer, journey.front_officer
    client.force_login(officer)
    inbox = client.get(reverse("home"))
    assert inbox.status_code == 200
    assert [d.dossier.pk for d in inbox.context["queue"]] == [dossier.pk]
    page = client.get(reverse("dossier", args=[dossier.pk]))
    assert page.context["my_steps"] == {"self_assessment"}

    lines = {f"met_{row.criterion.pk}_0": "yes" for row in page.context["criteria"]}
    lines.update({f"value_{row.criterion.pk}_0": "đạt" for row in page.context["criteria"]})
    started = (timezone.localdate() - dt.timedelta(days=16)).strftime("%d/%m/%Y")
    page = act(client, officer, dossier, "self_assessment",
               {**lines, "finish": "1", "posting_starts_on": started})
    assert errors(page) == []
    assert page.context["dossier"].status == DossierStatus.PUBLIC_POSTING
    page = act(client, officer, dossier, "comment", {
        "author": "Nguyễn Văn A", "received_on": timezone.localdate().strftime("%d/%m/%Y"),
        "content": "Đồng ý", "response": "Tiếp thu"})
    page = act(client, officer, dossier, "close_posting")
    assert page.context["dossier"].status == DossierStatus.SURVEY

    survey = {}
    for village in commune.villages.all():
        survey.update({f"households_{village.pk}": village.households,
                       f"surveyed_{village.pk}": village.households - 10,
                       f"satisfied_{village.pk}": village.households - 12})
    page = act(client, front, dossier, "survey", {**survey, "finish": "1"})
    assert errors(page) == [] and page.context["dossier"].status == DossierStatus.READY_TO_SUBMIT

    page = act(client, officer, dossier, "submit")
    assert errors(page) == ["Hồ sơ trình còn thiếu tài liệu: tờ trình, báo cáo kết quả tự đánh "
                            "giá, báo cáo tổng hợp ý kiến góp ý, biên bản cuộc họp."]
    assert page.context["dossier"].status == DossierStatus.READY_TO_SUBMIT
    for kind in DossierDocument.REQUIRED_FOR_SUBMISSION:
        act(client, officer, dossier, "document", {"kind": kind}, {"file": _upload(kind)})
    page = act(client, officer, dossier, "submit")
    assert page.context["dossier"].status == DossierStatus.APPRAISAL

    for code in ("xd", "nn", "nv", "vh", "kh", "ca"):
        user = kit.users[f"so_{code}"]
        items = CriterionAppraisal.objects.filter(dossier=dossier, agency__code=code)
        page = act(client, user, dossier, "appraise", {f"result_{i.pk}": "met" for i in items})
        assert errors(page) == [], (code, errors(page))
    act(client, kit.users["mttq_tinh"], dossier, "survey_appraisal",
        {"process_sound": "yes", "sample_surveyed": "20", "sample_satisfied": "19"})
    act(client, kit.users["so_tc"], dossier, "confirm", {"kind": "debt", "holds": "yes"})
    page = act(client, kit.users["so_ca"], dossier, "confirm", {"kind": "security", "holds": "yes"})
    assert page.context["dossier"].status == DossierStatus.CONSOLIDATION

    coordinator = kit.users["vpdp"]
    client.force_login(coordinator)
    day = (timezone.localdate() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    client.post(reverse("meetings"), {"action": "create", "council": kit.agencies["council"].pk,
                                      "title": "Phiên họp đợt 1", "date": day})
    meeting = CouncilMeeting.objects.get()
    page = act(client, coordinator, dossier, "schedule", {"meeting": meeting.pk,
                                                          "report": "Đủ điều kiện"})
    assert page.context["dossier"].status == DossierStatus.COUNCIL
    client.force_login(coordinator)
    client.post(reverse("meetings"), {"action": "open", "meeting": meeting.pk,
                                      "present": [m.pk for m in kit.council_members]})
    item = meeting.agenda.get()
    for member in kit.council_members:
        page = act(client, member, dossier, "vote", {"item": item.pk, "in_favour": "yes"})
        assert errors(page) == []
    page = act(client, coordinator, dossier, "close_vote", {"item": item.pk})
    assert page.context["dossier"].status == DossierStatus.AWAITING_DECISION

    page = act(client, kit.users["chu_tich"], dossier, "decide", {
        "number": "12/QĐ-UBND", "signed_on": timezone.localdate().strftime("%d/%m/%Y"),
        "signer_name": "Chủ tịch", "signer_title": "Chủ tịch UBND tỉnh"},
        {"file": _upload("decision")})
    assert errors(page) == []
    assert page.context["dossier"].status == DossierStatus.RECOGNISED
    assert page.context["dossier"].decisions.get().number == "12/QĐ-UBND"
    assert "12/QĐ-UBND" in page.content.decode()


def _upload(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"{name}.pdf", pdf(name).getvalue(), content_type="application/pdf")


def test_bad_input_is_refused_with_a_message_and_changes_nothing(client, journey):
    officer = journey.commune_officer
    page = act(client, officer, journey.dossier, "self_assessment",
               {"finish": "1", "posting_starts_on": "31/02/2026"})
    assert errors(page) == ["Ngày bắt đầu công khai: “31/02/2026” không phải là ngày hợp lệ: "
                            "hãy nhập theo dạng dd/mm/yyyy."]
    assert page.context["dossier"].status == DossierStatus.SELF_ASSESSMENT
    page = act(client, officer, journey.dossier, "evidence", {"criterion": "x"})
    shown = errors(page)
    # The form's two field errors, then the form's own check (its text not yet translated).
    assert shown[:2] == ["Tiêu chí: Nhập một số tổng thể.", "Minh chứng: Trường này là bắt buộc."]
    assert len(shown) == 3
    assert journey.dossier.evidence.count() == 0


def test_pages_refuse_other_provinces_and_other_roles(client, journey, other_kit, kit):
    outsider = other_kit.users["na_vpdp"]
    client.force_login(outsider)
    # Another province's dossier is answered like an absent one.
    assert client.get(reverse("dossier", args=[journey.dossier.pk])).status_code == 404
    assert client.post(reverse("dossier_action", args=[journey.dossier.pk, "submit"])
                       ).status_code == 404
    # A department does not see a dossier before its submission: as if absent.
    client.force_login(kit.users["so_xd"])
    response = client.post(reverse("dossier_action", args=[journey.dossier.pk, "self_assessment"]),
                           {"finish": "1"})
    assert response.status_code == 404
    # The coordination office sees it, but may not do the commune's step.
    client.force_login(kit.users["vpdp"])
    response = client.post(reverse("dossier_action", args=[journey.dossier.pk, "self_assessment"]),
                           {"finish": "1"})
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["ubnd_42001", "so_xd", "vpdp", "hoi_dong_1", "thanh_tra"])
def test_every_role_lands_on_its_inbox_in_vietnamese(client, kit, journey, name):
    assert client.login(username=name, password=PASSWORD)
    page = client.get(reverse("home"))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'lang="vi"' in text and "Nhiệm vụ của tôi" in text


def test_inbox_runs_the_same_queries_for_more_dossiers(client, kit, journey):
    from demo.journey import Journey

    journey.to_appraisal()
    client.force_login(kit.users["so_xd"])
    client.get(reverse("home"))  # warm the caches (session, content types)
    few, page = queries_of(lambda: client.get(reverse("home")))
    assert len(page.context["queue"]) == 1
    Journey.register(kit, kit.communes[1], "NTM").to_appraisal()
    many, page = queries_of(lambda: client.get(reverse("home")))
    assert len(page.context["queue"]) == 2
    assert many == few


def test_dossier_page_runs_the_same_queries_for_more_comments_documents_and_events(
        client, kit, journey):
    from dossiers.services import assessment

    journey.self_assess()
    journey.post()
    officer = journey.commune_officer

    def add(n):
        for i in range(n):
            assessment.comment_record(actor=officer, dossier=journey.dossier, author=f"Người {i}",
                                      content="Góp ý", received_on=timezone.localdate(),
                                      response="Tiếp thu")
            kind = DossierDocument.REQUIRED_FOR_SUBMISSION[i % 4]
            assessment.document_add(actor=officer, dossier=journey.dossier, kind=kind,
                                    upload=pdf(kind), name=f"{kind}-{i}.pdf")

    add(1)
    url = reverse("dossier", args=[journey.dossier.pk])
    client.force_login(kit.users["vpdp"])
    client.get(url)
    few, page = queries_of(lambda: client.get(url))
    shown = (len(page.context["comments"]), len(page.context["documents"]),
             len(page.context["timeline"]))
    add(4)
    many, page = queries_of(lambda: client.get(url))
    assert (len(page.context["comments"]), len(page.context["documents"]),
            len(page.context["timeline"])) == (shown[0] + 4, shown[1] + 4, shown[2] + 8)
    assert many == few
