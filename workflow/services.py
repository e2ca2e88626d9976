"""Orchestration: each step of the recognition process as one service.

A service locks the dossier's process (``select_for_update``) and the dossier row,
checks the actor's rights, explains every failing condition, calls exactly one
transition of the dossier's state machine, writes the audit event, and completes the
viewflow task of that step, all in one transaction. Nothing else completes tasks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed
from guardian.shortcuts import get_perms
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from dossiers import conditions, permissions
from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.models import (
    Agency,
    AgendaItem,
    AppraisalStatus,
    Batch,
    Commune,
    Confirmation,
    CouncilMeeting,
    CriteriaSet,
    Criterion,
    CriterionAppraisal,
    Decision,
    DistrictVerification,
    Dossier,
    DossierStatus,
    Membership,
    RegulationProfile,
    Revocation,
    SurveyAppraisal,
    Vote,
)
from dossiers.services.appraisal import appraisal_mapping_problems
from dossiers.services.assessment import _store
from dossiers.services.setup import regulation_profile_current

from . import audit
from .flows import RecognitionFlow
from .models import DossierProcess

K = Agency.Kind
F = RecognitionFlow
OPEN_TASK = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]
DOSSIER_FIELDS = ("status", "round")


# --- helpers -----------------------------------------------------------------------
def _active_process(dossier_pk: int) -> DossierProcess | None:
    return (DossierProcess.objects.filter(dossier_id=dossier_pk)
            .exclude(status__in=["DONE", "CANCELED"]).order_by("-pk").first())


@contextmanager
def _step(dossier: Dossier) -> Iterator[tuple[Dossier, DossierProcess]]:
    """Lock the dossier's running process and the dossier itself, in one transaction."""
    with transaction.atomic():
        process = _active_process(dossier.pk)
        if process is None:
            raise RuleViolation(_("The dossier has no running process: it is “%(status)s”.")
                                % {"status": dossier.get_status_display()})
        with F.lock(process.pk):
            locked = Dossier.objects.select_for_update(of=("self",)).select_related(
                "commune__province", "criteria_set", "regulation", "batch").get(pk=dossier.pk)
            yield locked, process


def _open_task(process: DossierProcess, node: Any, *, owner: Agency | None = None,
               data: dict[str, Any] | None = None) -> Task:
    """The open task of ``node``; for an agency's task, ``owner``; ``data`` matches task.data."""
    tasks = Task.objects.filter(process=process, flow_task=node, status__in=OPEN_TASK)
    if owner is not None:
        tasks = tasks.filter(owner_permission_obj_pk=str(owner.pk))
    for key, value in (data or {}).items():
        tasks = tasks.filter(**{f"data__{key}": value})
    task = tasks.order_by("pk").first()
    if task is None:
        raise RuleViolation(_("There is no open “%(step)s” task for this dossier now (it is "
                              "“%(status)s”).") % {"step": node.task_title or node.name,
                                                   "status": process.dossier.get_status_display()})
    return task


def _complete(task: Task, actor: Any, agency: Agency | None) -> None:
    """Take the task for ``actor`` if it is free, then complete it and run the flow on."""
    activation = task.flow_task.activation_class(task)
    if task.status == STATUS.NEW:
        if not task.flow_task.can_assign(actor, task):
            raise NotAllowed(_("This task belongs to another agency."))
        activation.assign(actor)
    elif task.owner_id != actor.pk:
        owner_agency = task.owner_permission_obj
        if owner_agency is None or not actor.has_perm("dossiers.act_for_agency", owner_agency):
            raise NotAllowed(_("This task is assigned to %(owner)s.") % {"owner": task.owner})
        previous = task.owner
        activation.reassign(actor)
        audit.record(actor=actor, agency=agency, action="task.reassign", obj=task,
                     dossier=task.process.coerced.dossier,
                     before={"owner": previous.pk, "owner_name": previous.get_username()},
                     after={"owner": actor.pk, "owner_name": actor.get_username()},
                     reason=_("taken over by a member of the same agency"))
    if task.status == STATUS.ASSIGNED:
        activation.start(None)
    with audit.acting_as(actor, agency):
        activation.execute()


def _transition(dossier: Dossier, name: str, *, actor: Any, agency: Agency | None,
                problems: list[str] | None = None, reason: str = "",
                extra: dict | None = None) -> None:
    """Apply one transition of the dossier, refusing with every reason when it cannot."""
    method = getattr(dossier, name)
    if not can_proceed(method, check_conditions=False):
        raise RuleViolation(_("Not possible while the dossier is “%(status)s”.")
                            % {"status": dossier.get_status_display()})
    if problems:
        raise RuleViolation(problems)
    if not can_proceed(method):
        raise RuleViolation(_("The dossier does not meet the conditions of this step."))
    before = audit.snapshot(dossier, DOSSIER_FIELDS)
    method()
    dossier.save()
    audit.record(actor=actor, agency=agency, action=f"dossier.{name}", obj=dossier,
                 before=before, after={**audit.snapshot(dossier, DOSSIER_FIELDS), **(extra or {})},
                 reason=reason)


