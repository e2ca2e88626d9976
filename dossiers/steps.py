"""The human steps of the recognition process (DOMAIN.md section 4), one row each.

This table is the one place that says, for every step a person takes: the flow node whose
task it completes, who acts, the object right it needs, the transition of the dossier it
applies, the checks that guard it, the batch deadline it counts against, and what it is
called on the pages and in the audit trail. Everything else is derived from it: the batch
calendar's steps (``Step``), the reminders' node → deadline map, the audit labels, and the
dispatch of the dossier page's and the API's actions. ``workflow.kernel.run_step`` runs any
row; ``workflow/flows.py`` draws how the nodes connect.

The table is plain data (names, not objects), so the models can derive their choices from
it without importing anything above them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Deadline:
    """A step of a batch's calendar that can carry a due date (DOMAIN.md section 5)."""

    key: str
    label: Promise
    # Counted against the province's legal time limit once it received the complete dossier
    # (``Dossier.province_received_at``).
    province_limit: bool = False
    # Without its own date in the batch calendar, the date of this other step applies.
    falls_back_to: str = ""


SELF_ASSESSMENT = Deadline("self_assessment", _("self-assessment"))
PUBLIC_POSTING = Deadline("public_posting", _("public posting and comments"))
SURVEY = Deadline("survey", _("satisfaction survey"))
SUBMISSION = Deadline("submission", _("submission"))
# Before the province has the dossier: its legal limit has not started (batch calendar only).
DISTRICT_VERIFICATION = Deadline("district_verification", _("district verification"))
DEPARTMENT_APPRAISAL = Deadline("department_appraisal", _("sector departments' appraisal"),
                                province_limit=True)
ANSWER_RETURNS = Deadline("answer_returns", _("answers to returned criteria"),
                          province_limit=True, falls_back_to="department_appraisal")
SURVEY_APPRAISAL = Deadline("survey_appraisal", _("Fatherland Front's survey appraisal"),
                            province_limit=True)
DEBT_CONFIRMATION = Deadline("debt_confirmation", _("capital-construction debt confirmation"),
                             province_limit=True)
SECURITY_CONFIRMATION = Deadline("security_confirmation", _("security confirmation"),
                                 province_limit=True)
CONSOLIDATION = Deadline("consolidation", _("consolidation and agenda"), province_limit=True)
COUNCIL_VOTE = Deadline("council_vote", _("council vote"))
DECISION = Deadline("decision", _("decision"))
ANNOUNCEMENT = Deadline("announcement", _("announcement"))


class Actor(models.TextChoices):
    """Who takes a step: an agency of a kind, or a person by their role in it."""

    COMMUNE_COMMITTEE = "commune_committee", _("the commune's People's Committee")
    COMMUNE_FRONT = "commune_front", _("the commune's Fatherland Front")
    DISTRICT_COMMITTEE = "district_committee", _("the district's People's Committee")
    DEPARTMENT = "department", _("the department responsible for the criterion")
    PROVINCIAL_FRONT = "provincial_front", _("the provincial Fatherland Front")
    DEBT = "debt", _("the agency confirming capital-construction debt")
    SECURITY = "security", _("the agency confirming security")
    COORDINATION_OFFICE = "coordination_office", _("the coordination office")
    COUNCIL_MEMBER = "council_member", _("a council member present at the meeting")
    CHAIRMAN = "chairman", _("the provincial chairman or a delegate")


@dataclass(frozen=True)
class StepRow:
    """One human step. ``name`` is its key everywhere: page action, API action, service."""

    name: str
    node: str
    actor: Actor
    permission: str
    transition: str
    checks: tuple[str, ...]
    deadline: Deadline
    label: Promise
    # The audit events the step writes besides its transition's, and how each reads.
    events: tuple[tuple[str, Promise], ...]
    api_path: str
    # What the person is told when the step is done (``%(n)s`` rows, ``%(result)s``).
    done: Promise

    @property
    def audit_actions(self) -> tuple[str, ...]:
        transition = (f"dossier.{self.transition}",) if self.transition else ()
        return transition + tuple(action for action, _label in self.events)


