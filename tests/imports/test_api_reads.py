"""The API's reads and writes besides the steps, each scoped to the caller (issue 9, item 5)."""

from django.urls import reverse
from rest_framework.test import APIClient

from dossiers.models import Evidence, Indicator
from dossiers.services.assessment import evidence_add
from tests.conftest import pdf
from workflow.selectors import tasks_for


def api_for(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    return api


def test_a_dossiers_criteria_with_thresholds_and_its_villages(journey, kit, other_kit):
    dossier = journey.dossier
    officer = api_for(kit.users[f"ubnd_{dossier.commune.code}"])
    criteria = officer.get(reverse("dossier-criteria", args=[dossier.pk])).json()
    assert len(criteria) == dossier.criteria_set.criteria.filter(retired=False).count()
    assert [c["number"] for c in criteria][:3] == [1, 2, 3]
    assert set(criteria[0]) == {"id", "number", "name", "revocation_key", "indicators"}
    assert sum(len(c["indicators"]) for c in criteria) == Indicator.objects.filter(
        criterion__criteria_set=dossier.criteria_set, retired=False).count()
    villages = officer.get(reverse("dossier-villages", args=[dossier.pk])).json()
    assert [v["name"] for v in villages] == ["Thôn 1", "Thôn 2", "Thôn 3"]
    stranger = api_for(other_kit.account("vpdp"))
    assert stranger.get(reverse("dossier-criteria", args=[dossier.pk])).status_code == 404
    assert stranger.get(reverse("dossier-villages", args=[dossier.pk])).status_code == 404


def test_agencies_councils_communes_and_villages_of_the_callers_province_only(kit, other_kit):
    own = api_for(kit.account("vpdp"))
    councils = own.get(reverse("agency-list"), {"kind": "council"}).json()["results"]
    assert [a["code"] for a in councils] == ["hoi-dong"]
    assert [m["username"] for m in councils[0]["members"]] == [
        f"hoi_dong_{n}" for n in range(1, 6)]
    assert {a["province"] for a in own.get(reverse("agency-list")).json()["results"]} == {
        kit.province.pk}
    other_agency = other_kit.agencies["coordination"]
    assert own.get(reverse("agency-detail", args=[other_agency.pk])).status_code == 404
    communes = own.get(reverse("commune-list")).json()["results"]
    assert [c["code"] for c in communes] == [c.code for c in kit.communes]
    villages = own.get(reverse("village-list"), {"commune": kit.communes[0].pk}).json()
    assert len(villages["results"]) == 3
    other_village = other_kit.communes[0].villages.first()
    assert own.get(reverse("village-detail", args=[other_village.pk])).status_code == 404
    mapping = own.get(reverse("responsibility-list"), {"agency": kit.agencies["ca"].pk}).json()
    assert {(r["criterion_number"], r["indicator_code"]) for r in mapping["results"]} >= {
        (10, None)}
    assert {r["province"] for r in own.get(reverse("responsibility-list")).json()["results"]
            } == {kit.province.pk}
    profiles = own.get(reverse("regulation-profile-list")).json()["results"]
    assert [(p["province"], p["version"]) for p in profiles] == [(kit.province.pk, 1)]
    sets = own.get(reverse("criteria-set-list")).json()["results"]
    assert {s["code"] for s in sets} == {"QD51-2025-NTM-XA", "QD318-2022-NTM-XA"}


def test_evidence_withdrawal_through_the_api(journey, kit, other_kit):
    dossier = journey.dossier
    officer = kit.users[f"ubnd_{dossier.commune.code}"]
    criterion = dossier.criteria_set.criteria.order_by("number").first()
    evidence = evidence_add(actor=officer, dossier=dossier, criterion=criterion,
                            upload=pdf(), name="bien-ban.pdf")
    url = reverse("evidence-withdraw", args=[dossier.pk, evidence.pk])
    assert api_for(other_kit.account("vpdp")).post(
        url, {"reason": "nhầm"}, format="json").status_code == 404
    assert api_for(officer).post(url, {}, format="json").status_code == 400
    answer = api_for(officer).post(url, {"reason": "Tải nhầm tệp"}, format="json")
    assert answer.status_code == 200
    assert Evidence.objects.get(pk=evidence.pk).withdrawal_reason == "Tải nhầm tệp"
    again = api_for(officer).post(url, {"reason": "lần nữa"}, format="json")
    assert again.status_code == 400
    assert again.json()["problems"] == ["This evidence is already withdrawn."]


def test_a_task_is_reassigned_through_the_api(journey, kit, other_kit):
    dossier = journey.dossier
    officer = kit.users[f"ubnd_{dossier.commune.code}"]
    task = tasks_for(officer)["queue"].first()
    url = reverse("task-reassign", args=[task.pk])
    assert api_for(other_kit.account("vpdp")).post(
        url, {"to": officer.pk, "reason": "x"}, format="json").status_code == 404
    assert api_for(officer).post(url, {"to": officer.pk, "reason": "x"},
                                 format="json").status_code == 403
    answer = api_for(kit.account("vpdp")).post(url, {"to": officer.pk,
                                                     "reason": "Phân công"}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json() == {"id": task.pk, "owner": officer.pk}
