"""Reads for the coordination office's boards, across the process and its deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from viewflow.workflow.models import Task

from dossiers.models import Criterion, CriterionAppraisal, Dossier
from notifications.deadlines import LegalLimit, legal_limits, open_task_deadlines
from workflow.kernel import OPEN_TASK
from workflow.models import DossierProcess


@dataclass
class ProgressRow:
    dossier: Dossier
    criteria_met: int
    criteria_total: int
    steps: list[str]
    late: list[str]
    # The province's legal time limit (None before it received the dossier).
    legal: LegalLimit | None = None


def batch_dossiers(batch: Any) -> Any:
    """A batch's dossiers in the board's order (commune name; the id breaks ties, so that
    pages never overlap)."""
    return Dossier.objects.filter(batch=batch).order_by("commune__name", "pk")


def batch_progress(batch: Any, *, dossiers: Any = None) -> list[ProgressRow]:
    """For each commune of a batch (or of ``dossiers``, one page of them): criteria met out
    of total, where it stands, who is late; a fixed number of queries per page."""
    dossiers = list((batch_dossiers(batch) if dossiers is None else dossiers).select_related(
        "commune", "criteria_set", "regulation"))
    legal = legal_limits(dossiers)
    totals = {}
    for set_id, count in _criteria_counts({d.criteria_set_id for d in dossiers}).items():
        totals[set_id] = count
    items: dict[int, dict[int, list[str]]] = {}
    for item in CriterionAppraisal.objects.filter(dossier__in=dossiers).values(
            "dossier_id", "round", "criterion_id", "status"):
        items.setdefault(item["dossier_id"], {}).setdefault(
            (item["round"], item["criterion_id"]), []).append(item["status"])
    tasks = Task.objects.filter(process__in=DossierProcess.objects.filter(dossier__in=dossiers),
                                flow_task_type="HUMAN", status__in=OPEN_TASK)
    deadlines = open_task_deadlines(tasks=tasks, keep_undated=True)
    rows = []
    for dossier in dossiers:
        mine = [d for d in deadlines if d.dossier.pk == dossier.pk]
        met = sum(1 for (round_, _criterion), statuses in items.get(dossier.pk, {}).items()
                  if round_ == dossier.round and all(s == "met" for s in statuses))
        rows.append(ProgressRow(
            dossier, met, totals.get(dossier.criteria_set_id, 0),
            sorted({str(d.task.flow_task.task_title) for d in mine}),
            sorted({str(d.agency or d.task.owner) for d in mine if d.overdue}),
            legal.get(dossier.pk)))
    return rows


def _criteria_counts(set_ids: set[int]) -> dict[int, int]:
    return dict(Criterion.objects.filter(criteria_set_id__in=set_ids, retired=False)
                .values("criteria_set_id").annotate(n=Count("pk"))
                .values_list("criteria_set_id", "n"))
