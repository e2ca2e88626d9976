"""Mergers of communes (DOMAIN.md §4): inheritance of a level, closing running dossiers."""

import datetime as dt

import pytest
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from audit.models import AuditEvent
from demo.journey import Journey
from dossiers.conditions import registration_ladder_problems
from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.models import Dossier, DossierStatus, Level, Merger, MergerOutcome
from tests.conftest import PASSWORD, TODAY, make_province
from workflow import services
from workflow.models import DossierProcess


@pytest.fixture
def big_kit(admin_user, catalogue):
    """A province of five communes (the suite's ``kit`` has two)."""
    return make_province(admin_user, "44", "Quảng Trị", 5, "qt_")


def _recognise(kit, communes):
    """Take a dossier of each commune through the whole process to its signed decision,
    the council voting on all of them at one meeting."""
    journeys = [Journey.register(kit, c, Level.NTM) for c in communes]
    for journey in journeys:
        journey.to_consolidation()
    meeting = journeys[0].new_meeting()
    for journey in journeys:
        journey.schedule(meeting=meeting)
    journeys[0].open_meeting()
    for journey in journeys:
        journey.vote()
        journey.close_vote()
        journey.decide()
        assert journey.dossier.status == DossierStatus.RECOGNISED
    return journeys


def test_three_recognised_communes_pass_their_level_on(big_kit):
    old = big_kit.communes[:3]
    new = big_kit.communes[4]
    _recognise(big_kit, old)
    merger = services.merger_record(actor=big_kit.account("vpdp"), new_commune=new,
                                    predecessors=old, legal_act="Nghị quyết 1680/NQ-UBTVQH15",
                                    effective_on=dt.date(2026, 7, 1))
    outcome = merger.outcomes.get()
    assert (outcome.level, outcome.inherited) == (Level.NTM, True)
    assert outcome.reason == (
        "Inherited: every predecessor held a current recognition at new rural area (NTM) "
        "(Xã Thử Quảng Trị 1: recognised in Batch 1/2026; Xã Thử Quảng Trị 2: recognised in "
        "Batch 1/2026; Xã Thử Quảng Trị 3: recognised in Batch 1/2026).")
    assert [e.action for e in AuditEvent.objects.filter(
        action__startswith="merger.").order_by("seq")] == ["merger.record", "merger.inherit"]
    # The new commune may now register for the advanced level on the inherited recognition.
    assert registration_ladder_problems(new, Level.ADVANCED) == []


def test_two_recognised_and_one_not_do_not_pass_it_on(big_kit):
    recognised = big_kit.communes[:2]
    other = big_kit.communes[2]
    new = big_kit.communes[4]
    _recognise(big_kit, recognised)
    running = Journey.register(big_kit, other, Level.NTM)
    running.self_assess()
    merger = services.merger_record(actor=big_kit.account("vpdp"), new_commune=new,
                                    predecessors=[*recognised, other],
                                    legal_act="Nghị quyết 1680/NQ-UBTVQH15",
                                    effective_on=dt.date(2026, 7, 1))
    outcome = merger.outcomes.get()
    assert (outcome.level, outcome.inherited) == (Level.NTM, False)
    assert outcome.reason == (
        "Not inherited: Xã Thử Quảng Trị 3 held no current recognition at new rural area (NTM); "
        "the new commune must go through the process again.")
    assert registration_ladder_problems(new, Level.ADVANCED) == [
        "Xã Thử Quảng Trị 5 holds no current recognition at new rural area (NTM): it may "
        "register for advanced new rural area (NTM nâng cao) only while it holds one."]
    # The predecessor's running dossier is closed with the reason, its process cancelled.
    dossier = running.refresh()
    assert dossier.status == DossierStatus.CLOSED_BY_MERGER
    assert dossier.outcome_reason == ("Xã Thử Quảng Trị 3 merged into Xã Thử Quảng Trị 5 "
                                      "(Nghị quyết 1680/NQ-UBTVQH15, effective 01/07/2026).")
    process = DossierProcess.objects.get(dossier=dossier)
    assert process.status == PROCESS.CANCELED
    assert Task.objects.filter(process=process).exclude(
        status__in=[STATUS.DONE, STATUS.CANCELED]).count() == 0
    event = AuditEvent.objects.get(action="dossier.close_by_merger")
    assert (event.dossier_id, event.reason, event.after["status"]) == (
        dossier.pk, dossier.outcome_reason, "closed_by_merger")
    assert [e.action for e in AuditEvent.objects.filter(
        action__startswith="merger.").order_by("seq")] == ["merger.record", "merger.not_inherited"]
    # The recognised dossiers of the predecessors stay recognised.
    assert [d.status for d in Dossier.objects.filter(commune__in=recognised)] == [
        DossierStatus.RECOGNISED, DossierStatus.RECOGNISED]


def test_no_level_held_records_no_outcome(big_kit):
    merger = services.merger_record(actor=big_kit.account("vpdp"),
                                    new_commune=big_kit.communes[4],
                                    predecessors=big_kit.communes[:2],
                                    legal_act="NQ 1", effective_on=TODAY)
    assert MergerOutcome.objects.filter(merger=merger).count() == 0


def test_refusals_change_nothing(big_kit, kit):
    office = big_kit.account("vpdp")
    with pytest.raises(RuleViolation) as refused:
        services.merger_record(actor=office, new_commune=big_kit.communes[0],
                               predecessors=[big_kit.communes[0], kit.communes[0]],
                               legal_act=" ", effective_on=TODAY + dt.timedelta(days=1))
    assert refused.value.problems == [
        "The new commune cannot be one of its predecessors.",
        "These communes are not in Quảng Trị: Xã Thử Hà Tĩnh 1.",
        "Name the legal act of the merger (number and date).",
        "The merger's effective date cannot lie in the future."]
    with pytest.raises(NotAllowed):
        services.merger_record(actor=kit.account("vpdp"),  # another province's office
                               new_commune=big_kit.communes[4],
                               predecessors=big_kit.communes[:2], legal_act="NQ 1",
                               effective_on=TODAY)
    assert Merger.objects.count() == 0
    assert AuditEvent.objects.filter(action__startswith="merger.").count() == 0


def test_merger_page_and_api(big_kit, client):
    client.login(username="qt_vpdp", password=PASSWORD)
    communes = big_kit.communes
    response = client.post("/mergers/", {
        "new_commune": communes[4].pk, "predecessors": [communes[0].pk, communes[1].pk],
        "legal_act": "NQ 1680", "effective_on": "01/07/2026"})
    assert response.status_code == 302
    merger = Merger.objects.get()
    page = client.get(f"/mergers/{merger.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "NQ 1680" in page
    api = client.get(f"/api/mergers/{merger.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (api["new_commune"], api["legal_act"], api["effective_on"], api["outcomes"]) == (
        communes[4].pk, "NQ 1680", "2026-07-01", [])