def _member_agency(actor: Any, dossier: Dossier, kind: str) -> Agency:
    agency = permissions.acting_agency(actor, kind=kind, province=dossier.commune.province)
    if kind in (K.COMMUNE_COMMITTEE, K.COMMUNE_FRONT) and agency is not None and \
            agency.commune_id != dossier.commune_id:
        agency = Agency.objects.filter(memberships__user=actor, kind=kind,
                                       commune=dossier.commune).first()
    if agency is None:
        raise NotAllowed(_("Only %(kind)s may do this.") % {"kind": Agency.Kind(kind).label})
    return agency


# --- registration ---------------------------------------------------------------------
@transaction.atomic
def dossier_register(*, actor: Any, commune: Commune, level: str, batch: Batch,
                     criteria_set: CriteriaSet | None = None,
                     regulation: RegulationProfile | None = None) -> Dossier:
    """Đăng ký: the commune (or the coordination office) registers a target level in a batch.

    The criteria set and the regulation profile in force are pinned on the dossier; only
    the coordination office may pin earlier ones (to enter a historic dossier)."""
    province = commune.province
    agency = (permissions.acting_agency(actor, kind=K.COORDINATION_OFFICE, province=province)
              or Agency.objects.filter(memberships__user=actor, kind=K.COMMUNE_COMMITTEE,
                                       commune=commune, active=True).first())
    if agency is None:
        raise NotAllowed(_("Only the commune's People's Committee or the coordination office "
                           "of %(province)s may register this commune.") % {"province": province})
    if batch.province_id != province.pk:
        raise RuleViolation(_("%(batch)s belongs to another province.") % {"batch": batch})
    if batch.closed:
        raise RuleViolation(_("%(batch)s is closed.") % {"batch": batch})
    today = timezone.localdate()
    if criteria_set is None:
        criteria_set = (CriteriaSet.objects.filter(level=level, valid_from__lte=today)
                        .order_by("-valid_from").first())
        if criteria_set is None:
            raise RuleViolation(_("No criteria set for this level is in force."))
    elif criteria_set.level != level:
        raise RuleViolation(_("The criteria set is for another level."))
    elif agency.kind != K.COORDINATION_OFFICE:
        raise NotAllowed(_("Only the coordination office chooses a criteria set other than the "
                           "one in force."))
    if regulation is not None:
        if agency.kind != K.COORDINATION_OFFICE:
            raise NotAllowed(_("Only the coordination office chooses a regulation profile other "
                               "than the one in force."))
        if regulation.province_id != province.pk:
            raise RuleViolation(_("The regulation profile is another province's."))
    if Dossier.objects.filter(commune=commune, level=level, batch=batch).exists():
        raise RuleViolation(_("%(commune)s is already registered for this level in %(batch)s.")
                            % {"commune": commune, "batch": batch})
    needed = [K.COMMUNE_COMMITTEE, K.COMMUNE_FRONT]
    missing = [str(Agency.Kind(k).label) for k in needed
               if not Agency.objects.filter(commune=commune, kind=k, active=True).exists()]
    for kind in (K.PROVINCIAL_FRONT, K.COORDINATION_OFFICE, K.PROVINCIAL_COMMITTEE):
        if not Agency.objects.filter(province=province, kind=kind, active=True).exists():
            missing.append(str(Agency.Kind(kind).label))
    for flag, label in (("confirms_debt", _("an agency confirming debt")),
                        ("confirms_security", _("an agency confirming security"))):
        if not Agency.objects.filter(province=province, active=True, **{flag: True}).exists():
            missing.append(str(label))
    if missing:
        raise RuleViolation(_("Set up these agencies before registering: %(list)s.")
                            % {"list": ", ".join(missing)})
    dossier = Dossier(commune=commune, level=level, batch=batch, criteria_set=criteria_set,
                      regulation=regulation or regulation_profile_current(province=province,
                                                                          on=today),
                      registered_by=actor)
    dossier.full_clean(exclude=["status"])
    dossier.save()
    audit.record(actor=actor, agency=agency, action="dossier.register", obj=dossier,
                 after=audit.snapshot(dossier, ("commune", "level", "batch", "criteria_set",
                                                "regulation", "status", "round")))
    permissions.grant_dossier_rights(actor=actor, dossier=dossier)
    with audit.acting_as(actor, agency):
        F.start.run(dossier=dossier)
    return dossier


def _start_round(dossier: Dossier, actor: Any, agency: Agency | None) -> None:
    with audit.acting_as(actor, agency):
        F.start.run(dossier=dossier)


# --- commune steps -----------------------------------------------------------------
def self_assessment_complete(*, actor: Any, dossier: Dossier,
                             posting_starts_on: dt.date | None = None) -> Dossier:
    """Close the self-assessment and post it publicly for comments."""
    with _step(dossier) as (dossier, process):
        permissions.require(actor, "edit_self_assessment", dossier)
        agency = _member_agency(actor, dossier, K.COMMUNE_COMMITTEE)
        task = _open_task(process, F.self_assessment)
        today = timezone.localdate()
        starts = posting_starts_on or today
        if starts > today:
            raise RuleViolation(_("The posting cannot start in the future."))
        dossier.posting_started_on = starts
        _transition(dossier, "publish_for_comments", actor=actor, agency=agency,
                    problems=conditions.self_assessment_problems(dossier),
                    extra={"posting_started_on": starts})
        _complete(task, actor, agency)
    return dossier


