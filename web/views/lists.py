"""Where a person finds work: the inbox (open tasks with their due dates, completed work in
its own tab) and the dossier list with search, both limited to what the person may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from viewflow.workflow.models import Task

from dossiers.models import Batch, Dossier
from dossiers.selectors import visible_dossiers
from notifications.deadlines import TaskDeadline, open_task_deadlines
from workflow.kernel import OPEN_TASK
from workflow.models import DossierProcess
from workflow.selectors import tasks_for

from ..list_forms import DossierFilter, InboxFilter

PAGE = 50


@dataclass(frozen=True)
class InboxRow:
    """One open task as the inbox shows it: whose it is and how many days are left."""

    deadline: TaskDeadline
    assigned_to_me: bool

    @property
    def days_left(self) -> int | None:
        due = self.deadline.due_on
        return None if due is None else (due - timezone.localdate()).days

    @property
    def days_late(self) -> int:
        return -(self.days_left or 0)


def _batches(user: Any) -> Any:
    return Batch.objects.filter(dossiers__in=visible_dossiers(user)).distinct().select_related(
        "province")


def _narrow(rows: list[InboxRow], data: dict[str, Any]) -> list[InboxRow]:
    if data.get("step"):
        rows = [r for r in rows if r.deadline.task.flow_task.name == data["step"]]
    if data.get("batch"):
        rows = [r for r in rows if r.deadline.dossier.batch_id == data["batch"].pk]
    if data.get("commune"):
        needle = data["commune"].casefold()
        rows = [r for r in rows if needle in r.deadline.dossier.commune.name.casefold()
                or needle == r.deadline.dossier.commune.code]
    if data.get("overdue"):
        rows = [r for r in rows if r.deadline.overdue]
    order = data.get("sort") or "due"
    far = timezone.localdate().replace(year=9999)
    if order in ("due", "-due"):
        rows.sort(key=lambda r: (r.deadline.due_on or far, r.deadline.dossier.commune.name),
                  reverse=order == "-due")
    elif order == "commune":
        rows.sort(key=lambda r: (r.deadline.dossier.commune.name, r.deadline.due_on or far))
    else:
        rows.sort(key=lambda r: (str(r.deadline.task.flow_task.task_title),
                                 r.deadline.due_on or far))
    return rows


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Open tasks (mine and my agencies' queue) with due date and days left, filterable and
    sortable; completed work in its own tab; counts on each tab."""
    form = InboxFilter(request.GET or None, batches=_batches(request.user))
    data = form.cleaned_data if form.is_valid() else {}
    tasks = tasks_for(request.user)
    rows = [InboxRow(d, True) for d in open_task_deadlines(tasks=tasks["mine"],
                                                           keep_undated=True)]
    rows += [InboxRow(d, False) for d in open_task_deadlines(tasks=tasks["queue"],
                                                            keep_undated=True)]
    total_open = len(rows)
    rows = _narrow(rows, data)
    tab = "done" if request.GET.get("tab") == "done" else "open"
    done_page = Paginator(tasks["done"], PAGE).get_page(request.GET.get("page"))
    done = open_task_deadlines(tasks=tasks["done"].filter(
        pk__in=[t.pk for t in done_page.object_list]), keep_undated=True) if tab == "done" else []
    done.sort(key=lambda d: d.task.finished, reverse=True)
    return render(request, "inbox.html", {
        "form": form, "tab": tab, "rows": rows, "total_open": total_open,
        "overdue_count": sum(1 for r in rows if r.deadline.overdue),
        "done": done, "done_page": done_page, "done_count": done_page.paginator.count,
        "mine": [r.deadline for r in rows if r.assigned_to_me],
        "queue": [r.deadline for r in rows if not r.assigned_to_me],
    })


@require_GET
@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    """Every dossier the person may read, searchable by commune, code or number, filterable
    by level, batch, status and lateness, with each one's nearest due date."""
    form = DossierFilter(request.GET or None, batches=_batches(request.user))
    data = form.cleaned_data if form.is_valid() else {}
    dossiers = visible_dossiers(request.user).select_related(
        "commune__province", "batch").order_by("-batch__recognition_year", "commune__name")
    q = data.get("q", "")
    number = q.removeprefix("#")
    if number.isdigit() and len(number) <= 9:  # a dossier number or a commune code
        dossiers = dossiers.filter(Q(pk=int(number)) | Q(commune__code=number))
    elif q:
        dossiers = dossiers.filter(commune__name__icontains=q)
    for key in ("level", "batch", "status"):
        if data.get(key):
            dossiers = dossiers.filter(**{key: data[key]})
    if data.get("overdue"):
        late = {dossier_id for dossier_id, d in _nearest_due(dossiers).items() if d.overdue}
        dossiers = dossiers.filter(pk__in=late)
    page = Paginator(dossiers, PAGE).get_page(request.GET.get("page"))
    nearest = _nearest_due(Dossier.objects.filter(pk__in=[d.pk for d in page.object_list]))
    return render(request, "dossiers/list.html", {
        "form": form, "page": page,
        "rows": [(d, nearest.get(d.pk)) for d in page.object_list],
    })


def _nearest_due(dossiers: Any) -> dict[int, TaskDeadline]:
    """Each dossier's open step with the earliest due date (a fixed number of queries)."""
    tasks = Task.objects.filter(
        process__in=DossierProcess.objects.filter(dossier__in=dossiers).values("pk"),
        flow_task_type="HUMAN", status__in=OPEN_TASK)
    nearest: dict[int, TaskDeadline] = {}
    for d in open_task_deadlines(tasks=tasks):
        held = nearest.get(d.dossier.pk)
        if held is None or d.due_on < held.due_on:
            nearest[d.dossier.pk] = d
    return nearest
