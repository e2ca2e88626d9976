"""Registration: the set in force (dates, succession, province), complete sets only, the
level ladder (DOMAIN.md §3) and every agency the flow will need (issue 10, items 1 and 9)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from demo.journey import Journey
from dossiers.conditions import legal_conditions
from dossiers.exceptions import RuleViolation
from dossiers.models import Agency, CriteriaSet, District, Dossier, DossierStatus, Level
from dossiers.selectors import waiting_for
from dossiers.services.agencies import agency_create
from dossiers.services.catalogue import criteria_set_in_force, criteria_set_load
from dossiers.services.setup import regulation_profile_publish, responsibility_set
from workflow import services

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
FRAGMENTS = ("The criteria set QD318-2022-NTM-NANGCAO-XA holds only fragments of the law (3 of "
             "its 19 criteria are loaded): no dossier can be judged by it. Load the complete "
             "set first.")


def at(day: dt.date, hour: int = 10):
    """Travel to ``day`` (Vietnam time), the clock ticking on."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=HANOI),
                               tick=True)


@pytest.fixture(autouse=True)
def _fixed_today():
    """Every date of this module is fixed: nothing depends on the day the suite runs."""
    with at(dt.date(2026, 6, 1)):
        yield


def load_set(admin, tmp_path, code: str, level: str, valid_from: str, *, criteria: int = 3,
             declared: int | None = None, **header) -> CriteriaSet:
    """Write and load a small set: ``criteria`` criteria of ``declared`` (default: all)."""
    data = {"set": {"code": code, "title_vi": f"Bộ tiêu chí {code}", "level": str(level),
                    "valid_from": valid_from,
                    "criteria_count": criteria if declared is None else declared, **header},
            "criteria": [{"number": n, "name_vi": f"Tiêu chí {n}", "indicators": []}
                         for n in range(1, criteria + 1)]}
    path = tmp_path / f"{code}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return criteria_set_load(actor=admin, path=path).criteria_set


def map_to(kit, criteria_set: CriteriaSet, department: str = "xd") -> None:
    """The province's department ``department`` appraises every criterion of the set."""
    for criterion in criteria_set.criteria.all():
        responsibility_set(actor=kit.admin, province=kit.province, criterion=criterion,
                           agency=kit.agencies[department], reason="test mapping")


def english_api() -> APIClient:
    """Messages in their English source text (the default language is Vietnamese)."""
    api = APIClient()
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return api


def register(kit, commune, level: str):
    return services.dossier_register(actor=kit.users[f"ubnd_{commune.code}"], commune=commune,
                                     level=level, batch=kit.batch)


def recognised(kit, commune, level: str) -> Journey:
    j = Journey.register(kit, commune, level)
    j.to_awaiting_decision()
    j.decide()
    assert j.dossier.status == DossierStatus.RECOGNISED
    return j


@pytest.fixture
def advanced_set(kit, tmp_path):
    """The province's own advanced set, complete (5 of 5 criteria), mapped to a department."""
    criteria_set = load_set(kit.admin, tmp_path, "HT-2026-NANGCAO", Level.ADVANCED, "2026-01-01",
                            criteria=5, province=kit.province.code)
    map_to(kit, criteria_set)
    return criteria_set


@pytest.fixture
def model_set(kit, tmp_path):
    criteria_set = load_set(kit.admin, tmp_path, "HT-2026-KIEUMAU", Level.MODEL, "2026-01-01",
                            criteria=4, province=kit.province.code)
    map_to(kit, criteria_set)
    return criteria_set


# --- complete sets only --------------------------------------------------------------
def test_an_advanced_dossier_is_refused_while_its_set_is_fragments(kit):
    path = settings.NTM_CRITERIA_DIR / "ntm-nang-cao-2021-2025.yaml"
    nang_cao = criteria_set_load(actor=kit.admin, path=path).criteria_set
    assert nang_cao.fragments is True
    assert nang_cao.valid_until == dt.date(2026, 2, 14)
    commune = kit.communes[0]
    with at(dt.date(2025, 6, 2)):
        with pytest.raises(RuleViolation) as refused:
            register(kit, commune, Level.ADVANCED)
    assert refused.value.problems == [FRAGMENTS]
    # In 2026 the fragments are no longer in force either: no set, said so, nothing judged
    # by three criteria of nineteen.
    with pytest.raises(RuleViolation) as refused:
        register(kit, commune, Level.ADVANCED)
    assert refused.value.problems == [
        "No criteria set for advanced new rural area (NTM nâng cao) is in force in Hà Tĩnh on "
        "01/06/2026."]
    assert not Dossier.objects.filter(commune=commune, level=Level.ADVANCED).exists()