def posting_close(*, actor: Any, dossier: Dossier) -> Dossier:
    with _step(dossier) as (dossier, process):
        permissions.require(actor, "edit_self_assessment", dossier)
        agency = _member_agency(actor, dossier, K.COMMUNE_COMMITTEE)
        task = _open_task(process, F.public_posting)
        _transition(dossier, "close_posting", actor=actor, agency=agency,
                    problems=conditions.posting_problems(dossier))
        _complete(task, actor, agency)
    return dossier


def survey_complete(*, actor: Any, dossier: Dossier) -> Dossier:
    with _step(dossier) as (dossier, process):
        permissions.require(actor, "log_survey", dossier)
        agency = _member_agency(actor, dossier, K.COMMUNE_FRONT)
        task = _open_task(process, F.survey)
        _transition(dossier, "finish_survey", actor=actor, agency=agency,
                    problems=conditions.survey_entry_problems(dossier))
        _complete(task, actor, agency)
    return dossier


def dossier_submit(*, actor: Any, dossier: Dossier) -> Dossier:
    with _step(dossier) as (dossier, process):
        permissions.require(actor, "edit_self_assessment", dossier)
        agency = _member_agency(actor, dossier, K.COMMUNE_COMMITTEE)
        task = _open_task(process, F.submission)
        dossier.submitted_at = timezone.now()
        _transition(dossier, "submit", actor=actor, agency=agency,
                    problems=conditions.submission_problems(dossier)
                    + appraisal_mapping_problems(dossier),
                    extra={"submitted_at": dossier.submitted_at})
        _complete(task, actor, agency)
    return dossier


def district_verify(*, actor: Any, dossier: Dossier, report: str, votes_for: int,
                    members: int) -> Dossier:
    """Thẩm tra (older variant): the district's report and its steering committee's vote."""
    with _step(dossier) as (dossier, process):
        permissions.require(actor, "verify_district", dossier)
        agency = _member_agency(actor, dossier, K.DISTRICT_COMMITTEE)
        task = _open_task(process, F.district_verification)
        problems = []
        if not report.strip():
            problems.append(_("The verification report is empty."))
        if members <= 0 or not 0 <= votes_for <= members:
            problems.append(_("Votes for must be between 0 and the number of members."))
        elif votes_for * 2 <= members:
            problems.append(_("The district steering committee did not propose the commune "
                              "(%(for)s of %(members)s votes).") % {"for": votes_for,
                                                                    "members": members})
        if problems:
            raise RuleViolation(problems)
        verification = DistrictVerification.objects.create(
            dossier=dossier, round=dossier.round, agency=agency, report=report.strip(),
            votes_for=votes_for, members=members, recorded_by=actor)
        audit.record(actor=actor, agency=agency, action="district.verify", obj=verification,
                     dossier=dossier, after=audit.snapshot(verification,
                                                           ("report", "votes_for", "members")))
        _transition(dossier, "verify_by_district", actor=actor, agency=agency)
        _complete(task, actor, agency)
    return dossier


# --- appraisal -----------------------------------------------------------------------
APPRAISAL_RESULTS = {"met": "mark_met", "not_met": "mark_not_met",
                     "returned": "return_for_supplement"}
ITEM_FIELDS = ("status", "remark", "return_reason", "commune_response", "returns")


def _item_agency(actor: Any, item: CriterionAppraisal) -> Agency:
    permissions.require(actor, "appraise_criterion", item, _(
        "Only %(agency)s appraises this criterion in this dossier.") % {"agency": item.agency})
    return permissions.require_member(actor, item.agency).agency


