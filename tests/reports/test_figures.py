"""Each report figure against the history of ``conftest.history``, computed by hand."""

import datetime as dt
from decimal import Decimal

from demo.journey import Journey
from dossiers.models import Level
from dossiers.services.roadmap import roadmap_target_set
from reports.periods import period_of
from reports.selectors import report_build
from tests.conftest import SET_2021, make_province, queries_of

LEVELS = ("NTM_NANG_CAO", "NTM_KIEU_MAU", "NTM_HIEN_DAI")


def figures(kit, **period):
    report = report_build(provinces=[kit.province], period=period_of(**period))
    return {f.key: (f.value, sorted(f.dossiers)) for _n, _t, fs in report.sections for f in fs}


def test_march_holds_the_revocation_and_the_deferral(history):
    kit, journeys = history
    d1, d2, d3, d4 = (j.dossier.pk for j in journeys)
    march = figures(kit, kind="month", year=2026, number=3)
    # Communes: 4; commune 2 holds NTM; commune 1 was recognised in February, revoked in March.
    assert march["recognised.NTM"] == (0, [])
    assert march["revoked.NTM"] == (1, [d1])
    assert march["holding.NTM"] == (1, [d2])
    assert march["share.NTM"] == (Decimal("25.0"), [d2])
    for level in LEVELS:
        assert march[f"holding.{level}"] == (0, []) and march[f"share.{level}"][0] == 0
    # Criteria met: commune 1, 19 − 10 revoked = 9; commune 2, 19 (holds); commune 3, 19
    # (round 2: its self-assessment, all met); commune 4, 0 (in appraisal, nothing met yet).
    # (9 + 19 + 19 + 0) / 4 = 11.75 → 11.8; under 15: communes 1 and 4.
    assert march["criteria.average"] == (Decimal("11.8"), [d1, d2, d3, d4])
    assert march["criteria.under15"] == (2, [d1, d4])
    for number in range(1, 11):
        assert march[f"criterion.{SET_2021}.{number}"] == (2, [d1, d4])
    for number in range(11, 20):
        assert march[f"criterion.{SET_2021}.{number}"] == (1, [d4])
    # Today (31/03): where each dossier stands.
    assert {k: v for k, v in march.items() if k.startswith("status.")} == {
        "status.revoked": (1, [d1]), "status.recognised": (1, [d2]),
        "status.self_assessment": (1, [d3]), "status.appraisal": (1, [d4])}
    # Commune 4's appraisals were due on 20/03; the Front's survey appraisal and the two
    # confirmations fall back to the same date.
    assert {k: v for k, v in march.items() if k.startswith("late.")} == {
        "late.department_appraisal": (1, [d4]), "late.survey_appraisal": (1, [d4]),
        "late.debt_confirmation": (1, [d4]), "late.security_confirmation": (1, [d4])}
    # The council in March: commune 3 deferred (the revocation's vote is not a recognition).
    assert march["council.deferred"] == (1, [d3])
    assert march["council.approved"] == (0, []) and march["council.rejected"] == (0, [])
    # Roadmap 2026: communes 1, 2, 3 planned; only 2 holds at the end of March.
    assert march["roadmap.2026.NTM.planned"] == (3, [d1, d2, d3])
    assert march["roadmap.2026.NTM.achieved"] == (1, [d2])
    assert march["roadmap.2026.NTM.missing"] == (2, [d1, d3])
    assert "roadmap.2027.NTM.planned" not in march
    assert march["villages.model"] == (0, [])


def test_earlier_periods_read_the_decisions_of_their_own_days(history):
    kit, journeys = history
    d1, d2, d3, d4 = (j.dossier.pk for j in journeys)
    february = figures(kit, kind="month", year=2026, number=2)
    assert february["recognised.NTM"] == (2, [d1, d2])
    assert february["revoked.NTM"] == (0, [])
    assert february["holding.NTM"] == (2, [d1, d2])
    assert february["share.NTM"] == (Decimal("50.0"), [d1, d2])
    # Commune 1 still held its recognition at the end of February: 19 + 19 + 19 + 0 = 57,
    # 57 / 4 = 14.25 → 14.3; only commune 4 under 15.
    assert february["criteria.average"] == (Decimal("14.3"), [d1, d2, d3, d4])
    assert february["criteria.under15"] == (1, [d4])
    quarter = figures(kit, kind="quarter", year=2026, number=1)
    assert quarter["recognised.NTM"] == (2, [d1, d2])
    assert quarter["revoked.NTM"] == (1, [d1])
    assert quarter["holding.NTM"] == (1, [d2])
    assert quarter["council.approved"] == (2, [d1, d2])
    assert quarter["council.deferred"] == (1, [d3])
    year_2027 = figures(kit, kind="year", year=2027)
    assert year_2027["roadmap.2027.NTM.planned"] == (1, [d4])
    assert year_2027["roadmap.2027.NTM.achieved"] == (0, [])
    january = figures(kit, kind="range", start=dt.date(2025, 12, 1),
                      end=dt.date(2026, 1, 31))
    assert january["holding.NTM"] == (0, []) and january["recognised.NTM"] == (0, [])


def test_a_report_costs_the_same_queries_with_more_data(history, admin_user):
    kit, journeys = history
    other = make_province(admin_user, "40", "Nghệ An", 2, "na_")
    provinces = [kit.province, other.province]
    period = period_of(kind="year", year=2026)
    before, _report = queries_of(lambda: report_build(provinces=provinces, period=period))
    # More dossiers, tasks, self-assessments, appraisal items and targets.
    Journey.register(other, other.communes[0], Level.NTM).to_appraisal()
    Journey.register(other, other.communes[1], Level.NTM).self_assess(met=False)
    roadmap_target_set(actor=other.account("vpdp"), province=other.province,
                       commune=other.communes[0], level=Level.NTM, year=2026)
    after, report = queries_of(lambda: report_build(provinces=provinces, period=period))
    assert before == after
    assert report.figure("roadmap.2026.NTM.planned").value == 4
    # Nghệ An's dossiers, registered after 15/02/2026, are judged by the 2026–2030 set: none
    # counts towards "under 15 criteria"; neither has met a criterion yet.
    assert [(row.province.code, row.communes, row.holding["NTM"], row.average, row.under15)
            for row in report.by_province] == [("42", 4, 1, Decimal("11.8"), 2),
                                               ("40", 2, 0, Decimal("0.0"), 0)]
