"""The province's appraisal: the district's verification (older variant), each department's
criteria, the provincial Front's survey appraisal, the debt and security confirmations."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail
from dossiers import thresholds
from dossiers.exceptions import RuleViolation
from dossiers.models import (
    AppraisalStatus,
    Confirmation,
    CriterionAppraisal,
    DistrictVerification,
    Dossier,
    DossierStatus,
    SurveyAppraisal,
)
from dossiers.transitions import transition_apply

from ..kernel import StepContext, dossier_ref, run_step, serves


@serves("district")
def district_verify(*, actor: Any, dossier: Dossier, report: str, votes_for: int,
                    members: int) -> Dossier:
    """Thẩm tra (older variant): the district's report and its steering committee's vote."""

    def validate(step: StepContext) -> list[str]:
        problems = []
        if not report.strip():
            problems.append(_("The verification report is empty."))
        if members <= 0 or not 0 <= votes_for <= members:
            problems.append(_("Votes for must be between 0 and the number of members."))
        elif votes_for * 2 <= members:
            problems.append(_("The district steering committee did not propose the commune "
                              "(%(for)s of %(members)s votes).") % {"for": votes_for,
                                                                    "members": members})
        return problems

    def apply(step: StepContext) -> Dossier:
        verification = DistrictVerification.objects.create(
            dossier=step.dossier, round=step.dossier.round, agency=step.agency,
            report=report.strip(), votes_for=votes_for, members=members, recorded_by=actor)
        trail.record(actor=actor, agency=step.agency, action="district.verify",
                     obj=verification, dossier=step.dossier,
                     after=trail.snapshot(verification, ("report", "votes_for", "members")))
        # Older variant: the province receives the complete dossier from the district now;
        # its legal time limit starts today.
        step.dossier.province_received_at = timezone.now()
        return step.dossier

    return run_step("district", actor=actor, dossier=dossier, validate=validate, apply=apply,
                    extra=lambda step: {"province_received_at":
                                        step.dossier.province_received_at})


APPRAISAL_RESULTS = {"met": "mark_met", "not_met": "mark_not_met",
                     "returned": "return_for_supplement"}


@serves("appraise")
def appraisal_record(*, actor: Any, item: CriterionAppraisal, result: str,
                     remark: str = "") -> CriterionAppraisal:
    """Thẩm định: a department rules on one criterion (met, not met, or returned with a reason).

    When the department has ruled on every item it owns, its task completes; returned
    items then go to the commune and only this department's appraisal reopens after."""
    if result not in APPRAISAL_RESULTS:
        raise RuleViolation(_("The result must be met, not met or returned."))

    def validate(step: StepContext) -> list[str]:
        current: CriterionAppraisal = step.on
        if step.dossier.status != DossierStatus.APPRAISAL or current.round != step.dossier.round:
            return [_("The dossier is not in appraisal.")]
        if result == "returned" and not remark.strip():
            return [_("Say what the commune must supplement.")]
        if result == "not_met" and not remark.strip():
            return [_("Say why the criterion is not met.")]
        if current.status not in (AppraisalStatus.PENDING, AppraisalStatus.RESUBMITTED):
            return [_("This criterion is “%(status)s” and cannot be appraised now.")
                    % {"status": current.get_status_display()}]
        if result == "met":
            below = thresholds.shortfalls(step.dossier, current.criterion_id,
                                          current.indicator_id)
            if below:
                return [_("Criterion %(n)s cannot be appraised as met: %(list)s. Appraise it "
                          "as not met, or return it for supplement.")
                        % {"n": current.criterion.number, "list": "; ".join(below)}]
        return []

    def apply(step: StepContext) -> CriterionAppraisal:
        current: CriterionAppraisal = step.on
        text = "return_reason" if result == "returned" else "remark"
        transition_apply(current, APPRAISAL_RESULTS[result], actor=actor, agency=step.agency,
                         action=f"appraisal.{result}", reason=remark, dossier=step.dossier,
                         changes={text: remark.strip(), "decided_by": actor,
                                  "decided_at": timezone.now()})
        return current

    def completes(step: StepContext) -> bool:
        return not CriterionAppraisal.objects.filter(
            dossier=step.dossier, round=step.dossier.round, agency_id=step.on.agency_id,
            status__in=[AppraisalStatus.PENDING, AppraisalStatus.RESUBMITTED]).exists()

    return run_step("appraise", actor=actor, dossier=dossier_ref(item), on=item,
                    related=("agency", "criterion", "indicator"),
                    refusal=lambda current: _("Only %(agency)s appraises this criterion in "
                                              "this dossier.") % {"agency": current.agency},
                    validate=validate, task_owner=lambda step: step.on.agency, apply=apply,
                    completes=completes)