def appraisal_record(*, actor: Any, item: CriterionAppraisal, result: str,
                     remark: str = "") -> CriterionAppraisal:
    """Thẩm định: a department rules on one criterion (met, not met, or returned with a reason).

    When the department has ruled on every item it owns, its task completes; returned
    items then go to the commune and only this department's appraisal reopens after."""
    if result not in APPRAISAL_RESULTS:
        raise RuleViolation(_("The result must be met, not met or returned."))
    with _step(item.dossier) as (dossier, process):
        item = CriterionAppraisal.objects.select_for_update(of=("self",)).select_related(
            "agency", "criterion", "indicator").get(pk=item.pk)
        agency = _item_agency(actor, item)
        if dossier.status != DossierStatus.APPRAISAL or item.round != dossier.round:
            raise RuleViolation(_("The dossier is not in appraisal."))
        if result == "returned" and not remark.strip():
            raise RuleViolation(_("Say what the commune must supplement."))
        if result == "not_met" and not remark.strip():
            raise RuleViolation(_("Say why the criterion is not met."))
        method = getattr(item, APPRAISAL_RESULTS[result])
        if not can_proceed(method):
            raise RuleViolation(_("This criterion is “%(status)s” and cannot be appraised now.")
                                % {"status": item.get_status_display()})
        task = _open_task(process, F.department_appraisal, owner=item.agency)
        before = audit.snapshot(item, ITEM_FIELDS)
        method()
        if result == "returned":
            item.return_reason = remark.strip()
        else:
            item.remark = remark.strip()
        item.decided_by, item.decided_at = actor, timezone.now()
        item.save()
        audit.record(actor=actor, agency=agency, action=f"appraisal.{result}", obj=item,
                     dossier=dossier, before=before, after=audit.snapshot(item, ITEM_FIELDS),
                     reason=remark)
        still_open = CriterionAppraisal.objects.filter(
            dossier=dossier, round=dossier.round, agency=item.agency,
            status__in=[AppraisalStatus.PENDING, AppraisalStatus.RESUBMITTED]).exists()
        if not still_open:
            _complete(task, actor, agency)
    return item


def returned_answer(*, actor: Any, item: CriterionAppraisal, response: str) -> CriterionAppraisal:
    """Bổ sung: the commune answers a returned criterion (evidence via ``evidence_add``)."""
    with _step(item.dossier) as (dossier, process):
        permissions.require(actor, "edit_self_assessment", dossier)
        agency = _member_agency(actor, dossier, K.COMMUNE_COMMITTEE)
        item = CriterionAppraisal.objects.select_for_update(of=("self",)).select_related("agency").get(
            pk=item.pk)
        if item.dossier_id != dossier.pk or item.round != dossier.round:
            raise RuleViolation(_("This appraisal is not part of the dossier's current round."))
        if not response.strip():
            raise RuleViolation(_("Answer the return: say what was supplemented."))
        if not can_proceed(item.resubmit):
            raise RuleViolation(_("This criterion was not returned for supplement."))
        task = _open_task(process, F.answer_returns, data={"agency": item.agency_id})
        before = audit.snapshot(item, ITEM_FIELDS)
        item.resubmit()
        item.commune_response = response.strip()
        item.save()
        audit.record(actor=actor, agency=agency, action="appraisal.answer_return", obj=item,
                     dossier=dossier, before=before, after=audit.snapshot(item, ITEM_FIELDS))
        waiting = CriterionAppraisal.objects.filter(
            dossier=dossier, round=dossier.round, agency=item.agency,
            status=AppraisalStatus.RETURNED).exists()
        if not waiting:
            _complete(task, actor, agency)
    return item



def survey_appraise(*, actor: Any, dossier: Dossier, process_sound: bool, remark: str = "",
                    sample_surveyed: int = 0, sample_satisfied: int = 0) -> SurveyAppraisal:
    """The provincial Front appraises the survey's process and result, with its own sample."""
    with _step(dossier) as (dossier, process):
        permissions.require(actor, "appraise_survey", dossier)
        agency = _member_agency(actor, dossier, K.PROVINCIAL_FRONT)
        task = _open_task(process, F.survey_appraisal)
        if not 0 <= sample_satisfied <= sample_surveyed:
            raise RuleViolation(_("Sampled households satisfied must be between 0 and the number "
                                  "sampled."))
        if not process_sound and not remark.strip():
            raise RuleViolation(_("Say what was wrong with the survey."))
        appraisal = SurveyAppraisal.objects.create(
            dossier=dossier, round=dossier.round, agency=agency, process_sound=process_sound,
            sample_surveyed=sample_surveyed, sample_satisfied=sample_satisfied,
            remark=remark.strip(), recorded_by=actor)
        audit.record(actor=actor, agency=agency, action="survey.appraise", obj=appraisal,
                     dossier=dossier, reason=remark,
                     after=audit.snapshot(appraisal, ("process_sound", "sample_surveyed",
                                                      "sample_satisfied", "remark")))
        _complete(task, actor, agency)
    return appraisal


def confirmation_record(*, actor: Any, dossier: Dossier, kind: str, holds: bool,
                        remark: str = "") -> Confirmation:
    """Finance confirms no outstanding debt; the police confirm the security condition."""
    if kind not in Confirmation.Kind.values:
        raise RuleViolation(_("Unknown confirmation “%(kind)s”.") % {"kind": kind})
    perm, node, flag = {
        Confirmation.Kind.DEBT: ("confirm_debt", F.debt_confirmation, "confirms_debt"),
        Confirmation.Kind.SECURITY: ("confirm_security", F.security_confirmation,
                                     "confirms_security"),
    }[kind]
    with _step(dossier) as (dossier, process):
        permissions.require(actor, perm, dossier)
        agency = Agency.objects.filter(memberships__user=actor, province=dossier.commune.province,
                                       active=True, **{flag: True}).first()
        if agency is None:
            raise NotAllowed(_("You do not act for the agency that gives this confirmation."))
        task = _open_task(process, node)
        if not holds and not remark.strip():
            raise RuleViolation(_("Describe the debt or the security situation."))
        confirmation = Confirmation.objects.create(
            dossier=dossier, round=dossier.round, kind=kind, agency=agency, holds=holds,
            remark=remark.strip(), recorded_by=actor)
        audit.record(actor=actor, agency=agency, action=f"confirmation.{kind}", obj=confirmation,
                     dossier=dossier, reason=remark,
                     after=audit.snapshot(confirmation, ("kind", "holds", "remark")))
        _complete(task, actor, agency)
    return confirmation


