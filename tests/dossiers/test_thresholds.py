"""Commune groups and regions, structured thresholds, and "met" computed from the value."""

import datetime as dt
from decimal import Decimal

import pytest
import yaml
from django.conf import settings

from demo.journey import Journey
from dossiers.conditions import criteria_condition
from dossiers.exceptions import RuleViolation
from dossiers.models import CriteriaSet, Indicator, Level, SelfAssessment, Threshold
from dossiers.services.assessment import self_assessment_set
from dossiers.services.catalogue import criteria_set_load, criteria_set_new_version
from dossiers.services.geography import commune_classify
from dossiers.thresholds import parse_value
from tests.conftest import PASSWORD, SET_2021, SET_2026
from workflow import services

DECIDED = dt.date(2026, 1, 15)  # the province's decision on the commune's group


def _with_indicator(tmp_path, thresholds, name="ntm-2026-2030.yaml"):
    """The shipped 2026-2030 file with one measured indicator 1.1 under criterion 1."""
    data = yaml.safe_load((settings.NTM_CRITERIA_DIR / name).read_text(encoding="utf-8"))
    data["criteria"][0]["indicators"] = [{
        "code": "1.1", "name_vi": "Tỷ lệ thử", "unit": "%", "confidence": "confirmed",
        "thresholds": thresholds}]
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


GROUPS = [{"applies_to": 1, "comparison": ">=", "value": 60, "unit": "%"},
          {"applies_to": 2, "comparison": "≥", "value": 70, "unit": "%"},
          {"applies_to": 3, "comparison": ">=", "value": 50, "unit": "%"}]


@pytest.fixture
def catalogue(admin_user, tmp_path):
    """The 2026-2030 set with thresholds per commune group (overrides the suite's)."""
    criteria_set_load(actor=admin_user, path=_with_indicator(tmp_path, GROUPS))
    criteria_set_load(actor=admin_user, path=settings.NTM_CRITERIA_DIR / "ntm-2021-2025.yaml")


def _line(journey, value):
    indicator = Indicator.objects.get(criterion__criteria_set__code=SET_2026, code="1.1")
    return self_assessment_set(actor=journey.commune_officer, dossier=journey.dossier,
                               criterion=indicator.criterion, indicator=indicator, value=value)


def test_loader_reads_structured_thresholds(catalogue):
    indicator = Indicator.objects.get(criterion__criteria_set__code=SET_2026, code="1.1")
    assert indicator.measure == Indicator.Measure.QUANTITATIVE
    assert [(t.applies_to, t.comparison, t.value, t.kind) for t in indicator.thresholds.all()] == [
        ("1", "gte", Decimal("60.000"), "percent"), ("2", "gte", Decimal("70.000"), "percent"),
        ("3", "gte", Decimal("50.000"), "percent")]
    assert [t.describe() for t in indicator.thresholds.all()] == [
        "≥ 60% (group 1)", "≥ 70% (group 2)", "≥ 50% (group 3)"]


def test_shipped_2021_thresholds_are_structured(catalogue):
    rows = Threshold.objects.filter(indicator__criterion__criteria_set__code=SET_2021)
    assert sorted((t.indicator.code, t.applies_to, t.describe()) for t in rows) == [
        ("3.1", "", "≥ 80% (every group and region)"),
        ("5", "Đông Nam Bộ", "= 100% (Đông Nam Bộ)"),
        ("5", "Đồng bằng sông Hồng", "= 100% (Đồng bằng sông Hồng)"),
        ("6.3", "", "= 100% (every group and region)")]
    assert Indicator.objects.get(criterion__criteria_set__code=SET_2021,
                                 code="6.1").measure == Indicator.Measure.QUALITATIVE


def test_group_2_value_above_group_1_threshold_is_not_met(kit, admin_user):
    group2 = Journey.register(kit, kit.communes[0], Level.NTM)
    assert group2.dossier.commune_group == 2
    row = _line(group2, "65")  # above group 1's 60%, below group 2's 70%
    assert row.met is False
    assert _line(group2, "70,0").met is True
    assert _line(group2, "69,9 %").met is False

    commune_classify(actor=admin_user, commune=kit.communes[1], group=1, group_decided_on=DECIDED,
                     region="", region_decided_on=None)
    group1 = Journey.register(kit, kit.communes[1], Level.NTM)
    assert group1.dossier.commune_group == 1
    assert _line(group1, "65").met is True


