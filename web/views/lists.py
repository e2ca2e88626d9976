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

from dossiers.models import Batch, Dossier, Membership
from dossiers.selectors import visible_dossiers
from notifications.deadlines import TaskDeadline, open_task_deadlines
from workflow.flows import RecognitionFlow
from workflow.kernel import OPEN_TASK
from workflow.models import DossierProcess
from workflow.selectors import OpenTasks, TaskFilter, open_tasks_head, tasks_for

from ..list_forms import DossierFilter, InboxFilter

PAGE = 50
# An inbox of up to this many open tasks is shown whole, sorted as asked (see ``inbox``).
WINDOW = 500


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
    """The batches the filters offer: those of the provinces of the person's agencies (a
    batch is a province's calendar, not a dossier: nothing private is listed). Read from the
    memberships, not from every dossier the person may see, which a province has thousands of."""
    batches = Batch.objects.all()
    if not user.is_superuser:
        batches = batches.filter(province__in=Membership.objects.filter(user=user).values(
            "agency__province_id"))
    return batches.select_related("province").order_by(
        "-recognition_year", "number")


def _narrowing(data: dict[str, Any]) -> TaskFilter:
    return TaskFilter(node=getattr(RecognitionFlow, data["step"]) if data.get("step") else None,
                      batch_id=data["batch"].pk if data.get("batch") else None,
                      commune=data.get("commune", ""))


def _sort(rows: list[InboxRow], order: str) -> list[InboxRow]:
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


def _rows(head: OpenTasks) -> list[InboxRow]:
    """The tasks of ``head`` with their due dates, in ``head``'s order."""
    deadlines = {d.task.pk: d for d in open_task_deadlines(
        tasks=Task.objects.filter(pk__in=head.ids), keep_undated=True)}
    return [InboxRow(deadlines[pk], pk in head.mine) for pk in head.ids if pk in deadlines]


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Open tasks (mine and my agencies' queue) with due date and days left, filterable and
    sortable; completed work in its own tab; counts on each tab.

    Up to ``WINDOW`` open tasks (after the filters) are shown at once, sorted as asked, with
    the counts exact. Beyond that (a department at national scale), the tasks come oldest
    first a page at a time, the counts say "more than WINDOW" and sorting by due date asks
    for a narrower filter: the due date is computed from the batch calendar and the legal
    time limit when read (notifications.deadlines), so it has no index to sort a million
    tasks by, and no page may read them all."""
    form = InboxFilter(request.GET or None, batches=_batches(request.user))
    data = form.cleaned_data if form.is_valid() else {}
    narrow = _narrowing(data)
    head = open_tasks_head(request.user, limit=WINDOW, narrow=narrow)
    everything = head if narrow == TaskFilter() else open_tasks_head(request.user, limit=WINDOW)
    page = None
    if head.more:
        number = _page_number(request.GET.get("page"))
        shown = open_tasks_head(request.user, limit=number * PAGE, narrow=narrow)
        page = {"number": number, "has_previous": number > 1, "has_next": shown.more}
        rows = _rows(OpenTasks(shown.ids[(number - 1) * PAGE:], shown.mine, shown.more))
    else:
        rows = _sort(_rows(head), data.get("sort") or "due")
    if data.get("overdue"):
        rows = [r for r in rows if r.deadline.overdue]
    tab = "done" if request.GET.get("tab") == "done" else "open"
    query = request.GET.copy()
    query.pop("page", None)
    tasks = tasks_for(request.user)
    done_page = Paginator(tasks["done"], PAGE).get_page(request.GET.get("page"))
    done = open_task_deadlines(tasks=tasks["done"].filter(
        pk__in=[t.pk for t in done_page.object_list]), keep_undated=True) if tab == "done" else []
    done.sort(key=lambda d: d.task.finished, reverse=True)
    return render(request, "inbox.html", {
        "form": form, "tab": tab, "rows": rows, "total_open": len(everything.ids),
        "more_open": everything.more, "window": WINDOW, "open_page": page,
        "filter_query": query.urlencode(),
        "overdue_count": sum(1 for r in rows if r.deadline.overdue),
        "done": done, "done_page": done_page, "done_count": done_page.paginator.count,
        "mine": [r.deadline for r in rows if r.assigned_to_me],
        "queue": [r.deadline for r in rows if not r.assigned_to_me],
    })


def _page_number(text: str | None) -> int:
    # The pages of a large inbox: a bounded positive number (bad input gives the first page).
    if text and text.isascii() and text.isdigit() and len(text) <= 6:
        return max(1, int(text))
    return 1


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