def dossier_close_appraisal(*, dossier: Dossier) -> None:
    """Flow step after the appraisal join: every parallel appraisal is in."""
    actor, agency = audit.current_acting()
    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
    _transition(dossier, "close_appraisal", actor=actor, agency=agency,
                problems=conditions.appraisal_open_problems(dossier),
                reason=_("all appraisals and confirmations are in"))


# --- consolidation and council -------------------------------------------------------
def dossier_schedule(*, actor: Any, dossier: Dossier, meeting: CouncilMeeting,
                     report: str) -> AgendaItem:
    """The coordination office puts a dossier meeting the four legal conditions on an agenda."""
    with _step(dossier) as (dossier, process):
        permissions.require(actor, "coordinate_dossier", dossier)
        permissions.require(actor, "manage_meeting", meeting)
        agency = _member_agency(actor, dossier, K.COORDINATION_OFFICE)
        task = _open_task(process, F.consolidation)
        if meeting.council.province_id != dossier.commune.province_id:
            raise RuleViolation(_("The meeting is another province's."))
        if meeting.status == CouncilMeeting.Status.CLOSED:
            raise RuleViolation(_("The meeting is closed."))
        if not report.strip():
            raise RuleViolation(_("Write the consolidated appraisal report."))
        dossier.consolidation_report = report.strip()
        _transition(dossier, "schedule_for_council", actor=actor, agency=agency,
                    problems=conditions.legal_condition_problems(dossier),
                    extra={"meeting": meeting.pk})
        item = AgendaItem.objects.create(meeting=meeting, dossier=dossier,
                                         position=meeting.agenda.count() + 1)
        audit.record(actor=actor, agency=agency, action="agenda.add", obj=item, dossier=dossier,
                     after={"meeting": meeting.pk, "position": item.position})
        if "view_dossier" not in get_perms(meeting.council.group, dossier):
            permissions.grant(actor=actor, perm="view_dossier", to=meeting.council.group,
                              obj=dossier, reason=_("on the council's agenda"))
        _complete(task, actor, agency)
    return item


def dossier_refuse(*, actor: Any, dossier: Dossier, reason: str) -> Dossier:
    """The coordination office concludes the dossier cannot go to the council."""
    with _step(dossier) as (dossier, process):
        permissions.require(actor, "coordinate_dossier", dossier)
        agency = _member_agency(actor, dossier, K.COORDINATION_OFFICE)
        task = _open_task(process, F.consolidation)
        if not reason.strip():
            raise RuleViolation(_("Give the reason for the refusal."))
        dossier.outcome_reason = reason.strip()
        _transition(dossier, "refuse", actor=actor, agency=agency, reason=reason)
        _complete(task, actor, agency)
    return dossier


def _vote_checks(actor: Any, item: AgendaItem) -> None:
    meeting = item.meeting
    permissions.require(actor, "vote_in_meeting", meeting,
                        _("Only members of %(council)s vote in this meeting.")
                        % {"council": meeting.council})
    if meeting.status != CouncilMeeting.Status.IN_SESSION:
        raise RuleViolation(_("Voting is possible only while the meeting is in session."))
    if item.result != AgendaItem.Result.OPEN:
        raise RuleViolation(_("The vote on this item is closed."))
    if not meeting.present.filter(pk=actor.pk).exists():
        raise RuleViolation(_("You are not recorded as present at this meeting."))
    if Vote.objects.filter(item=item, member=actor).exists():
        raise RuleViolation(_("You have already voted on this dossier in this meeting."))


def _save_vote(actor: Any, item: AgendaItem, in_favour: bool) -> Vote:
    try:
        with transaction.atomic():
            vote = Vote.objects.create(item=item, member=actor, in_favour=in_favour)
    except IntegrityError as exc:
        raise RuleViolation(_("You have already voted on this dossier in this meeting.")) from exc
    audit.record(actor=actor, agency=item.meeting.council, action="vote.cast", obj=vote,
                 dossier=item.dossier, after={"item": item.pk, "in_favour": in_favour})
    return vote


def vote_cast(*, actor: Any, item: AgendaItem, in_favour: bool) -> Vote:
    """Bỏ phiếu: a council member present votes once per dossier per meeting."""
    if item.kind == AgendaItem.Kind.REVOCATION:
        with transaction.atomic():
            item = AgendaItem.objects.select_for_update(of=("self",)).select_related(
                "meeting__council", "dossier").get(pk=item.pk)
            _vote_checks(actor, item)
            return _save_vote(actor, item, in_favour)
    with _step(item.dossier) as (dossier, process):
        item = AgendaItem.objects.select_for_update(of=("self",)).select_related("meeting__council").get(
            pk=item.pk)
        _vote_checks(actor, item)
        task = _open_task(process, F.vote, data={"member": actor.pk, "item": item.pk})
        vote = _save_vote(actor, item, in_favour)
        _complete(task, actor, item.meeting.council)
    return vote


