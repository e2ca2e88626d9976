"""Council meetings: creation, attendance, closing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow import audit

from .. import permissions
from ..exceptions import RuleViolation
from ..models import Agency, AgendaItem, Batch, CouncilMeeting

K = Agency.Kind


@transaction.atomic
def meeting_create(*, actor: Any, council: Agency, title: str, scheduled_for: dt.datetime,
                   batch: Batch | None = None) -> CouncilMeeting:
    if council.kind != K.COUNCIL:
        raise RuleViolation(_("%(agency)s is not an appraisal council.") % {"agency": council})
    agency = permissions.acting_for(actor, kind=K.COORDINATION_OFFICE, province=council.province)
    if batch is not None and batch.province_id != council.province_id:
        raise RuleViolation(_("The batch belongs to another province."))
    meeting = CouncilMeeting(council=council, title=title, scheduled_for=scheduled_for,
                             batch=batch)
    meeting.full_clean(exclude=["status"])
    meeting.save()
    audit.record(actor=actor, agency=agency, action="meeting.create", obj=meeting,
                 after=audit.snapshot(meeting, ("title", "scheduled_for", "batch")))
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
    meeting.members_total = len(member_ids)
    meeting.opened_at = timezone.now()
    meeting.open()
    meeting.save()
    meeting.present.set(present)
    audit.record(actor=actor, agency=permissions.acting_agency(actor, kind=K.COORDINATION_OFFICE),
                 action="meeting.open", obj=meeting, before={"status": "planned"},
                 after={"status": meeting.status, "members_total": meeting.members_total,
                        "present": sorted(u.pk for u in present)})
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
    meeting.close()
    meeting.save()
    audit.record(actor=actor, agency=permissions.acting_agency(actor, kind=K.COORDINATION_OFFICE),
                 action="meeting.close", obj=meeting, before={"status": "in_session"},
                 after={"status": meeting.status})
    return meeting