def _row(name: str, node: str, actor: Actor, permission: str, deadline: Deadline,
         label: Promise, *, done: Promise, transition: str = "", checks: tuple[str, ...] = (),
         events: tuple[tuple[str, Promise], ...] = (), api_path: str = "") -> StepRow:
    """A transition's event is always ``dossier.<transition>`` (labelled in ``TRANSITIONS``);
    ``events`` are those of what the step records besides (a vote, a confirmation...)."""
    if transition and transition not in TRANSITIONS:
        raise ValueError(f"unknown transition {transition!r}")
    return StepRow(name=name, node=node, actor=actor, permission=permission,
                   transition=transition, checks=checks, deadline=deadline, label=label,
                   events=events, api_path=api_path or name.replace("_", "-"), done=done)


# Every transition of ``Dossier.status`` and how its audit event reads.
TRANSITIONS: dict[str, Promise] = {
    "publish_for_comments": _("Self-assessment posted for comments"),
    "close_posting": _("Public posting closed"),
    "finish_survey": _("Satisfaction survey finished"),
    "submit": _("Dossier submitted"),
    "verify_by_district": _("Verified by the district"),
    "close_appraisal": _("Appraisal closed"),
    "schedule_for_council": _("Sent to the council"),
    "refuse": _("Refused by the coordination office"),
    "unschedule": _("Back to consolidation (no quorum)"),
    "council_approve": _("Approved by the council"),
    "council_reject": _("Rejected by the council"),
    "defer": _("Deferred to the commune by the council"),
    "recognise": _("Recognised"),
    "decline": _("Decision declined"),
    "announce": _("Recognition announced"),
    "revoke": _("Recognition revoked"),
    "close_by_merger": _("Closed: the commune was merged"),
}

