"""The whole process as the real role users, asserting states, tasks, rights and audit."""

from guardian.shortcuts import get_perms

from audit.chain import verify_chain
from audit.models import AuditEvent
from dossiers.models import AgendaItem, CriterionAppraisal, DossierStatus, Vote
from workflow.models import DossierProcess

S = DossierStatus


def events(dossier, action):
    return list(AuditEvent.objects.filter(dossier_id=dossier.pk, action=action).order_by("seq"))


def last_event(dossier, action):
    found = events(dossier, action)
    assert found, f"no {action} event"
    return found[-1]


def test_commune_reaches_recognition(journey, kit):
    j = journey
    d = j.dossier
    # Registration: pinned set and regulation, rights granted, first task open.
    assert d.status == S.SELF_ASSESSMENT and d.round == 1
    assert d.criteria_set.code == "QD51-2025-NTM-XA"
    assert d.regulation.province == kit.province
    assert j.open_tasks() == ["self_assessment"]
    assert "edit_self_assessment" in get_perms(j.commune_officer, d)
    assert "log_survey" in get_perms(j.front_officer, d)
    assert "edit_self_assessment" not in get_perms(j.front_officer, d)
    assert "record_decision" in get_perms(j.u("chu_tich"), d)
    registered = last_event(d, "dossier.register")
    assert registered.actor == j.commune_officer
    assert registered.agency_id == kit.commune_agency(j.commune, "commune_committee").pk
    assert registered.after["status"] == "self_assessment"
    granted = sorted((e.after["permission"].removeprefix("dossiers."), e.after["to"])
                     for e in events(d, "permission.grant"))
    commune, front = (kit.commune_agency(j.commune, kind).name
                      for kind in ("commune_committee", "commune_front"))
    assert granted == sorted(
        [("appraise_survey", "Ủy ban MTTQ Việt Nam tỉnh"), ("audit_dossier", "Thanh tra tỉnh"),
         ("audit_dossier", "Văn phòng Điều phối NTM tỉnh"), ("confirm_debt", "Sở Tài chính"),
         ("confirm_security", "Công an tỉnh"),
         ("coordinate_dossier", "Văn phòng Điều phối NTM tỉnh"),
         ("edit_self_assessment", commune), ("log_survey", front),
         ("record_decision", "UBND tỉnh")]
        + [("view_dossier", name) for name in (
            "Công an tỉnh", front, "Sở Tài chính", "Thanh tra tỉnh", commune, "UBND tỉnh",
            "Văn phòng Điều phối NTM tỉnh", "Ủy ban MTTQ Việt Nam tỉnh")])

    # Self-assessment (10 criteria without indicators are assessed as a whole).
    j.self_assess()
    assert d.self_assessments.count() == 10
    assert len(events(d, "self_assessment.set")) == 10
    j.post()
    assert j.dossier.status == S.PUBLIC_POSTING
    assert j.open_tasks() == ["public_posting"]
    posted = last_event(d, "dossier.publish_for_comments")
    assert (posted.before["status"], posted.after["status"]) == ("self_assessment",
                                                                "public_posting")
    j.close_posting()
    assert j.dossier.status == S.SURVEY and j.open_tasks() == ["survey"]
    assert [e.actor for e in events(d, "comment.record")] == [j.commune_officer]
    j.log_survey()
    assert j.dossier.status == S.READY_TO_SUBMIT and j.open_tasks() == ["submission"]
    assert last_event(d, "dossier.finish_survey").actor == j.front_officer
    j.submit()

    # Appraisal: one task per responsible department, plus the Front and the confirmations.
    assert j.dossier.status == S.APPRAISAL
    tasks = j.open_tasks()
    assert tasks.count("department_appraisal") == 6
    assert {"survey_appraisal", "debt_confirmation", "security_confirmation"} <= set(tasks)
    assert CriterionAppraisal.objects.filter(dossier=d).count() == 10
    department_tasks = j.tasks_of("department_appraisal")
    owners = {t.owner_permission_obj.code for t in department_tasks}
    assert owners == {"xd", "nn", "nv", "vh", "kh", "ca"}
    item = j.items("xd")[0]
    assert "appraise_criterion" in get_perms(j.u("so_xd"), item)
    assert "appraise_criterion" not in get_perms(j.u("so_nn"), item)
    assert "view_dossier" in get_perms(j.u("so_xd"), d)

    j.appraise_all()
    assert all(i.status == "met" for i in j.items())
    assert j.open_tasks() == ["debt_confirmation", "security_confirmation", "survey_appraisal"]
    met = last_event(d, "appraisal.met")
    assert met.before["status"] == "pending" and met.after["status"] == "met"
    j.appraise_survey()
    j.confirm()
    assert j.dossier.status == S.CONSOLIDATION
    assert j.open_tasks() == ["consolidation"]
    assert last_event(d, "dossier.close_appraisal").actor == j.u("so_ca")

    # Council: on the agenda, one vote per member, closed by the coordination office.
    j.schedule()
    assert j.dossier.status == S.COUNCIL
    assert j.open_tasks() == ["close_vote"] + ["vote"] * 5
    assert {t.owner for t in j.tasks_of("vote")} == set(kit.council_members)
    assert "view_dossier" in get_perms(kit.council_members[0], d)
    j.open_meeting()
    j.vote()
    assert Vote.objects.filter(item=j.item).count() == 5
    assert len(events(d, "vote.cast")) == 5
    assert j.open_tasks() == ["close_vote"]
    item = j.close_vote()
    assert item.result == AgendaItem.Result.APPROVED
    assert (item.votes_for, item.present_count, item.members_total) == (5, 5, 5)
    assert j.dossier.status == S.AWAITING_DECISION
    assert j.open_tasks() == ["decision"]

    # Decision and announcement.
    j.decide()
    assert j.dossier.status == S.RECOGNISED
    decision = d.decisions.get()
    assert decision.number == "123/QĐ-UBND" and len(decision.sha256) == 64
    assert last_event(d, "decision.recognition").after["sha256"] == decision.sha256
    assert j.open_tasks() == ["announcement"]
    j.announce()
    assert j.dossier.status == S.ANNOUNCED
    assert j.open_tasks() == []
    process = DossierProcess.objects.get(dossier=d)
    assert process.status == "DONE"

    # Every transition is in the trail, in order, and the chain verifies.
    transitions = [e.action for e in AuditEvent.objects.filter(
        dossier_id=d.pk, action__startswith="dossier.").order_by("seq")]
    assert transitions == [
        "dossier.register", "dossier.publish_for_comments", "dossier.close_posting",
        "dossier.finish_survey", "dossier.submit", "dossier.close_appraisal",
        "dossier.schedule_for_council", "dossier.council_approve", "dossier.recognise",
        "dossier.announce"]
    assert verify_chain().ok


def test_delegate_may_record_the_decision(journey):
    journey.to_awaiting_decision()
    journey.decide(actor_name="pho_chu_tich")
    assert journey.dossier.status == S.RECOGNISED
