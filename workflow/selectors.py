"""Reads of the process: a person's tasks, in a fixed number of queries.

A province can hold a million open tasks, so no read here loads them all: each of a person's
task sources (assigned to them; each of their agencies' queues) is read in task order with a
LIMIT along its own partial index (migration ``0006_open_task_indexes``), and the few heads
are merged in Python. The cost of a read grows with the number of rows asked for, not with
the number of open tasks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from dossiers.models import Dossier, Membership

from .kernel import OPEN_TASK
from .nodes import AGENCY_PERMISSION

# The path from a task to its dossier (viewflow's process, then our DossierProcess).
TO_DOSSIER = "process__dossierprocess__dossier"


def _agency_ids(user: Any) -> list[str]:
    # viewflow keeps the queue's agency as text (owner_permission_obj_pk).
    return [str(pk) for pk in Membership.objects.filter(user=user).values_list(
        "agency_id", flat=True).order_by("agency_id")]


def tasks_for(user: Any, *, dossier: Dossier | None = None) -> dict[str, Any]:
    """A person's tasks: assigned to them, free in their agencies' queues, done by them."""
    agency_ids = _agency_ids(user)
    human = Task.objects.filter(flow_task_type="HUMAN")
    if dossier is not None:
        human = human.filter(process__in=dossier.processes.all())
    mine = human.filter(owner=user, status__in=[STATUS.ASSIGNED, STATUS.STARTED])
    queue = human.filter(status=STATUS.NEW).filter(
        Q(owner_permission=AGENCY_PERMISSION, owner_permission_obj_pk__in=agency_ids))
    done = human.filter(owner=user, status=STATUS.DONE).order_by("-finished")
    return {"mine": mine, "queue": queue, "done": done}


@dataclass(frozen=True)
class TaskFilter:
    """What narrows a person's open tasks, applied in the database."""

    node: Any = None  # a flow node (``RecognitionFlow.<name>``)
    batch_id: int | None = None
    dossier_id: int | None = None
    commune: str = ""  # part of the commune's name, or its exact code

    def apply(self, tasks: Any) -> Any:
        if self.node is not None:
            tasks = tasks.filter(flow_task=self.node)
        if self.batch_id is not None:
            tasks = tasks.filter(**{f"{TO_DOSSIER}__batch_id": self.batch_id})
        if self.dossier_id is not None:
            tasks = tasks.filter(**{f"{TO_DOSSIER}_id": self.dossier_id})
        if self.commune:
            tasks = tasks.filter(Q(**{f"{TO_DOSSIER}__commune__name__icontains": self.commune})
                                 | Q(**{f"{TO_DOSSIER}__commune__code": self.commune}))
        return tasks


@dataclass(frozen=True)
class OpenTasks:
    """The ids of a person's first ``limit`` open tasks, oldest first, and whether there are
    more. ``mine`` holds those assigned to the person (the others are queue tasks)."""

    ids: list[int]
    mine: frozenset[int]
    more: bool


def open_tasks_head(user: Any, *, limit: int, queue: str | None = None,
                    narrow: TaskFilter | None = None) -> OpenTasks:
    """The person's first ``limit`` open tasks' ids (assigned to them, then free in their agencies'
    queues, merged in task order), in ``1 + sources`` index-bounded queries.

    Each source is one ``ORDER BY id LIMIT limit + 1`` along its partial index: tasks assigned
    to a person (``owner_id, id``) or free in one agency's queue (``owner_permission_obj_pk,
    id``). One query per agency, not one ``IN`` over all of them: PostgreSQL cannot merge
    several ordered index ranges, so an ``IN`` would sort every open task of the agencies."""
    narrow = narrow or TaskFilter()
    human = Task.objects.filter(flow_task_type="HUMAN")
    sources = []
    if queue in (None, "mine"):
        sources.append(("mine", human.filter(owner=user,
                                             status__in=[STATUS.ASSIGNED, STATUS.STARTED])))
    if queue in (None, "queue"):
        sources += [("queue", human.filter(status=STATUS.NEW, owner_permission=AGENCY_PERMISSION,
                                           owner_permission_obj_pk=agency_id))
                    for agency_id in _agency_ids(user)]
    heads: list[tuple[int, str]] = []
    for name, tasks in sources:
        ids = narrow.apply(tasks).order_by("pk").values_list("pk", flat=True)[:limit + 1]
        heads += [(pk, name) for pk in ids]
    heads.sort()
    wanted = heads[:limit]
    return OpenTasks([pk for pk, _name in wanted], frozenset(pk for pk, name in wanted if name == "mine"),
                     len(heads) > limit)


def dossier_open_tasks(dossier: Dossier) -> Any:
    """The open human tasks of every pass of ``dossier`` through the process."""
    return Task.objects.filter(process__in=dossier.processes.all(), flow_task_type="HUMAN",
                               status__in=OPEN_TASK)
