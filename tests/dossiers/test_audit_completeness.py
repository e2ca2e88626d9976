"""Every kind of change leaves its event, written by the action that causes it, with the
right actor, agency and values before and after."""

import pytest
from django.utils import timezone

from audit.labels import ACTIONS
from audit.models import AuditEvent
from dossiers import permissions
from dossiers.exceptions import RuleViolation
from dossiers.models import Evidence
from dossiers.services import assessment
from dossiers.services.agencies import agency_add_member, agency_remove_member
from dossiers.services.council import meeting_close
from dossiers.services.setup import responsibility_set
from tests.conftest import pdf
from workflow import services


def last(action):
    return AuditEvent.objects.filter(action=action).latest("seq")


def test_evidence_is_recorded_with_its_hash_and_withdrawn_without_loss(journey):
    j = journey
    criterion = j.dossier.criteria_set.criteria.get(number=1)
    evidence = assessment.evidence_add(actor=j.commune_officer, dossier=j.dossier,
                                       criterion=criterion, upload=pdf("map"), name="ban-do.pdf",
                                       description="Bản đồ quy hoạch")
    added = last("evidence.add")
    assert added.actor == j.commune_officer
    assert added.after["sha256"] == evidence.sha256 and len(evidence.sha256) == 64
    assert added.after["content_type"] == "application/pdf"
    with pytest.raises(RuleViolation, match="not a PDF"):
        assessment.evidence_add(actor=j.commune_officer, dossier=j.dossier, criterion=criterion,
                                upload=__import__("io").BytesIO(b"MZ\x90\x00binary"),
                                name="virus.exe")
    assessment.evidence_withdraw(actor=j.commune_officer, evidence=evidence,
                                 reason="Tải nhầm tệp")
    withdrawn = last("evidence.withdraw")
    assert withdrawn.before["sha256"] == evidence.sha256 and withdrawn.after == {"withdrawn": True}
    assert withdrawn.reason == "Tải nhầm tệp"
    kept = Evidence.objects.get(pk=evidence.pk)
    assert kept.withdrawn_at is not None and kept.file.storage.exists(kept.file.name)


def test_self_assessment_edit_records_before_and_after(journey):
    j = journey
    criterion = j.dossier.criteria_set.criteria.get(number=2)
    assessment.self_assessment_set(actor=j.commune_officer, dossier=j.dossier,
                                   criterion=criterion, value="85%", met=True)
    assessment.self_assessment_set(actor=j.commune_officer, dossier=j.dossier,
                                   criterion=criterion, value="75%", met=False, note="sửa")
    event = last("self_assessment.set")
    assert event.before == {"value": "85%", "met": True, "note": ""}
    assert event.after == {"value": "75%", "met": False, "note": "sửa"}
    assert event.agency_id == j.kit.commune_agency(j.commune, "commune_committee").pk


def test_reassignment_is_recorded(journey, kit):
    j = journey
    colleague = kit.users["ubnd_42002"]  # a member of another commune: refused
    task = j.tasks_of("self_assessment")[0]
    with pytest.raises(RuleViolation, match="does not act for"):
        services.task_reassign(actor=kit.users["vpdp"], task=task, to=colleague, reason="x")
    services.task_reassign(actor=kit.users["vpdp"], task=task, to=j.commune_officer,
                           reason="Phân công cán bộ phụ trách")
    event = last("task.reassign")
    assert event.actor == kit.users["vpdp"] and event.agency_id == kit.agencies["coordination"].pk
    assert event.before == {"owner": None, "owner_name": None}
    assert event.after == {"owner": j.commune_officer.pk, "owner_name": j.commune_officer.username}
    assert event.dossier_id == j.dossier.pk


def test_permission_grant_and_removal_are_recorded(journey, kit):
    group = kit.agencies["council"].group
    permissions.grant(actor=kit.admin, perm="view_dossier", to=group, obj=journey.dossier,
                      reason="xem trước")
    granted = last("permission.grant")
    assert granted.after["permission"] == "dossiers.view_dossier"
    assert granted.dossier_id == journey.dossier.pk
    permissions.revoke(actor=kit.admin, perm="view_dossier", frm=group, obj=journey.dossier,
                       reason="không còn cần")
    removed = last("permission.remove")
    assert removed.before["permission"] == "dossiers.view_dossier"
    assert removed.reason == "không còn cần"
    assert not kit.council_members[0].has_perm("dossiers.view_dossier", journey.dossier)


def test_set_up_changes_are_recorded(kit):
    criterion = kit.batch.province.responsibilities.first().criterion
    responsibility_set(actor=kit.users["vpdp"], province=kit.province, criterion=criterion,
                       agency=kit.agencies["vh"], reason="Sáp nhập sở")
    event = last("responsibility.set")
    assert event.before["agency"] != event.after["agency"] == kit.agencies["vh"].pk
    assert event.reason == "Sáp nhập sở"
    member = kit.users["so_vh"]
    agency_remove_member(actor=kit.admin, agency=kit.agencies["vh"], user=member,
                         reason="Nghỉ hưu")
    assert last("agency.member_remove").before["user"] == member.pk
    assert not member.has_perm("dossiers.act_for_agency", kit.agencies["vh"])
    agency_add_member(actor=kit.admin, agency=kit.agencies["vh"], user=member)
    assert last("agency.member_add").after["user"] == member.pk


def test_every_action_of_a_whole_process_is_labelled_and_attributed(journey, kit):
    j = journey
    j.to_awaiting_decision()
    meeting_close(actor=j.u("vpdp"), meeting=j.meeting)
    j.decide()
    j.announce()
    events = AuditEvent.objects.all()
    unlabelled = sorted({e.action for e in events} - set(ACTIONS))
    assert unlabelled == []
    for event in events.filter(dossier_id=j.dossier.pk):
        assert event.actor_id is not None, event
        assert event.province_id == kit.province.pk
    votes = events.filter(action="vote.cast")
    assert {v.actor for v in votes} == set(kit.council_members)
    assert all(v.agency_id == kit.agencies["council"].pk for v in votes)
    closed = last("agenda.close")
    assert closed.before == {"result": "open"}
    assert closed.after == {"result": "approved", "present": 5, "members": 5, "for": 5,
                            "against": 0}
    decision = last("decision.recognition")
    assert decision.actor == kit.users["chu_tich"]
    assert decision.after["signed_on"] == timezone.localdate().isoformat()
