"""Every refusal path: the action is refused with its reasons, and nothing changes."""

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.models import AgendaItem, DossierStatus, Level, Revocation
from dossiers.services import assessment
from dossiers.services.council import meeting_open
from dossiers.services.setup import regulation_profile_publish
from workflow import services
from workflow.models import DossierProcess

S = DossierStatus


class Unchanged:
    """Asserts that a refused call wrote nothing: same status, same audit trail."""

    def __init__(self, journey):
        self.journey = journey

    def __enter__(self):
        self.status = self.journey.refresh().status
        self.events = AuditEvent.objects.count()
        return self

    def __exit__(self, *exc):
        assert self.journey.refresh().status == self.status
        assert AuditEvent.objects.count() == self.events
        return False


def test_wrong_department_cannot_appraise(journey):
    journey.to_appraisal()
    item = journey.items("xd")[0]
    with Unchanged(journey), pytest.raises(NotAllowed, match="Sở Xây dựng"):
        services.appraisal_record(actor=journey.u("so_nn"), item=item, result="met")
    item.refresh_from_db()
    assert item.status == "pending"


def test_other_province_cannot_touch_the_dossier(journey, other_kit):
    journey.to_appraisal()
    outsider = other_kit.users["na_so_xd"]
    item = journey.items("xd")[0]
    with Unchanged(journey), pytest.raises(NotAllowed):
        services.appraisal_record(actor=outsider, item=item, result="met")
    with Unchanged(journey), pytest.raises(NotAllowed):
        services.survey_appraise(actor=other_kit.users["na_mttq_tinh"], dossier=journey.dossier,
                                 process_sound=True)
    with Unchanged(journey), pytest.raises(NotAllowed):
        services.dossier_register(actor=other_kit.users["na_vpdp"], commune=journey.kit.communes[1],
                                  level=Level.NTM, batch=journey.kit.batch)
    assert not outsider.has_perm("dossiers.view_dossier", journey.dossier)


def test_another_commune_cannot_edit(journey, kit):
    neighbour = kit.users[f"ubnd_{kit.communes[1].code}"]
    criterion = journey.dossier.criteria_set.criteria.first()
    with Unchanged(journey), pytest.raises(NotAllowed):
        assessment.self_assessment_set(actor=neighbour, dossier=journey.dossier,
                                       criterion=criterion, met=True)


def test_steps_refuse_until_their_conditions_hold(journey):
    j = journey
    with Unchanged(j), pytest.raises(RuleViolation, match="not finished: 10 line"):
        services.self_assessment_complete(actor=j.commune_officer, dossier=j.dossier)
    j.self_assess()
    with Unchanged(j), pytest.raises(RuleViolation, match="that is in the future"):
        services.self_assessment_complete(
            actor=j.commune_officer, dossier=j.dossier,
            posting_starts_on=timezone.localdate() + dt.timedelta(days=1))
    j.post(days_ago=3)
    with Unchanged(j), pytest.raises(RuleViolation, match="must last 15 days") as refused:
        services.posting_close(actor=j.commune_officer, dossier=j.dossier)
    assert "can close on" in str(refused.value)
    with Unchanged(j), pytest.raises(RuleViolation, match="no open “Self-assessment” task"):
        services.self_assessment_complete(actor=j.commune_officer, dossier=j.dossier)


def test_submission_needs_documents(journey):
    j = journey
    j.self_assess()
    j.post()
    j.close_posting()
    j.log_survey()
    with Unchanged(j), pytest.raises(RuleViolation, match="Documents missing") as refused:
        services.dossier_submit(actor=j.commune_officer, dossier=j.dossier)
    assert "meeting minutes" in str(refused.value)


def test_criterion_not_met_blocks_the_council(journey):
    j = journey
    j.to_appraisal()
    xd_items = j.items("xd")
    services.appraisal_record(actor=j.u("so_xd"), item=xd_items[0], result="not_met",
                              remark="Chưa có quy hoạch được phê duyệt")
    services.appraisal_record(actor=j.u("so_xd"), item=xd_items[1], result="met")
    j.appraise_all()
    j.appraise_survey()
    j.confirm()
    assert j.dossier.status == S.CONSOLIDATION
    j.new_meeting()
    with Unchanged(j), pytest.raises(RuleViolation) as refused:
        services.dossier_schedule(actor=j.u("vpdp"), dossier=j.dossier, meeting=j.meeting,
                                  report="x")
    assert refused.value.problems == ["Criteria not met: 1. Planning."]
    services.dossier_refuse(actor=j.u("vpdp"), dossier=j.dossier, reason="Tiêu chí 1 không đạt")
    assert j.refresh().status == S.NOT_RECOGNISED
    assert j.open_tasks() == []


