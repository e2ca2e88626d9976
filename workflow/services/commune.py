"""The commune's steps: self-assessment, public posting, survey, submission, answers to
returned criteria (each a row of ``dossiers.steps`` run by the kernel)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.dates import posting_start_problems
from dossiers.models import AppraisalStatus, CriterionAppraisal, Dossier
from dossiers.transitions import transition_apply

from ..kernel import StepContext, run_step, serves


@serves("publish")
def self_assessment_complete(*, actor: Any, dossier: Dossier,
                             posting_starts_on: dt.date | None = None) -> Dossier:
    """Close the self-assessment and post it publicly for comments."""
    today = timezone.localdate()
    starts = posting_starts_on or today

    def validate(step: StepContext) -> list[str]:
        return posting_start_problems(dossier=step.dossier, starts_on=starts, today=today)

    def apply(step: StepContext) -> Dossier:
        step.dossier.posting_started_on = starts
        return step.dossier

    return run_step("publish", actor=actor, dossier=dossier, validate=validate, apply=apply,
                    extra=lambda step: {"posting_started_on": starts})


@serves("close_posting")
def posting_close(*, actor: Any, dossier: Dossier) -> Dossier:
    return run_step("close_posting", actor=actor, dossier=dossier)


@serves("finish_survey")
def survey_complete(*, actor: Any, dossier: Dossier) -> Dossier:
    return run_step("finish_survey", actor=actor, dossier=dossier)


@serves("submit")
def dossier_submit(*, actor: Any, dossier: Dossier) -> Dossier:
    """The commune submits the dossier to the province (or, older variant, the district)."""

    def apply(step: StepContext) -> Dossier:
        step.dossier.submitted_at = timezone.now()
        if not step.dossier.regulation.district_verification:
            # The province has the complete dossier: its legal time limit starts today.
            step.dossier.province_received_at = step.dossier.submitted_at
        return step.dossier

    return run_step("submit", actor=actor, dossier=dossier, apply=apply,
                    extra=lambda step: {"submitted_at": step.dossier.submitted_at,
                                        "province_received_at":
                                            step.dossier.province_received_at})


@serves("answer")
def returned_answer(*, actor: Any, item: CriterionAppraisal,
                    response: str) -> CriterionAppraisal:
    """Bổ sung: the commune answers a returned criterion (evidence via ``evidence_add``).

    The department's appraisal reopens once every criterion it returned is answered."""

    def validate(step: StepContext) -> list[str]:
        current = CriterionAppraisal.objects.get(pk=item.pk)
        if current.dossier_id != step.dossier.pk or current.round != step.dossier.round:
            return [_("This appraisal is not part of the dossier's current round.")]
        if not response.strip():
            return [_("Answer the return: say what was supplemented.")]
        if current.status != AppraisalStatus.RETURNED:
            return [_("This criterion was not returned for supplement.")]
        return []

    def apply(step: StepContext) -> CriterionAppraisal:
        current = CriterionAppraisal.objects.select_related("agency").get(pk=item.pk)
        transition_apply(current, "resubmit", actor=actor, agency=step.agency,
                         action="appraisal.answer_return", dossier=step.dossier,
                         changes={"commune_response": response.strip()})
        return current

    def completes(step: StepContext) -> bool:
        return not CriterionAppraisal.objects.filter(
            dossier=step.dossier, round=step.dossier.round, agency_id=item.agency_id,
            status=AppraisalStatus.RETURNED).exists()

    return run_step("answer", actor=actor, dossier=item.dossier, validate=validate,
                    task_data=lambda step: {"agency": item.agency_id}, apply=apply,
                    completes=completes)
