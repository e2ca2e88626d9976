"""What the commune records: self-assessment, evidence, documents, public comments, survey."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail

from .. import permissions, thresholds
from ..dates import comment_date_problems, survey_households_problems
from ..exceptions import RuleViolation
from ..files import check_upload
from ..models import (
    Agency,
    AppraisalStatus,
    Criterion,
    CriterionAppraisal,
    Dossier,
    DossierDocument,
    DossierStatus,
    Evidence,
    Indicator,
    PublicComment,
    SelfAssessment,
    SurveyResult,
    Village,
)

K = Agency.Kind
SA_FIELDS = ("value", "met", "note")
FILE_FIELDS = ("original_name", "content_type", "size", "sha256")


# The statuses in which the commune still holds its dossier (before submission).
COMMUNE_STATUSES = (DossierStatus.SELF_ASSESSMENT, DossierStatus.PUBLIC_POSTING,
                    DossierStatus.SURVEY, DossierStatus.READY_TO_SUBMIT)


def _locked(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update(of=("self",)).select_related(
        "commune__province", "criteria_set", "regulation").get(pk=dossier.pk)


def _require_status(dossier: Dossier, *statuses: str) -> None:
    if dossier.status not in statuses:
        raise RuleViolation(_("Not possible while the dossier is “%(status)s”.")
                            % {"status": dossier.get_status_display()})


def _require_target(dossier: Dossier, criterion: Criterion, indicator: Indicator | None) -> None:
    if criterion.criteria_set_id != dossier.criteria_set_id or criterion.retired:
        raise RuleViolation(_("Criterion %(n)s is not part of this dossier's criteria set.")
                            % {"n": criterion.number})
    if indicator is not None and (indicator.criterion_id != criterion.pk or indicator.retired):
        raise RuleViolation(_("Indicator %(code)s does not belong to criterion %(n)s.")
                            % {"code": indicator.code or indicator.name, "n": criterion.number})
    if indicator is None and criterion.indicators.filter(retired=False).exists():
        raise RuleViolation(_("Criterion %(n)s is assessed per indicator: choose the indicator.")
                            % {"n": criterion.number})


def _commune_agency(actor: Any, dossier: Dossier, kind: str = K.COMMUNE_COMMITTEE) -> Agency | None:
    return permissions.acting_agency(actor, kind=kind, province=dossier.commune.province)


@transaction.atomic
def self_assessment_set(*, actor: Any, dossier: Dossier, criterion: Criterion,
                        indicator: Indicator | None = None, value: str = "",
                        met: bool | None = None, note: str = "") -> SelfAssessment:
    """Record the commune's value of an indicator (or criterion) and whether it is met.

    For a quantitative indicator with a threshold for the dossier's group or region, met is
    computed from ``value`` (``met`` is ignored); otherwise the commune claims it."""
    dossier = _locked(dossier)
    permissions.require(actor, "edit_self_assessment", dossier)
    _require_status(dossier, DossierStatus.SELF_ASSESSMENT)
    _require_target(dossier, criterion, indicator)
    value = value.strip()
    threshold = (thresholds.threshold_for(indicator, thresholds.place_of(dossier))
                 if indicator is not None else None)
    if thresholds.is_computed(indicator, threshold):
        met = thresholds.computed_met(indicator, threshold, value)
    elif met is None:
        raise RuleViolation(_("Say whether %(line)s is met.") % {
            "line": (indicator.code or indicator.name) if indicator else criterion.number})
    row = SelfAssessment.objects.filter(dossier=dossier, criterion=criterion,
                                        indicator=indicator).first()
    before = trail.snapshot(row, SA_FIELDS) if row else None
    row = row or SelfAssessment(dossier=dossier, criterion=criterion, indicator=indicator)
    row.value, row.met, row.note, row.updated_by = value, met, note.strip(), actor
    row.full_clean(validate_constraints=False)
    row.save()
    after = trail.snapshot(row, SA_FIELDS)
    if threshold is not None:
        after["threshold"] = threshold.describe()
    trail.record(actor=actor, agency=_commune_agency(actor, dossier), action="self_assessment.set",
                 obj=row, dossier=dossier, before=before, after=after)
    return row


def upload_store(instance: Any, *, actor: Any, upload: IO[bytes], name: str) -> None:
    """Check an upload and attach it to ``instance`` (evidence, document, decision) unsaved."""
    checked = check_upload(upload, name=name)
    instance.original_name = checked.display_name  # shown; never used as a path
    instance.content_type = checked.content_type
    instance.size = checked.size
    instance.sha256 = checked.sha256
    instance.uploaded_by = actor
    instance.file.save(checked.storage_name, File(upload, name=checked.storage_name),
                       save=False)


@transaction.atomic
def evidence_add(*, actor: Any, dossier: Dossier, criterion: Criterion,
                 indicator: Indicator | None = None, upload: IO[bytes], name: str,
                 description: str = "") -> Evidence:
    """Attach evidence during self-assessment, or to answer a returned criterion."""
    dossier = _locked(dossier)
    permissions.require(actor, "edit_self_assessment", dossier)
    if dossier.status != DossierStatus.SELF_ASSESSMENT:
        # After self-assessment the evidence is frozen, except to answer a criterion
        # returned for supplement while the province appraises.
        returned = dossier.status == DossierStatus.APPRAISAL and CriterionAppraisal.objects.filter(
            dossier=dossier, round=dossier.round, criterion=criterion,
            status=AppraisalStatus.RETURNED).exists()
        if not returned:
            raise RuleViolation(_("Evidence can be added during self-assessment, or later only "
                                  "to a criterion returned for supplement."))
    if criterion.criteria_set_id != dossier.criteria_set_id:
        raise RuleViolation(_("Criterion %(n)s is not part of this dossier's criteria set.")
                            % {"n": criterion.number})
    if indicator is not None and indicator.criterion_id != criterion.pk:
        raise RuleViolation(_("Indicator %(code)s does not belong to criterion %(n)s.")
                            % {"code": indicator.code, "n": criterion.number})
    evidence = Evidence(dossier=dossier, criterion=criterion, indicator=indicator,
                        description=description)
    upload_store(evidence, actor=actor, upload=upload, name=name)
    evidence.save()
    trail.record(actor=actor, agency=_commune_agency(actor, dossier), action="evidence.add",
                 obj=evidence, dossier=dossier,
                 after={**trail.snapshot(evidence, FILE_FIELDS),
                        "criterion": criterion.number,
                        "indicator": indicator.code if indicator else None})
    return evidence


@transaction.atomic
def evidence_withdraw(*, actor: Any, evidence: Evidence, reason: str) -> Evidence:
    """Withdraw evidence uploaded by mistake. The file and its hash are kept: nothing is lost."""
    dossier = _locked(evidence.dossier)
    permissions.require(actor, "edit_self_assessment", dossier)
    evidence = Evidence.objects.select_for_update(of=("self",)).get(pk=evidence.pk)
    if evidence.withdrawn_at is not None:
        raise RuleViolation(_("This evidence is already withdrawn."))
    if dossier.status != DossierStatus.SELF_ASSESSMENT:
        raise RuleViolation(_("Evidence can be withdrawn only during self-assessment."))
    if not reason.strip():
        raise RuleViolation(_("Say why the evidence is withdrawn."))
    evidence.withdrawn_at = timezone.now()
    evidence.withdrawn_by = actor
    evidence.withdrawal_reason = reason.strip()
    evidence.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    trail.record(actor=actor, agency=_commune_agency(actor, dossier), action="evidence.withdraw",
                 obj=evidence, dossier=dossier, reason=reason,
                 before={**trail.snapshot(evidence, FILE_FIELDS), "withdrawn": False},
                 after={"withdrawn": True})
    return evidence


@transaction.atomic
def document_add(*, actor: Any, dossier: Dossier, kind: str, upload: IO[bytes],
                 name: str) -> DossierDocument:
    """A document of the step that owns it, only while the dossier is at that step: the
    commune's until it submits, the district's during its verification, the coordination
    office's during consolidation. Afterwards the dossier's documents are frozen."""
    dossier = _locked(dossier)
    if kind in (*DossierDocument.REQUIRED_FOR_SUBMISSION, DossierDocument.Kind.OTHER):
        permissions.require(actor, "edit_self_assessment", dossier)
        _require_status(dossier, *COMMUNE_STATUSES)
        agency = _commune_agency(actor, dossier)
    elif kind == DossierDocument.Kind.DISTRICT_REPORT:
        permissions.require(actor, "verify_district", dossier)
        _require_status(dossier, DossierStatus.DISTRICT_VERIFICATION)
        agency = permissions.acting_agency(actor, kind=K.DISTRICT_COMMITTEE)
    elif kind == DossierDocument.Kind.APPRAISAL_REPORT:
        permissions.require(actor, "coordinate_dossier", dossier)
        _require_status(dossier, DossierStatus.CONSOLIDATION)
        agency = permissions.acting_agency(actor, kind=K.COORDINATION_OFFICE)
    else:
        raise RuleViolation(_("Unknown document kind “%(kind)s”.") % {"kind": kind})
    document = DossierDocument(dossier=dossier, kind=kind)
    upload_store(document, actor=actor, upload=upload, name=name)
    document.save()
    trail.record(actor=actor, agency=agency, action="document.add", obj=document,
                 dossier=dossier, after={**trail.snapshot(document, FILE_FIELDS), "kind": kind})
    return document


@transaction.atomic
def comment_record(*, actor: Any, dossier: Dossier, author: str, content: str,
                   received_on: dt.date, organisation: str = "",
                   response: str = "") -> PublicComment:
    dossier = _locked(dossier)
    permissions.require(actor, "edit_self_assessment", dossier)
    _require_status(dossier, DossierStatus.PUBLIC_POSTING)
    if not author.strip() or not content.strip():
        raise RuleViolation(_("A comment needs its author and its content."))
    problems = comment_date_problems(dossier=dossier, received_on=received_on)
    if problems:
        raise RuleViolation(problems)
    comment = PublicComment(dossier=dossier, author=author.strip(), content=content.strip(),
                            organisation=organisation.strip(), received_on=received_on,
                            response=response.strip(), recorded_by=actor)
    comment.full_clean()
    comment.save()
    trail.record(actor=actor, agency=_commune_agency(actor, dossier), action="comment.record",
                 obj=comment, dossier=dossier,
                 after=trail.snapshot(comment, ("author", "organisation", "received_on",
                                                "content", "response")))
    return comment


@transaction.atomic
def comment_respond(*, actor: Any, comment: PublicComment, response: str) -> PublicComment:
    """The commune answers a comment recorded earlier (while the posting is open: closing it
    needs every comment answered)."""
    dossier = _locked(comment.dossier)
    permissions.require(actor, "edit_self_assessment", dossier)
    _require_status(dossier, DossierStatus.PUBLIC_POSTING)
    if not response.strip():
        raise RuleViolation(_("The response is empty."))
    comment = PublicComment.objects.select_for_update().get(pk=comment.pk)
    before = {"response": comment.response}
    comment.response = response.strip()
    comment.save(update_fields=["response"])
    trail.record(actor=actor, agency=_commune_agency(actor, dossier), action="comment.respond",
                 obj=comment, dossier=dossier, before=before, after={"response": comment.response})
    return comment


@transaction.atomic
def survey_result_set(*, actor: Any, dossier: Dossier, village: Village, households: int,
                      surveyed: int, satisfied: int, households_reason: str = "") -> SurveyResult:
    """The commune Front logs one village's survey figures; households far from the village's
    registered count (beyond the regulation profile's tolerance) need ``households_reason``."""
    dossier = _locked(dossier)
    permissions.require(actor, "log_survey", dossier)
    _require_status(dossier, DossierStatus.SURVEY)
    if village.commune_id != dossier.commune_id:
        raise RuleViolation(_("%(village)s is not a village of %(commune)s.")
                            % {"village": village.name, "commune": dossier.commune})
    problems = []
    if min(households, surveyed, satisfied) < 0:
        problems.append(_("Figures cannot be negative."))
    if households == 0:
        problems.append(_("A village has at least one household."))
    if surveyed > households:
        problems.append(_("%(s)s households surveyed is more than the %(h)s households of the "
                          "village.") % {"s": surveyed, "h": households})
    if satisfied > surveyed:
        problems.append(_("%(k)s satisfied is more than the %(s)s households surveyed.")
                        % {"k": satisfied, "s": surveyed})
    problems += survey_households_problems(
        village=village, households=households, reason=households_reason,
        tolerance_pct=dossier.regulation.survey_households_tolerance)
    if problems:
        raise RuleViolation(problems)
    row = SurveyResult.objects.filter(dossier=dossier, village=village).first()
    fields = ("households", "surveyed", "satisfied", "households_reason")
    before = trail.snapshot(row, fields) if row else None
    row = row or SurveyResult(dossier=dossier, village=village)
    row.households, row.surveyed, row.satisfied, row.recorded_by = (
        households, surveyed, satisfied, actor)
    row.households_reason = households_reason.strip()
    row.save()
    trail.record(actor=actor, agency=_commune_agency(actor, dossier, K.COMMUNE_FRONT),
                 action="survey.result_set", obj=row, dossier=dossier, before=before,
                 after={**trail.snapshot(row, fields), "village": village.name})
    return row
