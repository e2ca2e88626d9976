"""Reads of the process: a person's tasks, in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from viewflow.workflow.models import Task

from dossiers.models import Dossier, Membership

from .kernel import OPEN_TASK


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


def dossier_open_tasks(dossier: Dossier) -> Any:
    """The open human tasks of every pass of ``dossier`` through the process."""
    return Task.objects.filter(process__in=dossier.processes.all(), flow_task_type="HUMAN",
                               status__in=OPEN_TASK)