def _close_item(actor: Any, agency: Agency, item: AgendaItem, defer: bool,
                reason: str) -> conditions.Tally:
    if item.result != AgendaItem.Result.OPEN:
        raise RuleViolation(_("The vote on this item is already closed."))
    if item.meeting.status != CouncilMeeting.Status.IN_SESSION:
        raise RuleViolation(_("The meeting is not in session."))
    if defer and not reason.strip():
        raise RuleViolation(_("Give the council's reason for deferring the dossier."))
    tally = conditions.tally(item)
    before = {"result": item.result}
    if defer:
        item.defer()
    elif not tally.quorum:
        item.lack_quorum()
    elif tally.approved:
        item.approve()
    else:
        item.reject()
    item.present_count, item.members_total = tally.present, tally.members
    item.votes_for, item.votes_against = tally.votes_for, tally.votes_against
    item.remark = reason.strip() or tally.explanation
    item.closed_at = timezone.now()
    item.save()
    audit.record(actor=actor, agency=agency, action="agenda.close", obj=item, dossier=item.dossier,
                 before=before, reason=item.remark,
                 after={"result": item.result, "present": tally.present,
                        "members": tally.members, "for": tally.votes_for,
                        "against": tally.votes_against})
    return tally


DOSSIER_OUTCOME = {
    AgendaItem.Result.APPROVED: "council_approve",
    AgendaItem.Result.REJECTED: "council_reject",
    AgendaItem.Result.NO_QUORUM: "unschedule",
    AgendaItem.Result.DEFERRED: "defer",
}


def vote_close(*, actor: Any, item: AgendaItem, defer: bool = False,
               reason: str = "") -> AgendaItem:
    """Close the vote: quorum and approval decide, unless the council defers the dossier."""
    if item.kind == AgendaItem.Kind.REVOCATION:
        return _revocation_vote_close(actor=actor, item=item, defer=defer, reason=reason)
    deferred = False
    with _step(item.dossier) as (dossier, process):
        item = AgendaItem.objects.select_for_update(of=("self",)).select_related(
            "meeting__council__province").get(pk=item.pk)
        permissions.require(actor, "manage_meeting", item.meeting)
        agency = _member_agency(actor, dossier, K.COORDINATION_OFFICE)
        task = _open_task(process, F.close_vote)
        tally = _close_item(actor, agency, item, defer, reason)
        item.dossier = dossier
        _transition(dossier, DOSSIER_OUTCOME[item.result], actor=actor, agency=agency,
                    reason=item.remark, extra={"item": item.pk})
        if item.result == AgendaItem.Result.REJECTED:
            dossier.outcome_reason = tally.explanation
            dossier.save()
        _complete(task, actor, agency)
        deferred = item.result == AgendaItem.Result.DEFERRED
        if deferred:
            _start_round(dossier, actor, agency)
    return item


# --- decision and announcement --------------------------------------------------------
def _chairman_agency(actor: Any, dossier: Dossier) -> Agency:
    permissions.require(actor, "record_decision", dossier)
    membership = Membership.objects.filter(
        user=actor, agency__kind=K.PROVINCIAL_COMMITTEE,
        agency__province=dossier.commune.province).select_related("agency").first()
    if membership is None or not (membership.is_head or membership.is_delegate):
        raise NotAllowed(_("Only the provincial chairman or a delegate records the decision."))
    return membership.agency


def _decision(*, actor: Any, dossier: Dossier, kind: str, number: str, signed_on: dt.date,
              signer_name: str, signer_title: str, upload: IO[bytes], name: str,
              agency: Agency) -> Decision:
    problems = []
    if not number.strip():
        problems.append(_("The decision number is missing."))
    if not signer_name.strip() or not signer_title.strip():
        problems.append(_("The signer's name and title are missing."))
    if signed_on > timezone.localdate():
        problems.append(_("The signing date is in the future."))
    if problems:
        raise RuleViolation(problems)
    decision = Decision(dossier=dossier, kind=kind, number=number.strip(), signed_on=signed_on,
                        signer_name=signer_name.strip(), signer_title=signer_title.strip())
    _store(decision, actor=actor, upload=upload, name=name)
    decision.save()
    audit.record(actor=actor, agency=agency, action=f"decision.{kind}", obj=decision,
                 dossier=dossier,
                 after=audit.snapshot(decision, ("kind", "number", "signed_on", "signer_name",
                                                 "signer_title", "original_name", "sha256")))
    return decision