def test_every_failing_legal_condition_is_named(journey):
    j = journey
    j.self_assess()
    j.post()
    j.close_posting()
    j.log_survey(surveyed_share=0.5, satisfied_share=0.85)
    j.submit()
    j.appraise_all()
    j.appraise_survey()
    j.confirm(debt_ok=False, security_ok=False)
    j.new_meeting()
    with Unchanged(j), pytest.raises(RuleViolation) as refused:
        services.dossier_schedule(actor=j.u("vpdp"), dossier=j.dossier, meeting=j.meeting,
                                  report="x")
    problems = refused.value.problems
    assert len(problems) == 3
    survey, debt, security = problems
    assert "50% of households were surveyed" in survey and "required 70%" in survey
    assert "85.2% of surveyed households are satisfied (179 of 210)" in survey and "required 90%" in survey
    assert "Sở Tài chính reports outstanding capital-construction debt: nợ 2 tỷ đồng" in debt
    assert "Công an tỉnh reports a complex security situation" in security


def test_debt_outstanding_blocks_the_council(journey):
    j = journey
    j.to_appraisal()
    j.appraise_all()
    j.appraise_survey()
    j.confirm(debt_ok=False)
    j.new_meeting()
    with Unchanged(j), pytest.raises(RuleViolation, match="outstanding capital-construction debt"):
        services.dossier_schedule(actor=j.u("vpdp"), dossier=j.dossier, meeting=j.meeting,
                                  report="x")


def test_survey_under_threshold_and_unsound_survey(journey):
    j = journey
    j.self_assess()
    j.post()
    j.close_posting()
    j.log_survey(surveyed_share=0.9, satisfied_share=0.95)
    j.submit()
    j.appraise_all()
    j.appraise_survey(sound=False)
    j.confirm()
    j.new_meeting()
    with pytest.raises(RuleViolation, match="not run properly: sai quy trình"):
        services.dossier_schedule(actor=j.u("vpdp"), dossier=j.dossier, meeting=j.meeting,
                                  report="x")


def test_survey_figures_must_be_consistent(journey):
    j = journey
    j.self_assess()
    j.post()
    j.close_posting()
    village = j.commune.villages.first()
    with Unchanged(j), pytest.raises(RuleViolation) as refused:
        assessment.survey_result_set(actor=j.front_officer, dossier=j.dossier, village=village,
                                     households=village.households,
                                     surveyed=village.households + 20,
                                     satisfied=village.households + 30)
    assert len(refused.value.problems) == 2
    with Unchanged(j), pytest.raises(NotAllowed):
        assessment.survey_result_set(actor=j.commune_officer, dossier=j.dossier,
                                     village=village, households=100, surveyed=80, satisfied=70)


def test_supplement_loop_reopens_only_that_department(journey):
    j = journey
    j.to_appraisal()
    returned = j.items("xd")[0]
    with pytest.raises(RuleViolation, match="supplement"):
        services.appraisal_record(actor=j.u("so_xd"), item=returned, result="returned")
    services.appraisal_record(actor=j.u("so_xd"), item=returned, result="returned",
                              remark="Bổ sung bản đồ quy hoạch")
    services.appraisal_record(actor=j.u("so_xd"), item=j.items("xd")[1], result="met")
    j.appraise_all(except_codes=("xd",))
    j.appraise_survey()
    j.confirm()
    # The department's task is done; the commune answers; everything else waits at the join.
    assert j.open_tasks() == ["answer_returns"]
    assert j.tasks_of("answer_returns")[0].data == {"agency": returned.agency_id}
    assert j.dossier.status == S.APPRAISAL
    assessment.evidence_add(actor=j.commune_officer, dossier=j.dossier,
                            criterion=returned.criterion, upload=_png(), name="ban-do.png")
    services.returned_answer(actor=j.commune_officer, item=returned,
                             response="Đã bổ sung bản đồ")
    tasks = j.tasks_of("department_appraisal")
    assert [t.owner_permission_obj.code for t in tasks] == ["xd"]
    returned.refresh_from_db()
    assert returned.status == "resubmitted" and returned.returns == 1
    services.appraisal_record(actor=j.u("so_xd"), item=returned, result="met")
    assert j.refresh().status == S.CONSOLIDATION
    assert AuditEvent.objects.filter(dossier_id=j.dossier.pk,
                                     action="appraisal.answer_return").count() == 1


