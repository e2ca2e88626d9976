"""A person leaves: their account is deactivated and their open tasks go back to their
agencies' queues (viewflow tasks unassigned), in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from audit import trail
from dossiers.services.people import account_set_active


@transaction.atomic
def member_deactivate(*, actor: Any, person: Any, reason: str) -> list[Task]:
    """Deactivate ``person`` (rights gone at once, audited) and return each task assigned to
    them to the queue of the agency it belongs to. Returns the tasks returned."""
    account_set_active(actor=actor, person=person, active=False, reason=reason)
    returned = []
    for task in (Task.objects.select_for_update(of=("self",))
                 .filter(owner=person, status=STATUS.ASSIGNED).order_by("pk")):
        task.flow_task.activation_class(task).unassign()
        process = task.process.coerced
        trail.record(actor=actor, action="task.unassign", obj=task,
                     dossier=getattr(process, "dossier", None),
                     before={"owner": person.pk, "owner_name": person.get_username()},
                     after={"owner": None, "owner_name": None}, reason=reason)
        returned.append(task)
    return returned
