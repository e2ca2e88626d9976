"""Reads for the pages: what a dossier shows and what a department has to appraise, in a
fixed number of queries whatever the number of dossiers or criteria."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from guardian.shortcuts import get_objects_for_user

from . import thresholds
from .conditions import Tally, legal_conditions, level_ladder_problems, pct, survey_rates, tally
from .models import (
    Agency,
    AgendaItem,
    Confirmation,
    CouncilMeeting,
    CriterionAppraisal,
    Dossier,
    DossierStatus,
    Evidence,
    Indicator,
    Membership,
    SelfAssessment,
    SurveyAppraisal,
    Vote,
)


@dataclass
class CriterionRow:
    criterion: Any
    lines: list[dict] = field(default_factory=list)
    appraisals: list[CriterionAppraisal] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def criteria_table(dossier: Dossier) -> list[CriterionRow]:
    """Every line to assess, with its answer and the threshold of the dossier's group."""
    criteria = list(dossier.criteria_set.criteria.filter(retired=False).prefetch_related(
        "indicators__thresholds").order_by("number"))
    place = thresholds.place_of(dossier)
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
            threshold = (thresholds.threshold_for(indicator, place, list(
                indicator.thresholds.all())) if indicator else None)
            row.lines.append({"indicator": indicator,
                              "answer": answers.get((criterion.pk,
                                                     indicator.pk if indicator else None)),
                              "threshold": threshold,
                              "wording": thresholds.wording_for(indicator, place),
                              "computed": thresholds.is_computed(indicator, threshold)})
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


def set_completeness(dossier: Dossier) -> dict:
    """What the page says about a set the data files hold only in part."""
    criteria_set = dossier.criteria_set
    loaded = Indicator.objects.filter(criterion__criteria_set=criteria_set, retired=False,
                                      criterion__retired=False).count()
    declared = criteria_set.indicator_count
    return {"incomplete": bool(criteria_set.gaps) or (declared is not None and loaded < declared),
            "indicators_loaded": loaded, "indicators_declared": declared,
            "place": thresholds.place_label(dossier)}


def dossier_overview(dossier: Dossier) -> dict:
    return {
        "criteria_set_state": set_completeness(dossier),
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
        "decisions": list(dossier.decisions.select_related("signature")),
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


@dataclass
class CouncilItem:
    """An open agenda item of a dossier as one reader sees it. ``state`` says what a council
    member can do: ``waiting`` (attendance not recorded yet), ``absent`` (not recorded as
    present), ``voted`` (``vote`` is their vote), ``vote`` (may vote now) or ``closed`` (the
    meeting ended without their vote); ``None`` for a
    reader who is not a member of the council. ``tally`` is the live count, for the office."""

    item: AgendaItem
    state: str | None
    vote: Vote | None
    tally: Tally
    not_voted: int
    approval_rate: str


def council_items(dossier: Dossier, user: Any) -> list[CouncilItem]:
    """The dossier's open agenda items with the reader's own position on each and the live
    tally; a fixed number of queries per open item (a dossier has one or two at most)."""
    items = list(AgendaItem.objects.filter(dossier=dossier, result=AgendaItem.Result.OPEN)
                 .select_related("meeting__council", "dossier__regulation").order_by("pk"))
    council_ids = set(Membership.objects.filter(
        user=user, agency_id__in={i.meeting.council_id for i in items}).values_list(
        "agency_id", flat=True)) if items else set()
    rows = []
    for item in items:
        meeting = item.meeting
        count = tally(item)
        state = None
        vote = None
        if meeting.council_id in council_ids:
            vote = Vote.objects.filter(item=item, member=user).first()
            if vote is not None:
                state = "voted"
            elif meeting.status == CouncilMeeting.Status.PLANNED:
                state = "waiting"
            elif not meeting.present.filter(pk=user.pk).exists():
                state = "absent"
            elif meeting.status == CouncilMeeting.Status.IN_SESSION:
                state = "vote"
            else:
                state = "closed"
        rate = pct(Fraction(count.votes_for, count.present)) if count.present else "—"
        rows.append(CouncilItem(item=item, state=state, vote=vote, tally=count,
                                not_voted=count.present - count.votes_for - count.votes_against,
                                approval_rate=rate))
    return rows