def decision_record(*, actor: Any, dossier: Dossier, number: str, signed_on: dt.date,
                    signer_name: str, signer_title: str, upload: IO[bytes],
                    name: str) -> Decision:
    """Quyết định công nhận: the chairman (or a delegate) records the signed decision."""
    with _step(dossier) as (dossier, process):
        agency = _chairman_agency(actor, dossier)
        task = _open_task(process, F.decision)
        if dossier.status != DossierStatus.AWAITING_DECISION:
            raise RuleViolation(_("Not possible while the dossier is “%(status)s”.")
                                % {"status": dossier.get_status_display()})
        decision = _decision(actor=actor, dossier=dossier, kind=Decision.Kind.RECOGNITION,
                             number=number, signed_on=signed_on, signer_name=signer_name,
                             signer_title=signer_title, upload=upload, name=name, agency=agency)
        _transition(dossier, "recognise", actor=actor, agency=agency,
                    problems=conditions.decision_problems(dossier),
                    extra={"decision": decision.number})
        _complete(task, actor, agency)
    return decision


def decision_decline(*, actor: Any, dossier: Dossier, reason: str) -> Dossier:
    with _step(dossier) as (dossier, process):
        agency = _chairman_agency(actor, dossier)
        task = _open_task(process, F.decision)
        if not reason.strip():
            raise RuleViolation(_("Give the reason for declining."))
        dossier.outcome_reason = reason.strip()
        _transition(dossier, "decline", actor=actor, agency=agency, reason=reason)
        _complete(task, actor, agency)
    return dossier


def dossier_announce(*, actor: Any, dossier: Dossier, announced_on: dt.date,
                     certificate_number: str) -> Dossier:
    """Công bố: the recognition is announced and the certificate handed over."""
    with _step(dossier) as (dossier, process):
        permissions.require(actor, "coordinate_dossier", dossier)
        agency = _member_agency(actor, dossier, K.COORDINATION_OFFICE)
        task = _open_task(process, F.announcement)
        if not certificate_number.strip():
            raise RuleViolation(_("The certificate number is missing."))
        decision = dossier.decisions.filter(kind=Decision.Kind.RECOGNITION).first()
        if decision and announced_on < decision.signed_on:
            raise RuleViolation(_("The announcement cannot precede the decision (%(date)s).")
                                % {"date": decision.signed_on.strftime("%d/%m/%Y")})
        dossier.announced_on = announced_on
        dossier.certificate_number = certificate_number.strip()
        _transition(dossier, "announce", actor=actor, agency=agency,
                    extra={"announced_on": announced_on,
                           "certificate_number": dossier.certificate_number})
        _complete(task, actor, agency)
    return dossier


# --- revocation ------------------------------------------------------------------------
@transaction.atomic
def revocation_propose(*, actor: Any, dossier: Dossier, criteria: list[Criterion],
                       reason: str) -> Revocation:
    """Thu hồi: the coordination office proposes revoking a recognition that no longer holds.

    Refused unless the rule of DOMAIN.md section 4 is satisfied by the criteria listed."""
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related("commune__province").get(
        pk=dossier.pk)
    permissions.require(actor, "coordinate_dossier", dossier)
    agency = _member_agency(actor, dossier, K.COORDINATION_OFFICE)
    if dossier.status not in (DossierStatus.RECOGNISED, DossierStatus.ANNOUNCED):
        raise RuleViolation(_("Only a recognised commune's recognition can be revoked."))
    if dossier.revocations.exclude(status__in=[Revocation.Status.REJECTED]).exists():
        raise RuleViolation(_("A revocation of this recognition is already under way."))
    if not reason.strip():
        raise RuleViolation(_("Give the reason and the evidence for the revocation."))
    criteria = list({c.pk: c for c in criteria}.values())
    strangers = [str(c.number) for c in criteria if c.criteria_set_id != dossier.criteria_set_id]
    if strangers:
        raise RuleViolation(_("Criteria %(list)s are not in the dossier's criteria set.")
                            % {"list": ", ".join(strangers)})
    problems = conditions.revocation_rule_problems(dossier, criteria)
    if problems:
        raise RuleViolation(problems)
    revocation = Revocation.objects.create(dossier=dossier, reason=reason.strip(),
                                           proposed_by=actor)
    revocation.criteria_not_met.set(criteria)
    audit.record(actor=actor, agency=agency, action="revocation.propose", obj=revocation,
                 dossier=dossier, reason=reason,
                 after={"criteria": sorted(c.number for c in criteria),
                        "status": revocation.status})
    return revocation