def test_a_set_with_fewer_criteria_than_it_declares_is_refused(kit, tmp_path):
    short = load_set(kit.admin, tmp_path, "HT-THIEU", Level.ADVANCED, "2026-01-01", criteria=4,
                     declared=19, province=kit.province.code)
    map_to(kit, short)
    recognised(kit, kit.communes[0], Level.NTM)
    with pytest.raises(RuleViolation) as refused:
        register(kit, kit.communes[0], Level.ADVANCED)
    assert refused.value.problems == [
        "The criteria set HT-THIEU is incomplete: 4 of its 19 criteria are loaded. Load the "
        "missing criteria first."]


def test_the_coordination_office_cannot_pin_a_fragments_set_either(kit):
    nang_cao = criteria_set_load(
        actor=kit.admin, path=settings.NTM_CRITERIA_DIR / "ntm-nang-cao-2021-2025.yaml"
    ).criteria_set
    with pytest.raises(RuleViolation) as refused:
        services.dossier_register(actor=kit.users["vpdp"], commune=kit.communes[0],
                                  level=Level.ADVANCED, batch=kit.batch, criteria_set=nang_cao)
    assert refused.value.problems == [FRAGMENTS]


# --- which set is in force -------------------------------------------------------------
def test_set_in_force_by_valid_from_valid_until_and_succession(kit, tmp_path):
    admin, province = kit.admin, kit.province
    first = load_set(admin, tmp_path, "A-2024", Level.ADVANCED, "2024-01-01",
                     valid_until="2024-12-31")
    # Loaded before its successor: linked when the successor arrives.
    second = load_set(admin, tmp_path, "A-2025", Level.ADVANCED, "2025-01-01",
                      superseded_by_code="A-2025B")
    third = load_set(admin, tmp_path, "A-2025B", Level.ADVANCED, "2025-07-01")
    second.refresh_from_db()
    assert second.superseded_by == third
    expected = {
        dt.date(2023, 12, 31): None,
        dt.date(2024, 1, 1): first,           # first day in force
        dt.date(2024, 12, 31): first,         # valid_until is the last day, inclusive
        dt.date(2025, 1, 1): second,
        dt.date(2025, 6, 30): second,         # the day before the successor
        dt.date(2025, 7, 1): third,           # the successor's first day
    }
    found = {day: criteria_set_in_force(level=Level.ADVANCED, province=province, on=day)
             for day in expected}
    assert found == expected


def test_a_superseded_set_ends_even_without_valid_until(kit, tmp_path):
    old = load_set(kit.admin, tmp_path, "B-OLD", Level.ADVANCED, "2020-01-01",
                   superseded_by_code="B-NEW")
    new = load_set(kit.admin, tmp_path, "B-NEW", Level.ADVANCED, "2030-01-01")
    old.refresh_from_db()
    assert old.valid_until is None
    assert old.last_day() == dt.date(2029, 12, 31)
    assert criteria_set_in_force(level=Level.ADVANCED, province=kit.province,
                                 on=dt.date(2029, 12, 31)) == old
    assert criteria_set_in_force(level=Level.ADVANCED, province=kit.province,
                                 on=dt.date(2030, 1, 1)) == new


def test_registration_pins_the_ntm_set_in_force_on_its_day(kit):
    """The shipped 2021-2025 set is superseded by Decision 51/2025 from 15/02/2026."""
    old = CriteriaSet.objects.get(code="QD318-2022-NTM-XA")
    new = CriteriaSet.objects.get(code="QD51-2025-NTM-XA")
    assert old.superseded_by == new
    with at(dt.date(2026, 2, 14), hour=23):
        last_day = register(kit, kit.communes[0], Level.NTM)
    with at(dt.date(2026, 2, 15), hour=0):
        first_day = register(kit, kit.communes[1], Level.NTM)
    assert (last_day.criteria_set, first_day.criteria_set) == (old, new)