A = Actor
STEPS: tuple[StepRow, ...] = (
    _row("publish", "self_assessment", A.COMMUNE_COMMITTEE, "edit_self_assessment",
         SELF_ASSESSMENT, _("Self-assessment"), transition="publish_for_comments",
         checks=("self_assessment_problems",),
         done=_("The self-assessment is posted publicly for comments.")),
    _row("close_posting", "public_posting", A.COMMUNE_COMMITTEE, "edit_self_assessment",
         PUBLIC_POSTING, _("Public posting and comments"), transition="close_posting",
         checks=("posting_problems",), done=_("The public posting is closed.")),
    _row("finish_survey", "survey", A.COMMUNE_FRONT, "log_survey", SURVEY,
         _("Satisfaction survey"), transition="finish_survey",
         checks=("survey_entry_problems",), done=_("The survey is finished.")),
    _row("submit", "submission", A.COMMUNE_COMMITTEE, "edit_self_assessment", SUBMISSION,
         _("Submission to the province"), transition="submit",
         checks=("level_ladder_problems", "submission_problems",
                 "appraisal_mapping_problems"),
         done=_("The dossier was submitted to the province.")),
    _row("district", "district_verification", A.DISTRICT_COMMITTEE, "verify_district",
         DISTRICT_VERIFICATION, _("District verification"), transition="verify_by_district",
         events=(("district.verify", _("District verification")),),
         api_path="district-verification",
         done=_("The district verification was recorded.")),
    _row("appraise", "department_appraisal", A.DEPARTMENT, "appraise_criterion",
         DEPARTMENT_APPRAISAL, _("Appraisal of the department’s criteria"),
         events=(("appraisal.met", _("Criterion appraised as met")),
                 ("appraisal.not_met", _("Criterion appraised as not met")),
                 ("appraisal.returned", _("Criterion returned for supplement"))),
         api_path="record", done=_("%(n)s appraisal(s) recorded.")),
    _row("answer", "answer_returns", A.COMMUNE_COMMITTEE, "edit_self_assessment",
         ANSWER_RETURNS, _("Answer returned criteria"),
         events=(("appraisal.answer_return", _("Return answered by the commune")),),
         done=_("%(n)s answer(s) sent to the department.")),
    _row("survey_appraisal", "survey_appraisal", A.PROVINCIAL_FRONT, "appraise_survey",
         SURVEY_APPRAISAL, _("Appraisal of the satisfaction survey"),
         events=(("survey.appraise", _("Survey appraised by the provincial Front")),),
         done=_("The survey appraisal was recorded.")),
    _row("confirm_debt", "debt_confirmation", A.DEBT, "confirm_debt", DEBT_CONFIRMATION,
         _("Capital-construction debt confirmation"),
         events=(("confirmation.debt", _("Debt confirmation")),),
         done=_("The confirmation was recorded.")),
    _row("confirm_security", "security_confirmation", A.SECURITY, "confirm_security",
         SECURITY_CONFIRMATION, _("Security confirmation"),
         events=(("confirmation.security", _("Security confirmation")),),
         done=_("The confirmation was recorded.")),
    _row("schedule", "consolidation", A.COORDINATION_OFFICE, "coordinate_dossier",
         CONSOLIDATION, _("Consolidation and council agenda"),
         transition="schedule_for_council", checks=("legal_condition_problems",),
         events=(("agenda.add", _("Put on the council agenda")),),
         done=_("The dossier is on the council's agenda.")),
    _row("refuse", "consolidation", A.COORDINATION_OFFICE, "coordinate_dossier",
         CONSOLIDATION, _("Consolidation and council agenda"), transition="refuse",
         done=_("The dossier was refused.")),
    _row("vote", "vote", A.COUNCIL_MEMBER, "vote_in_meeting", COUNCIL_VOTE,
         _("Council vote"), events=(("vote.cast", _("Vote cast")),),
         done=_("Your vote was recorded.")),
    _row("close_vote", "close_vote", A.COORDINATION_OFFICE, "manage_meeting", COUNCIL_VOTE,
         _("Close the council vote"), events=(("agenda.close", _("Council vote closed")),),
         api_path="close", done=_("The vote is closed: %(result)s.")),
    _row("decide", "decision", A.CHAIRMAN, "record_decision", DECISION,
         _("Recognition decision"), transition="recognise",
         events=(("decision.recognition", _("Recognition decision recorded")),),
         api_path="decision",
         done=_("The decision was recorded: the commune is recognised.")),
    _row("decline", "decision", A.CHAIRMAN, "record_decision", DECISION,
         _("Recognition decision"), transition="decline", done=_("The decision was declined.")),
    _row("announce", "announcement", A.COORDINATION_OFFICE, "coordinate_dossier",
         ANNOUNCEMENT, _("Announcement"), transition="announce",
         done=_("The recognition was announced.")),
)
del A

BY_NAME: dict[str, StepRow] = {row.name: row for row in STEPS}
# Flow node → its first row (a node with two actions shares its label and deadline).
BY_NODE: dict[str, StepRow] = {}
for _step in STEPS:
    BY_NODE.setdefault(_step.node, _step)
del _step

DEADLINES: tuple[Deadline, ...] = tuple({row.deadline.key: row.deadline for row in STEPS}.values())
DEADLINE_OF_NODE: dict[str, Deadline] = {node: row.deadline for node, row in BY_NODE.items()}

# The batch calendar's steps, derived from the rows (values and labels as the rows give them).
Step = models.TextChoices("Step", [(d.key.upper(), (d.key, d.label)) for d in DEADLINES])


def step_labels() -> dict[str, Promise]:
    """How every audit event the steps write reads, for ``audit.labels``."""
    labels = {f"dossier.{name}": label for name, label in TRANSITIONS.items()}
    for row in STEPS:
        labels.update(dict(row.events))
    return labels
