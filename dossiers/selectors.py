"""Reads for the pages: what a dossier shows, and a person's tasks, in a fixed number of
queries whatever the number of dossiers, criteria or tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import Q
from viewflow.workflow.models import Task

from .conditions import legal_conditions, pct, survey_rates
from .models import (
    Agency,
    AgendaItem,
    Confirmation,
    CriterionAppraisal,
    Dossier,
    Evidence,
    Membership,
    SelfAssessment,
    SurveyAppraisal,
)

OPEN = ["NEW", "ASSIGNED", "STARTED"]


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


def dossier_overview(dossier: Dossier) -> dict:
    return {
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


def tasks_for(user: Any, *, dossier: Dossier | None = None) -> dict[str, Any]:
    """A person's tasks: assigned to them, free in their agencies' queues, done by them."""
    agency_ids = [str(pk) for pk in Membership.objects.filter(user=user).values_list(
        "agency_id", flat=True)]
    human = Task.objects.filter(flow_task_type="HUMAN")
    if dossier is not None:
        human = human.filter(process__in=dossier.processes.all())
    mine = human.filter(owner=user, status__in=["ASSIGNED", "STARTED"])
    queue = human.filter(status="NEW").filter(
        Q(owner_permission="dossiers.act_for_agency", owner_permission_obj_pk__in=agency_ids))
    done = human.filter(owner=user, status="DONE").order_by("-finished")
    return {"mine": mine, "queue": queue, "done": done}


@dataclass
class ProgressRow:
    dossier: Dossier
    criteria_met: int
    criteria_total: int
    steps: list[str]
    late: list[str]


def batch_progress(batch: Any) -> list[ProgressRow]:
    """For each commune of a batch: criteria met out of total, where it stands, who is late."""
    from notifications.deadlines import open_task_deadlines
    from workflow.models import DossierProcess

    dossiers = list(Dossier.objects.filter(batch=batch).select_related(
        "commune", "criteria_set").order_by("commune__name"))
    totals = {}
    for set_id, count in _criteria_counts({d.criteria_set_id for d in dossiers}).items():
        totals[set_id] = count
    items: dict[int, dict[int, list[str]]] = {}
    for item in CriterionAppraisal.objects.filter(dossier__in=dossiers).values(
            "dossier_id", "round", "criterion_id", "status"):
        items.setdefault(item["dossier_id"], {}).setdefault(
            (item["round"], item["criterion_id"]), []).append(item["status"])
    tasks = Task.objects.filter(process__in=DossierProcess.objects.filter(dossier__in=dossiers),
                                flow_task_type="HUMAN", status__in=OPEN)
    deadlines = open_task_deadlines(tasks=tasks, keep_undated=True)
    rows = []
    for dossier in dossiers:
        mine = [d for d in deadlines if d.dossier.pk == dossier.pk]
        met = sum(1 for (round_, _criterion), statuses in items.get(dossier.pk, {}).items()
                  if round_ == dossier.round and all(s == "met" for s in statuses))
        rows.append(ProgressRow(
            dossier, met, totals.get(dossier.criteria_set_id, 0),
            sorted({str(d.task.flow_task.task_title) for d in mine}),
            sorted({str(d.agency or d.task.owner) for d in mine if d.overdue})))
    return rows


def _criteria_counts(set_ids: set[int]) -> dict[int, int]:
    from django.db.models import Count

    from .models import Criterion

    return dict(Criterion.objects.filter(criteria_set_id__in=set_ids, retired=False)
                .values("criteria_set_id").annotate(n=Count("pk"))
                .values_list("criteria_set_id", "n"))


def pending_items_for(user: Any) -> Any:
    """Every criterion waiting for the caller's departments, across their province's dossiers."""
    agency_ids = Membership.objects.filter(user=user, agency__kind=Agency.Kind.DEPARTMENT
                                           ).values("agency_id")
    return (CriterionAppraisal.objects.filter(
        agency_id__in=agency_ids, status__in=["pending", "resubmitted"],
        dossier__status="appraisal").select_related("dossier__commune", "criterion", "indicator",
                                                    "agency").order_by("dossier__commune__name",
                                                                       "criterion__number"))
