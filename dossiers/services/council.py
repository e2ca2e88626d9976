"""Council meetings: creation, attendance, votes, closing an item's vote, closing."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail

from .. import conditions, permissions
from ..exceptions import RuleViolation
from ..models import Agency, AgendaItem, Batch, CouncilMeeting, Vote
from ..transitions import transition_apply
from .setup import regulation_profile_current

K = Agency.Kind


@transaction.atomic
def meeting_create(*, actor: Any, council: Agency, title: str, scheduled_for: dt.datetime,
                   batch: Batch | None = None) -> CouncilMeeting:
    if council.kind != K.COUNCIL:
        raise RuleViolation(_("%(agency)s is not an appraisal council.") % {"agency": council})
    agency = permissions.acting_for(actor, kind=K.COORDINATION_OFFICE, province=council.province)
    if batch is not None and batch.province_id != council.province_id:
        raise RuleViolation(_("The batch belongs to another province."))
    # Two coordinators creating the same meeting at once: the second waits, then is refused.
    Agency.objects.select_for_update().filter(pk=council.pk).first()
    day = timezone.localdate(scheduled_for) if timezone.is_aware(scheduled_for) \
        else scheduled_for.date()
    title = title.strip()
    same_day = CouncilMeeting.objects.filter(council__province_id=council.province_id,
                                             scheduled_for__date=day).values_list("title",
                                                                                  flat=True)
    # Compared in Python: SQLite ignores the case of ASCII letters only ("Đợt" / "đợt").
    if any(" ".join(t.split()).casefold() == " ".join(title.split()).casefold()
           for t in same_day):
        raise RuleViolation(_("A council meeting “%(title)s” on %(day)s already exists in "
                              "%(province)s.") % {"title": title, "day": day.strftime("%d/%m/%Y"),
                                                  "province": council.province})
    meeting = CouncilMeeting(council=council, title=title, scheduled_for=scheduled_for,
                             batch=batch)
    meeting.full_clean(exclude=["status"])
    meeting.save()
    trail.record(actor=actor, agency=agency, action="meeting.create", obj=meeting,
                 after=trail.snapshot(meeting, ("title", "scheduled_for", "batch")))
    permissions.grant(actor=actor, perm="vote_in_meeting", to=council.group, obj=meeting,
                      reason=_("meeting created"))
    permissions.grant(actor=actor, perm="view_councilmeeting", to=council.group, obj=meeting,
                      reason=_("meeting created"))
    permissions.grant(actor=actor, perm="manage_meeting", to=agency.group, obj=meeting,
                      reason=_("meeting created"))
    permissions.grant(actor=actor, perm="view_councilmeeting", to=agency.group, obj=meeting,
                      reason=_("meeting created"))
    return meeting


def _locked_meeting(meeting: CouncilMeeting) -> CouncilMeeting:
    return CouncilMeeting.objects.select_for_update(of=("self",)).select_related("council__province").get(
        pk=meeting.pk)


@transaction.atomic
def meeting_open(*, actor: Any, meeting: CouncilMeeting, present: list[Any]) -> CouncilMeeting:
    """Record who is present and open the voting."""
    meeting = _locked_meeting(meeting)
    permissions.require(actor, "manage_meeting", meeting)
    if meeting.status != CouncilMeeting.Status.PLANNED:
        raise RuleViolation(_("The meeting is already “%(status)s”.")
                            % {"status": meeting.get_status_display()})
    member_ids = set(meeting.council.memberships.filter(user__is_active=True)
                     .values_list("user_id", flat=True))
    strangers = [str(u) for u in present if u.pk not in member_ids]
    if strangers:
        raise RuleViolation(_("Not members of the council: %(names)s.")
                            % {"names": ", ".join(strangers)})
    if not member_ids:
        raise RuleViolation(_("The council has no members."))
    present = list({u.pk: u for u in present}.values())
    quorum = regulation_profile_current(province=meeting.council.province,
                                        on=timezone.localdate()).quorum
    if Fraction(len(present), len(member_ids)) < quorum:
        raise RuleViolation(
            _("No quorum: %(present)s of %(members)s members present, at least %(min)s "
              "required to open the meeting.") % {"present": len(present),
                                                  "members": len(member_ids),
                                                  "min": conditions.pct(quorum)})
    meeting.members_total = len(member_ids)
    meeting.opened_at = timezone.now()
    transition_apply(meeting, "open", actor=actor, action="meeting.open",
                     agency=permissions.acting_agency(actor, kind=K.COORDINATION_OFFICE),
                     extra={"members_total": meeting.members_total,
                            "present": sorted(u.pk for u in present)})
    meeting.present.set(present)
    return meeting


@transaction.atomic
def meeting_close(*, actor: Any, meeting: CouncilMeeting) -> CouncilMeeting:
    meeting = _locked_meeting(meeting)
    permissions.require(actor, "manage_meeting", meeting)
    if meeting.status != CouncilMeeting.Status.IN_SESSION:
        raise RuleViolation(_("Only a meeting in session can be closed."))
    still_open = meeting.agenda.filter(result=AgendaItem.Result.OPEN).count()
    if still_open:
        raise RuleViolation(_("%(n)s agenda item(s) are still open for voting.") % {"n": still_open})
    meeting.closed_at = timezone.now()
    transition_apply(meeting, "close", actor=actor, action="meeting.close",
                     agency=permissions.acting_agency(actor, kind=K.COORDINATION_OFFICE))
    return meeting


def agenda_item_close(*, actor: Any, agency: Agency, item: AgendaItem, defer: bool,
                      reason: str) -> conditions.Tally:
    """Close the vote on one agenda item (a dossier's recognition or a revocation): quorum
    and approval decide, unless the council defers it. ``item`` is locked by the caller."""
    if item.result != AgendaItem.Result.OPEN:
        raise RuleViolation(_("The vote on this item is already closed."))
    if item.meeting.status != CouncilMeeting.Status.IN_SESSION:
        raise RuleViolation(_("The meeting is not in session."))
    if defer and not reason.strip():
        raise RuleViolation(_("Give the council's reason for deferring the dossier."))
    tally = conditions.tally(item)
    if defer:
        outcome = "defer"
    elif not tally.quorum:
        outcome = "lack_quorum"
    else:
        outcome = "approve" if tally.approved else "reject"
    remark = reason.strip() or tally.explanation
    transition_apply(item, outcome, actor=actor, agency=agency, action="agenda.close",
                     reason=remark, dossier=item.dossier,
                     changes={"present_count": tally.present, "members_total": tally.members,
                              "votes_for": tally.votes_for, "votes_against": tally.votes_against,
                              "remark": remark, "closed_at": timezone.now()},
                     extra={"present": tally.present, "members": tally.members,
                            "for": tally.votes_for, "against": tally.votes_against})
    return tally


def vote_problems(*, actor: Any, item: AgendaItem) -> list[str]:
    """Why ``actor`` cannot vote on ``item`` now (the right to vote is checked apart)."""
    meeting = item.meeting
    if meeting.status != CouncilMeeting.Status.IN_SESSION:
        return [_("Voting is possible only while the meeting is in session.")]
    if item.result != AgendaItem.Result.OPEN:
        return [_("The vote on this item is closed.")]
    if not meeting.present.filter(pk=actor.pk).exists():
        return [_("You are not recorded as present at this meeting.")]
    if Vote.objects.filter(item=item, member=actor).exists():
        return [_("You have already voted on this dossier in this meeting.")]
    return []


def vote_save(*, actor: Any, item: AgendaItem, in_favour: bool) -> Vote:
    """Record the vote; a second vote by the same member is refused by the database too."""
    try:
        with transaction.atomic():
            vote = Vote.objects.create(item=item, member=actor, in_favour=in_favour)
    except IntegrityError as exc:
        raise RuleViolation(_("You have already voted on this dossier in this meeting.")) from exc
    trail.record(actor=actor, agency=item.meeting.council, action="vote.cast", obj=vote,
                 dossier=item.dossier, after={"item": item.pk, "in_favour": in_favour})
    return vote