def _png():
    import io

    return io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)


def _at_council(journey):
    journey.to_consolidation()
    journey.schedule()


def test_a_meeting_opens_only_with_a_quorum_of_its_members(journey, kit):
    j = journey
    _at_council(j)
    meeting = j._meeting()
    with Unchanged(j), pytest.raises(RuleViolation, match="3 of 5 members present"):
        j.open_meeting(present=3)  # 3 of 5 is under two thirds
    with Unchanged(j), pytest.raises(RuleViolation, match="Not members of the council"):
        meeting_open(actor=j.u("vpdp"), meeting=meeting,
                     present=[*kit.council_members[:4], j.u("vpdp")])
    # The same member twice counts once.
    with Unchanged(j), pytest.raises(RuleViolation, match="3 of 5 members present"):
        meeting_open(actor=j.u("vpdp"), meeting=meeting,
                     present=[*kit.council_members[:3], kit.council_members[0]])
    meeting.refresh_from_db()
    assert (meeting.status, list(meeting.present.all())) == ("planned", [])
    j.open_meeting(present=4)  # 4 of 5 is over two thirds
    meeting.refresh_from_db()
    assert (meeting.status, meeting.present.count(), meeting.members_total) == (
        "in_session", 4, 5)


def test_quorum_missed_returns_to_consolidation(journey, kit):
    j = journey
    _at_council(j)
    # The province lowers its quorum to one half: the meeting opens with 3 of 5, but the
    # dossier keeps the profile it was registered under (two thirds) and misses it.
    regulation_profile_publish(actor=kit.admin, province=kit.province,
                               valid_from=timezone.localdate(), reason="test",
                               council_quorum="1/2")
    j.open_meeting(present=3)  # 3 of 5 is under two thirds
    j.vote(present=3)
    item = j.close_vote()
    assert item.result == AgendaItem.Result.NO_QUORUM
    assert "3 of 5 members present" in item.remark
    assert j.dossier.status == S.CONSOLIDATION
    assert j.open_tasks() == ["consolidation"]
    # Another meeting with quorum approves it.
    j.meeting = None
    j.schedule()
    j.open_meeting(present=4)  # 4 of 5 is over two thirds
    j.vote(present=4)
    assert j.close_vote().result == AgendaItem.Result.APPROVED
    assert j.dossier.status == S.AWAITING_DECISION


def test_approval_under_threshold_rejects(journey):
    j = journey
    _at_council(j)
    j.open_meeting()
    j.vote(in_favour=4)  # 80% is under 90%
    item = j.close_vote()
    assert item.result == AgendaItem.Result.REJECTED
    assert (item.votes_for, item.votes_against) == (4, 1)
    assert j.dossier.status == S.NOT_RECOGNISED
    assert "4 of 5 members present voted for" in j.dossier.outcome_reason
    assert j.open_tasks() == []


def test_absent_member_vote_is_cancelled_and_votes_are_single(journey, kit):
    j = journey
    _at_council(j)
    with pytest.raises(RuleViolation, match="in session"):
        services.vote_cast(actor=kit.council_members[0], item=j.item, in_favour=True)
    j.open_meeting(present=4)
    services.vote_cast(actor=kit.council_members[0], item=j.item, in_favour=True)
    with Unchanged(j), pytest.raises(RuleViolation, match="already voted"):
        services.vote_cast(actor=kit.council_members[0], item=j.item, in_favour=False)
    with Unchanged(j), pytest.raises(RuleViolation, match="not recorded as present"):
        services.vote_cast(actor=kit.council_members[4], item=j.item, in_favour=True)
    with Unchanged(j), pytest.raises(NotAllowed):
        services.vote_cast(actor=j.u("vpdp"), item=j.item, in_favour=True)
    for member in kit.council_members[1:4]:
        services.vote_cast(actor=member, item=j.item, in_favour=True)
    j.close_vote()
    cancelled = j.dossier.processes.get().task_set.filter(status="CANCELED")
    assert [t.owner for t in cancelled] == [kit.council_members[4]]