def test_a_province_set_is_chosen_over_the_national_one_for_that_province_only(
        kit, other_kit, tmp_path):
    national = load_set(kit.admin, tmp_path, "QG-NANGCAO", Level.ADVANCED, "2026-01-01")
    own = load_set(kit.admin, tmp_path, "HT-NANGCAO", Level.ADVANCED, "2026-03-01",
                   province=kit.province.code)
    day = dt.date(2026, 6, 1)
    assert criteria_set_in_force(level=Level.ADVANCED, province=kit.province, on=day) == own
    assert criteria_set_in_force(level=Level.ADVANCED, province=other_kit.province,
                                 on=day) == national
    # Before the province's own set comes into force, the national one applies there too.
    assert criteria_set_in_force(level=Level.ADVANCED, province=kit.province,
                                 on=dt.date(2026, 2, 28)) == national
    # Registration pins the province's own set.
    map_to(kit, own)
    recognised(kit, kit.communes[0], Level.NTM)
    assert register(kit, kit.communes[0], Level.ADVANCED).criteria_set == own
    # Another province's set cannot be pinned, even by the coordination office.
    with pytest.raises(RuleViolation) as refused:
        services.dossier_register(actor=other_kit.users["na_vpdp"],
                                  commune=other_kit.communes[0], level=Level.ADVANCED,
                                  batch=other_kit.batch, criteria_set=own)
    assert refused.value.problems == ["The criteria set HT-NANGCAO is another province's."]


def test_only_advanced_and_model_sets_may_belong_to_a_province(kit, tmp_path):
    with pytest.raises(RuleViolation, match="Only advanced and model sets may belong"):
        load_set(kit.admin, tmp_path, "HT-NTM", Level.NTM, "2026-01-01",
                 province=kit.province.code)
    assert not CriteriaSet.objects.filter(code="HT-NTM").exists()


# --- the level ladder --------------------------------------------------------------------
def test_advanced_needs_a_current_ntm_recognition(kit, advanced_set):
    commune = kit.communes[0]
    message = ("Xã Thử Hà Tĩnh 1 holds no current recognition at new rural area (NTM): it may "
               "register for advanced new rural area (NTM nâng cao) only while it holds one.")
    with pytest.raises(RuleViolation) as refused:
        register(kit, commune, Level.ADVANCED)
    assert refused.value.problems == [message]
    # An NTM dossier still under way is not a recognition: advanced does not wait.
    ntm = Journey.register(kit, commune, Level.NTM)
    with pytest.raises(RuleViolation) as refused:
        register(kit, commune, Level.ADVANCED)
    assert refused.value.problems == [message]
    ntm.to_awaiting_decision()
    ntm.decide()
    assert register(kit, commune, Level.ADVANCED).criteria_set == advanced_set


def test_a_revoked_recognition_no_longer_counts(kit, advanced_set):
    commune = kit.communes[0]
    ntm = recognised(kit, commune, Level.NTM)
    ntm.revoke(criteria=5)
    assert ntm.refresh().status == DossierStatus.REVOKED
    with pytest.raises(RuleViolation, match="holds no current recognition at new rural area"):
        register(kit, commune, Level.ADVANCED)


def test_model_refused_without_advanced_recognition_and_accepted_once_it_exists(
        kit, advanced_set, model_set):
    commune = kit.communes[0]
    recognised(kit, commune, Level.NTM)
    with pytest.raises(RuleViolation) as refused:
        register(kit, commune, Level.MODEL)
    assert refused.value.problems == [
        "Xã Thử Hà Tĩnh 1 holds no current recognition at advanced new rural area (NTM nâng "
        "cao) and has no advanced new rural area (NTM nâng cao) dossier under way: it may "
        "register for model new rural area (NTM kiểu mẫu) only while it holds that "
        "recognition, or while its dossier for it awaits the decision."]
    recognised(kit, commune, Level.ADVANCED)
    model = register(kit, commune, Level.MODEL)
    assert model.criteria_set == model_set
    assert waiting_for(model) == []