@transaction.atomic
def revocation_schedule(*, actor: Any, revocation: Revocation,
                        meeting: CouncilMeeting) -> AgendaItem:
    revocation = Revocation.objects.select_for_update(of=("self",)).select_related(
        "dossier__commune__province").get(pk=revocation.pk)
    dossier = revocation.dossier
    permissions.require(actor, "coordinate_dossier", dossier)
    permissions.require(actor, "manage_meeting", meeting)
    agency = _member_agency(actor, dossier, K.COORDINATION_OFFICE)
    if meeting.status == CouncilMeeting.Status.CLOSED:
        raise RuleViolation(_("The meeting is closed."))
    if not can_proceed(revocation.put_on_agenda):
        raise RuleViolation(_("The revocation is “%(status)s”.")
                            % {"status": revocation.get_status_display()})
    revocation.put_on_agenda()
    revocation.save()
    item = AgendaItem.objects.create(meeting=meeting, dossier=dossier, revocation=revocation,
                                     kind=AgendaItem.Kind.REVOCATION,
                                     position=meeting.agenda.count() + 1)
    audit.record(actor=actor, agency=agency, action="revocation.schedule", obj=revocation,
                 dossier=dossier, before={"status": Revocation.Status.PROPOSED},
                 after={"status": revocation.status, "meeting": meeting.pk, "item": item.pk})
    if "view_dossier" not in get_perms(meeting.council.group, dossier):
        permissions.grant(actor=actor, perm="view_dossier", to=meeting.council.group,
                          obj=dossier, reason=_("on the council's agenda"))
    return item


REVOCATION_OUTCOME = {
    AgendaItem.Result.APPROVED: "council_approve",
    AgendaItem.Result.REJECTED: "council_reject",
    AgendaItem.Result.NO_QUORUM: "back_to_proposed",
    AgendaItem.Result.DEFERRED: "back_to_proposed",
}


@transaction.atomic
def _revocation_vote_close(*, actor: Any, item: AgendaItem, defer: bool,
                           reason: str) -> AgendaItem:
    item = AgendaItem.objects.select_for_update(of=("self",)).select_related(
        "meeting__council__province", "dossier__commune__province", "revocation").get(pk=item.pk)
    permissions.require(actor, "manage_meeting", item.meeting)
    agency = _member_agency(actor, item.dossier, K.COORDINATION_OFFICE)
    _close_item(actor, agency, item, defer, reason)
    revocation = Revocation.objects.select_for_update(of=("self",)).get(pk=item.revocation_id)
    before = {"status": revocation.status}
    getattr(revocation, REVOCATION_OUTCOME[item.result])()
    revocation.save()
    audit.record(actor=actor, agency=agency, action="revocation.council", obj=revocation,
                 dossier=item.dossier, before=before, after={"status": revocation.status},
                 reason=item.remark)
    return item


@transaction.atomic
def revocation_decide(*, actor: Any, revocation: Revocation, number: str, signed_on: dt.date,
                      signer_name: str, signer_title: str, upload: IO[bytes],
                      name: str) -> Decision:
    """The chairman signs the revocation; the dossier's recognition is revoked."""
    revocation = Revocation.objects.select_for_update(of=("self",)).get(pk=revocation.pk)
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related("commune__province").get(
        pk=revocation.dossier_id)
    agency = _chairman_agency(actor, dossier)
    if revocation.status != Revocation.Status.APPROVED:
        raise RuleViolation(_("The council has not approved this revocation."))
    decision = _decision(actor=actor, dossier=dossier, kind=Decision.Kind.REVOCATION,
                         number=number, signed_on=signed_on, signer_name=signer_name,
                         signer_title=signer_title, upload=upload, name=name, agency=agency)
    _transition(dossier, "revoke", actor=actor, agency=agency,
                problems=conditions.revocation_problems(dossier),
                reason=revocation.reason, extra={"decision": decision.number})
    revocation.decide()
    revocation.save()
    audit.record(actor=actor, agency=agency, action="revocation.decide", obj=revocation,
                 dossier=dossier, before={"status": Revocation.Status.APPROVED},
                 after={"status": revocation.status})
    return decision


# --- assignment --------------------------------------------------------------------
def task_reassign(*, actor: Any, task: Task, to: Any | None, reason: str) -> Task:
    """The coordination office gives an agency's open task to one of its members (or frees it)."""
    process = task.process.coerced
    with _step(process.dossier) as (dossier, _process):
        task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
        permissions.require(actor, "coordinate_dossier", dossier)
        agency = _member_agency(actor, dossier, K.COORDINATION_OFFICE)
        if task.status not in (STATUS.NEW, STATUS.ASSIGNED) or task.flow_task_type != "HUMAN":
            raise RuleViolation(_("Only an open task that nobody has started can be reassigned."))
        if not reason.strip():
            raise RuleViolation(_("Say why the task is reassigned."))
        owner_agency = task.owner_permission_obj
        if to is not None and (owner_agency is None or
                               not to.has_perm("dossiers.act_for_agency", owner_agency)):
            raise RuleViolation(_("%(user)s does not act for %(agency)s.")
                                % {"user": to, "agency": owner_agency})
        before = {"owner": task.owner_id,
                  "owner_name": task.owner.get_username() if task.owner_id else None}
        activation = task.flow_task.activation_class(task)
        if to is None:
            if task.status == STATUS.ASSIGNED:
                activation.unassign()
        elif task.status == STATUS.NEW:
            activation.assign(to)
        else:
            activation.reassign(to)
        audit.record(actor=actor, agency=agency, action="task.reassign", obj=task,
                     dossier=dossier, before=before,
                     after={"owner": to.pk if to else None,
                            "owner_name": to.get_username() if to else None},
                     reason=reason)
    return task