@serves("survey_appraisal")
def survey_appraise(*, actor: Any, dossier: Dossier, process_sound: bool, remark: str = "",
                    sample_surveyed: int = 0, sample_satisfied: int = 0) -> SurveyAppraisal:
    """The provincial Front appraises the survey's process and result, with its own sample."""

    def validate(step: StepContext) -> list[str]:
        if not 0 <= sample_satisfied <= sample_surveyed:
            return [_("Sampled households satisfied must be between 0 and the number sampled.")]
        if not process_sound and not remark.strip():
            return [_("Say what was wrong with the survey.")]
        return []

    def apply(step: StepContext) -> SurveyAppraisal:
        appraisal = SurveyAppraisal.objects.create(
            dossier=step.dossier, round=step.dossier.round, agency=step.agency,
            process_sound=process_sound, sample_surveyed=sample_surveyed,
            sample_satisfied=sample_satisfied, remark=remark.strip(), recorded_by=actor)
        trail.record(actor=actor, agency=step.agency, action="survey.appraise", obj=appraisal,
                     dossier=step.dossier, reason=remark,
                     after=trail.snapshot(appraisal, ("process_sound", "sample_surveyed",
                                                      "sample_satisfied", "remark")))
        return appraisal

    return run_step("survey_appraisal", actor=actor, dossier=dossier, validate=validate,
                    apply=apply)


CONFIRMATION_STEPS = {Confirmation.Kind.DEBT: "confirm_debt",
                      Confirmation.Kind.SECURITY: "confirm_security"}


def confirmation_record(*, actor: Any, dossier: Dossier, kind: str, holds: bool,
                        remark: str = "") -> Confirmation:
    """Finance confirms no outstanding debt; the police confirm the security condition."""
    if kind not in CONFIRMATION_STEPS:
        raise RuleViolation(_("Unknown confirmation “%(kind)s”.") % {"kind": kind})

    def validate(step: StepContext) -> list[str]:
        if not holds and not remark.strip():
            return [_("Describe the debt or the security situation.")]
        return []

    def apply(step: StepContext) -> Confirmation:
        confirmation = Confirmation.objects.create(
            dossier=step.dossier, round=step.dossier.round, kind=kind, agency=step.agency,
            holds=holds, remark=remark.strip(), recorded_by=actor)
        trail.record(actor=actor, agency=step.agency, action=f"confirmation.{kind}",
                     obj=confirmation, dossier=step.dossier, reason=remark,
                     after=trail.snapshot(confirmation, ("kind", "holds", "remark")))
        return confirmation

    return run_step(CONFIRMATION_STEPS[kind], actor=actor, dossier=dossier, validate=validate,
                    apply=apply)


@serves("confirm_debt")
def debt_confirm(*, actor: Any, dossier: Dossier, holds: bool, remark: str = "") -> Confirmation:
    return confirmation_record(actor=actor, dossier=dossier, kind=Confirmation.Kind.DEBT,
                               holds=holds, remark=remark)


@serves("confirm_security")
def security_confirm(*, actor: Any, dossier: Dossier, holds: bool,
                     remark: str = "") -> Confirmation:
    return confirmation_record(actor=actor, dossier=dossier, kind=Confirmation.Kind.SECURITY,
                               holds=holds, remark=remark)
