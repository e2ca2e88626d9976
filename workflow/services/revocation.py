"""Thu hồi: revoking a recognition that no longer holds (proposal, council, decision).

Revocation runs beside the recognition flow (it has no tasks of its own yet); its status
changes go through the same audited path, ``transition_apply``, as every other."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import get_perms

from audit import trail
from dossiers import conditions, permissions
from dossiers.exceptions import RuleViolation
from dossiers.models import (
    Agency,
    AgendaItem,
    CouncilMeeting,
    Criterion,
    Decision,
    Dossier,
    DossierStatus,
    Revocation,
    Vote,
)
from dossiers.services.council import agenda_item_close, vote_problems, vote_save
from dossiers.services.decisions import decision_add, decision_problems
from dossiers.steps import Actor
from dossiers.transitions import transition_apply

K = Agency.Kind


def _office(actor: Any, dossier: Dossier) -> Agency:
    return permissions.step_agency(actor, actor=Actor.COORDINATION_OFFICE, dossier=dossier,
                                   on=dossier)


@transaction.atomic
def revocation_propose(*, actor: Any, dossier: Dossier, criteria: list[Criterion],
                       reason: str) -> Revocation:
    """The coordination office proposes revoking a recognition that no longer holds.

    Refused unless the rule of DOMAIN.md section 4 is satisfied by the criteria listed."""
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related(
        "commune__province").get(pk=dossier.pk)
    permissions.require(actor, "coordinate_dossier", dossier)
    agency = _office(actor, dossier)
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
    trail.record(actor=actor, agency=agency, action="revocation.propose", obj=revocation,
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
    agency = _office(actor, dossier)
    if meeting.status == CouncilMeeting.Status.CLOSED:
        raise RuleViolation(_("The meeting is closed."))
    item = AgendaItem.objects.create(meeting=meeting, dossier=dossier, revocation=revocation,
                                     kind=AgendaItem.Kind.REVOCATION,
                                     position=meeting.agenda.count() + 1)
    transition_apply(revocation, "put_on_agenda", actor=actor, agency=agency,
                     action="revocation.schedule", dossier=dossier,
                     refusal=_("The revocation is “%(status)s”.")
                     % {"status": revocation.get_status_display()},
                     extra={"meeting": meeting.pk, "item": item.pk})
    if "view_dossier" not in get_perms(meeting.council.group, dossier):
        permissions.grant(actor=actor, perm="view_dossier", to=meeting.council.group,
                          obj=dossier, reason=_("on the council's agenda"))
    return item


@transaction.atomic
def revocation_vote_cast(*, actor: Any, item: AgendaItem, in_favour: bool) -> Vote:
    item = AgendaItem.objects.select_for_update(of=("self",)).select_related(
        "meeting__council", "dossier").get(pk=item.pk)
    permissions.require(actor, "vote_in_meeting", item.meeting,
                        _("Only members of %(council)s vote in this meeting.")
                        % {"council": item.meeting.council})
    problems = vote_problems(actor=actor, item=item)
    if problems:
        raise RuleViolation(problems)
    return vote_save(actor=actor, item=item, in_favour=in_favour)


# How the council's result on a revocation moves it.
REVOCATION_OUTCOME = {
    AgendaItem.Result.APPROVED: "council_approve",
    AgendaItem.Result.REJECTED: "council_reject",
    AgendaItem.Result.NO_QUORUM: "back_to_proposed",
    AgendaItem.Result.DEFERRED: "back_to_proposed",
}


@transaction.atomic
def revocation_vote_close(*, actor: Any, item: AgendaItem, defer: bool,
                          reason: str) -> AgendaItem:
    item = AgendaItem.objects.select_for_update(of=("self",)).select_related(
        "meeting__council__province", "dossier__commune__province", "revocation").get(pk=item.pk)
    permissions.require(actor, "manage_meeting", item.meeting)
    agency = _office(actor, item.dossier)
    agenda_item_close(actor=actor, agency=agency, item=item, defer=defer, reason=reason)
    revocation = Revocation.objects.select_for_update(of=("self",)).get(pk=item.revocation_id)
    transition_apply(revocation, REVOCATION_OUTCOME[item.result], actor=actor, agency=agency,
                     action="revocation.council", dossier=item.dossier, reason=item.remark)
    return item


@transaction.atomic
def revocation_decide(*, actor: Any, revocation: Revocation, number: str, signed_on: dt.date,
                      signer_name: str, signer_title: str, upload: IO[bytes],
                      name: str) -> Decision:
    """The chairman signs the revocation; the dossier's recognition is revoked."""
    revocation = Revocation.objects.select_for_update(of=("self",)).get(pk=revocation.pk)
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related(
        "commune__province").get(pk=revocation.dossier_id)
    permissions.require(actor, "record_decision", dossier)
    agency = permissions.step_agency(actor, actor=Actor.CHAIRMAN, dossier=dossier, on=dossier)
    if revocation.status != Revocation.Status.APPROVED:
        raise RuleViolation(_("The council has not approved this revocation."))
    problems = decision_problems(dossier=dossier, kind=Decision.Kind.REVOCATION, number=number,
                                 signed_on=signed_on, signer_name=signer_name,
                                 signer_title=signer_title)
    problems += conditions.revocation_rule_problems(dossier,
                                                    list(revocation.criteria_not_met.all()))
    if problems:
        raise RuleViolation(problems)
    decision = decision_add(actor=actor, agency=agency, dossier=dossier,
                            kind=Decision.Kind.REVOCATION, number=number, signed_on=signed_on,
                            signer_name=signer_name, signer_title=signer_title, upload=upload,
                            name=name)
    transition_apply(dossier, "revoke", actor=actor, agency=agency, action="dossier.revoke",
                     reason=revocation.reason, extra={"decision": decision.number})
    transition_apply(revocation, "decide", actor=actor, agency=agency,
                     action="revocation.decide", dossier=dossier)
    return decision
