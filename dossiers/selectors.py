"""Reads for the pages: what a dossier shows and what a department has to appraise, in a
fixed number of queries whatever the number of dossiers or criteria."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from guardian.shortcuts import get_objects_for_user

from .conditions import legal_conditions, level_ladder_problems, pct, survey_rates
from .models import (
    Agency,
    AgendaItem,
    Confirmation,
    CriterionAppraisal,
    Dossier,
    DossierStatus,
    Evidence,
    Membership,
    SelfAssessment,
    SurveyAppraisal,
)


@dataclass
class CriterionRow:
    criterion: Any
    lines: list[dict] = field(default_factory=list)
    appraisals: list[CriterionAppraisal] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def criteria_table(dossier: Dossier) -> list[CriterionRow]:
    criteria = list(dossier.criteria_set.criteria.filter(retired=False).prefetch_related(
        "indicators").order_by("number"))
    answers = {(a.criterion_id, a.indicator_id): a
               for a in SelfAssessment.objects.filter(dossier=dossier)}
    appraisals = list(CriterionAppraisal.objects.filter(dossier=dossier, round=dossier.round)
                      .select_related("agency", "indicator").order_by("pk"))
    evidence = list(Evidence.objects.filter(dossier=dossier).order_by("uploaded_at"))
    rows = []
    for criterion in criteria:
        row = CriterionRow(criterion)
        indicators = [i for i in criterion.indicators.all() if not i.retired]
        for indicator in indicators or [None]:
            row.lines.append({"indicator": indicator,
                              "answer": answers.get((criterion.pk,
                                                     indicator.pk if indicator else None))})
        row.appraisals = [a for a in appraisals if a.criterion_id == criterion.pk]
        row.evidence = [e for e in evidence if e.criterion_id == criterion.pk]
        rows.append(row)
    return rows


def survey_summary(dossier: Dossier) -> dict:
    households, surveyed, satisfied = survey_rates(dossier)
    regulation = dossier.regulation
    coverage = Fraction(surveyed, households) if households else Fraction(0)
    rate = Fraction(satisfied, surveyed) if surveyed else Fraction(0)
    return {
        "results": list(dossier.survey_results.select_related("village").order_by(
            "village__name")),
        "households": households, "surveyed": surveyed, "satisfied": satisfied,
        "coverage": pct(coverage), "rate": pct(rate),
        "coverage_ok": households > 0 and coverage >= regulation.coverage_min,
        "rate_ok": surveyed > 0 and rate >= regulation.satisfaction_min,
        "coverage_min": pct(regulation.coverage_min),
        "rate_min": pct(regulation.satisfaction_min),
        "appraisal": SurveyAppraisal.objects.filter(dossier=dossier, round=dossier.round).first(),
    }


# Before submission: where a dossier whose level builds on another recognition may wait.
BEFORE_SUBMISSION = (DossierStatus.SELF_ASSESSMENT, DossierStatus.PUBLIC_POSTING,
                     DossierStatus.SURVEY, DossierStatus.READY_TO_SUBMIT)


def waiting_for(dossier: Dossier) -> list[str]:
    """Why the dossier cannot be submitted yet for lack of the recognition its level builds
    on (a model dossier waiting for the advanced decision); empty otherwise."""
    if dossier.status not in BEFORE_SUBMISSION:
        return []
    return level_ladder_problems(dossier)


def dossier_overview(dossier: Dossier) -> dict:
    return {
        "waiting_for": waiting_for(dossier),
        "criteria": criteria_table(dossier),
        "survey": survey_summary(dossier),
        "confirmations": list(Confirmation.objects.filter(
            dossier=dossier, round=dossier.round).select_related("agency")),
        "conditions": legal_conditions(dossier),
        "agenda": list(AgendaItem.objects.filter(dossier=dossier).select_related(
            "meeting").order_by("pk")),
        "documents": list(dossier.documents.order_by("kind", "uploaded_at")),
        "comments": list(dossier.comments.order_by("received_on", "pk")),
        "decisions": list(dossier.decisions.all()),
    }


def my_agencies(user: Any) -> list[Agency]:
    return list(Agency.objects.filter(memberships__user=user, active=True))


def pending_items_for(user: Any) -> Any:
    """Every criterion waiting for the caller's departments, across their province's dossiers."""
    agency_ids = Membership.objects.filter(user=user, agency__kind__in=(
        Agency.Kind.DEPARTMENT, Agency.Kind.MASS_ORGANISATION)).values("agency_id")
    return (CriterionAppraisal.objects.filter(
        agency_id__in=agency_ids, status__in=["pending", "resubmitted"],
        dossier__status="appraisal").select_related("dossier__commune", "criterion", "indicator",
                                                    "agency").order_by("dossier__commune__name",
                                                                       "criterion__number"))


def visible_dossiers(user: Any) -> Any:
    """The dossiers ``user`` may read (object permission ``view_dossier``), for lists and
    search in the pages and the API alike."""
    return get_objects_for_user(user, "dossiers.view_dossier", klass=Dossier,
                                accept_global_perms=False).select_related("commune")
