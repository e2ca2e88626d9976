"""Consolidation and the council: putting a dossier on an agenda (or refusing it), each
member's vote, and closing the vote, whose outcome moves the dossier."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import get_perms

from audit import trail
from dossiers import permissions
from dossiers.models import AgendaItem, CouncilMeeting, Dossier, Vote
from dossiers.services.council import agenda_item_close, vote_problems, vote_save
from dossiers.transitions import transition_apply

from ..kernel import StepContext, dossier_ref, run_step, serves
from .registration import round_start
from .revocation import revocation_vote_cast, revocation_vote_close


@serves("schedule")
def dossier_schedule(*, actor: Any, dossier: Dossier, meeting: CouncilMeeting,
                     report: str) -> AgendaItem:
    """The coordination office puts a dossier meeting the four legal conditions on an agenda."""

    def validate(step: StepContext) -> list[str]:
        permissions.require(actor, "manage_meeting", meeting)
        if meeting.council.province_id != step.dossier.commune.province_id:
            return [_("The meeting is another province's.")]
        if meeting.status == CouncilMeeting.Status.CLOSED:
            return [_("The meeting is closed.")]
        if not report.strip():
            return [_("Write the consolidated appraisal report.")]
        return []

    def apply(step: StepContext) -> AgendaItem:
        step.dossier.consolidation_report = report.strip()
        item = AgendaItem.objects.create(meeting=meeting, dossier=step.dossier,
                                         position=meeting.agenda.count() + 1)
        trail.record(actor=actor, agency=step.agency, action="agenda.add", obj=item,
                     dossier=step.dossier,
                     after={"meeting": meeting.pk, "position": item.position})
        if "view_dossier" not in get_perms(meeting.council.group, step.dossier):
            permissions.grant(actor=actor, perm="view_dossier", to=meeting.council.group,
                              obj=step.dossier, reason=_("on the council's agenda"))
        return item

    return run_step("schedule", actor=actor, dossier=dossier, validate=validate, apply=apply,
                    extra=lambda step: {"meeting": meeting.pk})


@serves("refuse")
def dossier_refuse(*, actor: Any, dossier: Dossier, reason: str) -> Dossier:
    """The coordination office concludes the dossier cannot go to the council."""

    def validate(step: StepContext) -> list[str]:
        return [] if reason.strip() else [_("Give the reason for the refusal.")]

    def apply(step: StepContext) -> Dossier:
        step.dossier.outcome_reason = reason.strip()
        return step.dossier

    return run_step("refuse", actor=actor, dossier=dossier, validate=validate, apply=apply,
                    reason=reason)


@serves("vote")
def vote_cast(*, actor: Any, item: AgendaItem, in_favour: bool) -> Vote:
    """Bỏ phiếu: a council member present votes once per dossier per meeting."""
    if item.kind == AgendaItem.Kind.REVOCATION:
        return revocation_vote_cast(actor=actor, item=item, in_favour=in_favour)
    read: dict[str, AgendaItem] = {}

    def validate(step: StepContext) -> list[str]:
        # The item as it is under the dossier's lock, with the meeting (and its council)
        # and the dossier just read by the kernel: nothing read twice.
        current = read["item"] = AgendaItem.objects.get(pk=item.pk)
        current.meeting, current.dossier = step.on, step.dossier
        return vote_problems(actor=actor, item=current)

    return run_step(
        "vote", actor=actor, dossier=dossier_ref(item), on=CouncilMeeting(pk=item.meeting_id),
        related=("council",),
        refusal=lambda meeting: _("Only members of %(council)s vote in this meeting.")
        % {"council": meeting.council},
        validate=validate,
        task_data=lambda step: {"member": actor.pk, "item": item.pk},
        apply=lambda step: vote_save(actor=actor, item=read["item"], in_favour=in_favour))


# How the council's result on a recognition moves the dossier.
DOSSIER_OUTCOME = {
    AgendaItem.Result.APPROVED: "council_approve",
    AgendaItem.Result.REJECTED: "council_reject",
    AgendaItem.Result.NO_QUORUM: "unschedule",
    AgendaItem.Result.DEFERRED: "defer",
}


@serves("close_vote")
def vote_close(*, actor: Any, item: AgendaItem, defer: bool = False,
               reason: str = "") -> AgendaItem:
    """Close the vote: quorum and approval decide, unless the council defers the dossier
    (then a new round of the process starts with the commune)."""
    if item.kind == AgendaItem.Kind.REVOCATION:
        return revocation_vote_close(actor=actor, item=item, defer=defer, reason=reason)

    def apply(step: StepContext) -> AgendaItem:
        current = AgendaItem.objects.select_for_update(of=("self",)).select_related(
            "meeting__council__province").get(pk=item.pk)
        current.dossier = step.dossier
        tally = agenda_item_close(actor=actor, agency=step.agency, item=current, defer=defer,
                                  reason=reason)
        rejected = current.result == AgendaItem.Result.REJECTED
        transition_apply(step.dossier, DOSSIER_OUTCOME[current.result], actor=actor,
                         agency=step.agency, reason=current.remark,
                         action=f"dossier.{DOSSIER_OUTCOME[current.result]}",
                         changes={"outcome_reason": tally.explanation} if rejected else None,
                         extra={"item": current.pk})
        return current

    with transaction.atomic():
        closed = run_step("close_vote", actor=actor, dossier=item.dossier, on=item.meeting,
                          apply=apply)
        if closed.result == AgendaItem.Result.DEFERRED:
            agency = permissions.acting_agency(actor, kind="coordination_office",
                                               province=closed.meeting.council.province)
            round_start(actor=actor, agency=agency, dossier=closed.dossier)
    return closed