def test_a_model_dossier_waits_at_submission_for_the_advanced_decision(kit, advanced_set,
                                                                       model_set):
    commune = kit.communes[0]
    recognised(kit, commune, Level.NTM)
    advanced = Journey.register(kit, commune, Level.ADVANCED)
    model = Journey.register(kit, commune, Level.MODEL)
    wait = ("Waiting for the advanced new rural area (NTM nâng cao) recognition: the advanced "
            f"new rural area (NTM nâng cao) dossier of {kit.batch} is at “self-assessment”. "
            "This dossier can be submitted once the chairman has signed that recognition.")
    assert waiting_for(model.dossier) == [wait]
    # The commune works on its self-assessment, posting and survey, and is held at submission.
    model.self_assess()
    model.post()
    model.close_posting()
    model.log_survey()
    with pytest.raises(RuleViolation) as refused:
        model.submit()
    assert refused.value.problems == [wait]
    assert model.refresh().status == DossierStatus.READY_TO_SUBMIT
    assert model.open_tasks() == ["submission"]
    # The wait is visible on the dossier page and in the API.
    api = english_api()
    api.force_authenticate(kit.users[f"ubnd_{commune.code}"])
    assert api.get(f"/api/dossiers/{model.dossier.pk}/").json()["waiting_for"] == [wait]
    response = api.post(f"/api/dossiers/{model.dossier.pk}/submit/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["problems"] == [wait]
    # The advanced dossier is recognised: the model dossier goes on.
    advanced.to_awaiting_decision()
    advanced.decide()
    assert waiting_for(model.refresh()) == []
    model.submit()
    assert model.refresh().status == DossierStatus.APPRAISAL


def test_the_wait_is_shown_on_the_dossier_page(client, kit, advanced_set, model_set):
    commune = kit.communes[0]
    recognised(kit, commune, Level.NTM)
    Journey.register(kit, commune, Level.ADVANCED)
    model = Journey.register(kit, commune, Level.MODEL)
    client.force_login(kit.users[f"ubnd_{commune.code}"])
    page = client.get(reverse("dossier", args=[model.dossier.pk]))
    assert page.status_code == 200
    assert len(page.context["waiting_for"]) == 1
    assert 'id="waiting-for"' in page.content.decode()


def test_a_model_dossier_whose_advanced_dossier_is_refused_cannot_be_submitted(
        kit, advanced_set, model_set):
    commune = kit.communes[0]
    recognised(kit, commune, Level.NTM)
    advanced = Journey.register(kit, commune, Level.ADVANCED)
    model = Journey.register(kit, commune, Level.MODEL)
    advanced.to_consolidation()
    services.dossier_refuse(actor=kit.users["vpdp"], dossier=advanced.dossier,
                            reason="Không đủ điều kiện")
    assert advanced.refresh().status == DossierStatus.NOT_RECOGNISED
    assert waiting_for(model.refresh()) == [
        "Xã Thử Hà Tĩnh 1 no longer holds a current recognition at advanced new rural area "
        "(NTM nâng cao) (none, refused or revoked): this model new rural area (NTM kiểu mẫu) "
        "dossier cannot be submitted."]


# --- every agency the flow will need ---------------------------------------------------------
@pytest.fixture
def older_variant(kit):
    """The province follows the older variant; the first commune's district has no agency."""
    district = District.objects.create(province=kit.province, code="436",
                                       name="Huyện Cẩm Xuyên")
    commune = kit.communes[0]
    commune.district = district
    commune.save()
    regulation_profile_publish(actor=kit.admin, province=kit.province,
                               valid_from=dt.date(2026, 1, 1), reason="historic variant",
                               district_verification=True)
    return district


def _no_district_message(kit) -> str:
    return ("The regulation profile Hà Tĩnh, version 2 has the older variant's district "
            "verification, but Huyện Cẩm Xuyên has no active district People's Committee to "
            "verify the dossier.")


def test_older_variant_without_district_agency_is_refused_by_the_service(kit, older_variant):
    with pytest.raises(RuleViolation) as refused:
        register(kit, kit.communes[0], Level.NTM)
    assert refused.value.problems == [_no_district_message(kit)]
    # A commune in no district at all is refused too, and says so.
    with pytest.raises(RuleViolation) as refused:
        register(kit, kit.communes[1], Level.NTM)
    assert refused.value.problems == [
        "The regulation profile Hà Tĩnh, version 2 has the older variant's district "
        "verification, but Xã Thử Hà Tĩnh 2 belongs to no district."]
    assert not Dossier.objects.exists()


def test_older_variant_without_district_agency_is_refused_on_the_page(client, kit,
                                                                      older_variant):
    client.force_login(kit.users["vpdp"])
    url = reverse("batch", args=[kit.batch.pk])
    page = client.post(url, {"action": "register", "commune": kit.communes[0].pk,
                             "level": "NTM"})
    assert page.status_code == 302
    assert page.url == url
    shown = [str(m) for m in get_messages(page.wsgi_request)]
    assert len(shown) == 1
    assert "Huyện Cẩm Xuyên" in shown[0]
    assert not Dossier.objects.exists()


def test_older_variant_without_district_agency_is_refused_by_the_api(kit, older_variant):
    api = english_api()
    api.force_authenticate(kit.users["vpdp"])
    response = api.post("/api/dossiers/", {"commune": kit.communes[0].pk, "level": "NTM",
                                           "batch": kit.batch.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["problems"] == [_no_district_message(kit)]
    assert not Dossier.objects.exists()


def test_a_district_agency_removed_after_registration_refuses_the_submission(kit,
                                                                            older_variant):
    """Data registered before the check (or an agency deactivated since): the submission is
    refused with the missing agency named, never a 500 or a 404."""
    agency_create(actor=kit.admin, province=kit.province, kind=Agency.Kind.DISTRICT_COMMITTEE,
                  code="ubnd-cam-xuyen", name="UBND huyện Cẩm Xuyên", district=older_variant)
    j = Journey.register(kit, kit.communes[0], Level.NTM)
    Agency.objects.filter(code="ubnd-cam-xuyen").update(active=False)
    j.self_assess()
    j.post()
    j.close_posting()
    j.log_survey()
    j.attach_documents()
    message = ("Huyện Cẩm Xuyên has no active district People's Committee (historic): set it "
               "up, then try again.")
    api = english_api()
    api.force_authenticate(j.commune_officer)
    response = api.post(f"/api/dossiers/{j.dossier.pk}/submit/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["problems"] == [message]
    assert j.refresh().status == DossierStatus.READY_TO_SUBMIT
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(j.commune_officer)
    page = client.post(reverse("dossier_action", args=[j.dossier.pk, "submit"]), {})
    assert page.status_code == 302
    assert [str(m) for m in get_messages(page.wsgi_request)] == [message]
    assert j.refresh().status == DossierStatus.READY_TO_SUBMIT


def test_registration_names_a_missing_council_and_unowned_criteria(kit, tmp_path):
    Agency.objects.filter(province=kit.province, kind=Agency.Kind.COUNCIL).update(active=False)
    with pytest.raises(RuleViolation) as refused:
        register(kit, kit.communes[0], Level.NTM)
    assert refused.value.problems == [
        "Set up these agencies before registering: appraisal council."]
    Agency.objects.filter(province=kit.province, kind=Agency.Kind.COUNCIL).update(active=True)
    Agency.objects.filter(province=kit.province, code="vh").update(active=False)
    with pytest.raises(RuleViolation) as refused:
        register(kit, kit.communes[0], Level.NTM)
    assert refused.value.problems == [
        "No agency of Hà Tĩnh is responsible for criteria: 5. Culture, education and health. "
        "The coordination office must complete the responsibility mapping."]
    assert not Dossier.objects.exists()


def test_a_dossier_judged_by_a_set_later_found_incomplete_cannot_meet_every_criterion(journey):
    """Data registered before the check: the first legal condition is not met, and says why."""
    CriteriaSet.objects.filter(pk=journey.dossier.criteria_set_id).update(criteria_count=47)
    condition = legal_conditions(journey.refresh())[0]
    assert (condition.key, condition.met) == ("criteria", False)
    assert condition.explanation == (
        "The criteria set QD51-2025-NTM-XA is incomplete: 10 of its 47 criteria are loaded. "
        "Load the missing criteria first.")