def test_the_group_is_fixed_at_registration(kit, admin_user):
    journey = Journey.register(kit, kit.communes[0], Level.NTM)
    commune_classify(actor=admin_user, commune=kit.communes[0], group=1, group_decided_on=DECIDED,
                     region="", region_decided_on=None)
    journey.refresh()
    assert journey.dossier.commune_group == 2
    assert _line(journey, "65").met is False


def test_met_of_a_measured_indicator_is_not_typed(kit):
    journey = Journey.register(kit, kit.communes[0], Level.NTM)
    indicator = Indicator.objects.get(criterion__criteria_set__code=SET_2026, code="1.1")
    row = self_assessment_set(actor=journey.commune_officer, dossier=journey.dossier,
                              criterion=indicator.criterion, indicator=indicator, value="50",
                              met=True)
    assert row.met is False
    with pytest.raises(RuleViolation) as refused:
        _line(journey, "đạt")
    assert refused.value.problems == [
        "Indicator 1.1 is measured: enter its value as a number (for example 83,5), not “đạt”. "
        "Threshold: ≥ 70% (group 2)."]
    assert SelfAssessment.objects.filter(dossier=journey.dossier).count() == 1


def test_a_judged_line_needs_the_communes_claim(kit):
    journey = Journey.register(kit, kit.communes[0], Level.NTM)
    criterion = journey.dossier.criteria_set.criteria.get(number=2)
    with pytest.raises(RuleViolation) as refused:
        self_assessment_set(actor=journey.commune_officer, dossier=journey.dossier,
                            criterion=criterion, value="có")
    assert refused.value.problems == ["Say whether 2 is met."]


def test_appraisal_as_met_is_refused_below_the_threshold(kit):
    journey = Journey.register(kit, kit.communes[0], Level.NTM)
    journey.self_assess()
    _line(journey, "65")
    journey.post()
    journey.close_posting()
    journey.log_survey()
    journey.submit()
    item = next(i for i in journey.items("xd") if i.criterion.number == 1)
    with pytest.raises(RuleViolation) as refused:
        services.appraisal_record(actor=journey.u("so_xd"), item=item, result="met")
    assert refused.value.problems == [
        "Criterion 1 cannot be appraised as met: indicator 1.1: 65 does not meet ≥ 70% "
        "(group 2). Appraise it as not met, or return it for supplement."]
    services.appraisal_record(actor=journey.u("so_xd"), item=item, result="not_met",
                              remark="thiếu")
    condition = criteria_condition(journey.refresh())
    assert condition.met is False
    assert ("1. Planning (indicator 1.1: 65 does not meet ≥ 70% (group 2))"
            in condition.explanation)


def test_registration_needs_the_group_when_thresholds_depend_on_it(kit, admin_user):
    commune_classify(actor=admin_user, commune=kit.communes[0], group=None,
                     group_decided_on=None, region="", region_decided_on=None)
    with pytest.raises(RuleViolation) as refused:
        Journey.register(kit, kit.communes[0], Level.NTM)
    assert refused.value.problems == [
        "The criteria set QD51-2025-NTM-XA has thresholds per commune group, but the province "
        "has not set the group of Xã Thử Hà Tĩnh 1: set it before registering."]


def test_thresholds_of_a_set_in_use_do_not_change_on_reload(kit, admin_user, tmp_path):
    Journey.register(kit, kit.communes[0], Level.NTM)
    changed = [dict(GROUPS[0]), {**GROUPS[1], "value": 75}, dict(GROUPS[2])]
    with pytest.raises(RuleViolation) as refused:
        criteria_set_load(actor=admin_user, path=_with_indicator(tmp_path, changed))
    assert refused.value.problems == [
        "The criteria set QD51-2025-NTM-XA already judges dossiers: the thresholds of indicator "
        "“1.1” cannot change in it. Load the new thresholds as a new version of the set "
        "(another code)."]
    assert list(Threshold.objects.filter(
        indicator__criterion__criteria_set__code=SET_2026).values_list("value", flat=True)) == [
        Decimal("60.000"), Decimal("70.000"), Decimal("50.000")]