def test_deferral_starts_a_new_round(journey):
    j = journey
    _at_council(j)
    j.open_meeting()
    with Unchanged(j), pytest.raises(RuleViolation, match="reason for deferring"):
        services.vote_close(actor=j.u("vpdp"), item=j.item, defer=True)
    item = j.close_vote(defer=True, reason="Bổ sung minh chứng tiêu chí 8")
    assert item.result == AgendaItem.Result.DEFERRED
    assert j.dossier.status == S.SELF_ASSESSMENT and j.dossier.round == 2
    processes = list(DossierProcess.objects.filter(dossier=j.dossier).order_by("pk"))
    assert [p.status for p in processes] == ["DONE", "NEW"]
    assert processes[1].round == 2
    assert j.open_tasks() == ["self_assessment"]
    # The second round runs the whole chain again, with fresh appraisals.
    j.post()
    j.close_posting()
    services.survey_complete(actor=j.front_officer, dossier=j.dossier)
    j.refresh()
    j.submit()
    assert len(j.items()) == 10 and all(i.round == 2 for i in j.items())


def test_auditor_reads_but_cannot_change(journey, kit):
    j = journey
    j.to_appraisal()
    auditor = kit.users["thanh_tra"]
    assert auditor.has_perm("dossiers.view_dossier", j.dossier)
    assert auditor.has_perm("dossiers.audit_dossier", j.dossier)
    criterion = j.dossier.criteria_set.criteria.first()
    with Unchanged(j), pytest.raises(NotAllowed):
        assessment.self_assessment_set(actor=auditor, dossier=j.dossier, criterion=criterion,
                                       met=True)
    with Unchanged(j), pytest.raises(NotAllowed):
        services.appraisal_record(actor=auditor, item=j.items()[0], result="met")
    with Unchanged(j), pytest.raises(NotAllowed):
        services.confirmation_record(actor=auditor, dossier=j.dossier, kind="debt", holds=True)


def test_only_chairman_or_delegate_decides(journey):
    j = journey
    j.to_awaiting_decision()
    with Unchanged(j), pytest.raises(NotAllowed):
        j.decide(actor_name="vpdp")


def test_revocation_rule_and_chain(journey, kit):
    j = journey
    j.to_awaiting_decision()
    j.decide()
    criteria = {c.number: c for c in j.dossier.criteria_set.criteria.all()}
    coordinator = j.u("vpdp")
    with Unchanged(j), pytest.raises(RuleViolation, match="Only 2 of 10"):
        services.revocation_propose(actor=coordinator, dossier=j.dossier,
                                    criteria=[criteria[1], criteria[2]], reason="x")
    with Unchanged(j), pytest.raises(RuleViolation, match="none of them is a key criterion"):
        services.revocation_propose(actor=coordinator, dossier=j.dossier,
                                    criteria=[criteria[1], criteria[2], criteria[3]], reason="x")
    revocation = services.revocation_propose(
        actor=coordinator, dossier=j.dossier, reason="Ô nhiễm môi trường kéo dài",
        criteria=[criteria[1], criteria[2], criteria[8]])
    meeting = j.new_meeting()
    item = services.revocation_schedule(actor=coordinator, revocation=revocation, meeting=meeting)
    j.item = item
    j.open_meeting()
    j.vote()
    j.close_vote()
    revocation.refresh_from_db()
    assert revocation.status == Revocation.Status.APPROVED
    services.revocation_decide(actor=j.u("chu_tich"), revocation=revocation,
                               number="45/QĐ-UBND", signed_on=timezone.localdate(),
                               signer_name="Võ Trọng Hải", signer_title="Chủ tịch",
                               upload=_pdf(), name="thu-hoi.pdf")
    assert j.refresh().status == S.REVOKED
    revocation.refresh_from_db()
    assert revocation.status == Revocation.Status.DECIDED
    assert AuditEvent.objects.filter(dossier_id=j.dossier.pk, action="dossier.revoke").exists()


def test_half_of_criteria_revokes_without_a_key_criterion(journey):
    j = journey
    j.to_awaiting_decision()
    j.decide()
    criteria = list(j.dossier.criteria_set.criteria.filter(number__lte=5))
    revocation = services.revocation_propose(actor=j.u("vpdp"), dossier=j.dossier,
                                             criteria=criteria, reason="5 tiêu chí")
    assert revocation.criteria_not_met.count() == 5


def _pdf():
    from demo.files import pdf

    return pdf("revocation")