@pytest.mark.parametrize(("entry", "message"), [
    ({"applies_to": 4, "comparison": ">=", "value": 1, "unit": "%"},
     "Indicator “1.1”: the set has no group or region “4”."),
    ({"applies_to": 1, "comparison": "~", "value": 1, "unit": "%"},
     "Indicator “1.1”: the comparison must be ≥, ≤, = or between."),
    ({"applies_to": 1, "comparison": ">=", "value": 120, "unit": "%"},
     "In the thresholds of indicator “1.1”: A percentage lies between 0 and 100."),
    ({"applies_to": 1, "comparison": "between", "value": 5, "value_max": 3, "unit": "ha"},
     "In the thresholds of indicator “1.1”: The upper value cannot be below the lower value."),
    ({"applies_to": 1, "comparison": ">=", "value": "nhiều", "unit": "%"},
     "Indicator “1.1”: “nhiều” is not a number."),
])
def test_loader_refuses_bad_thresholds(admin_user, tmp_path, entry, message):
    with pytest.raises(RuleViolation) as refused:
        criteria_set_load(actor=admin_user, path=_with_indicator(tmp_path, [entry]))
    assert refused.value.problems == [message]


def test_a_range_in_an_absolute_unit(admin_user, tmp_path):
    criteria_set_load(actor=admin_user, path=_with_indicator(tmp_path, [
        {"applies_to": "all", "comparison": "between", "value": 10, "value_max": 20.5,
         "unit": "triệu đồng"}]))
    threshold = Threshold.objects.get(indicator__code="1.1",
                                      indicator__criterion__criteria_set__code=SET_2026)
    assert threshold.describe() == "10 triệu đồng to 20.5 triệu đồng (every group and region)"
    assert [threshold.met_by(Decimal(v)) for v in ("9.9", "10", "20.5", "20.6")] == [
        False, True, True, False]


@pytest.mark.parametrize(("text", "number"), [
    ("83,5", Decimal("83.5")), ("83.5%", Decimal("83.5")), (" 100 ", Decimal("100")),
    ("-2", Decimal("-2")), ("đạt", None), ("1.234,5", None), ("", None), ("1e5", None)])
def test_parse_value(text, number):
    assert parse_value(text) == number


def test_new_version_copies_the_thresholds_and_supersedes(kit, admin_user):
    Journey.register(kit, kit.communes[0], Level.NTM)
    source = CriteriaSet.objects.get(code=SET_2026)
    copy = criteria_set_new_version(actor=admin_user, source=source, code="QD51-2025-NTM-XA-v2",
                                    valid_from=dt.date(2027, 1, 1))
    source.refresh_from_db()
    assert source.superseded_by == copy
    assert source.last_day() == dt.date(2026, 12, 31)
    assert copy.criteria.count() == 10
    assert [t.describe() for t in Threshold.objects.filter(
        indicator__criterion__criteria_set=copy)] == [
        "≥ 60% (group 1)", "≥ 70% (group 2)", "≥ 50% (group 3)"]


def test_admin_refuses_to_edit_a_set_in_use(kit, admin_user, client):
    Journey.register(kit, kit.communes[0], Level.NTM)
    indicator = Indicator.objects.get(criterion__criteria_set__code=SET_2026, code="1.1")
    client.login(username="root", password=PASSWORD)
    response = client.post(f"/admin/dossiers/indicator/{indicator.pk}/change/",
                           {"name_vi": "đổi"})
    assert response.status_code == 403
    indicator.refresh_from_db()
    assert indicator.name_vi == "Tỷ lệ thử"


def test_pages_show_the_communes_threshold_and_the_incomplete_set(kit, client):
    journey = Journey.register(kit, kit.communes[0], Level.NTM)
    client.login(username=f"ubnd_{kit.communes[0].code}", password=PASSWORD)
    page = client.get(f"/dossiers/{journey.dossier.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong>≥ 70% (group 2)</strong>" in page
    assert ("The criteria set QD51-2025-NTM-XA is incomplete in the data files: 1 of its 47 "
            "indicators are loaded.") in page
