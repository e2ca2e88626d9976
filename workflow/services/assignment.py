"""Assignment: the coordination office gives an agency's open task to one of its members."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from audit import trail
from dossiers import permissions
from dossiers.exceptions import RuleViolation
from dossiers.steps import Actor

from ..kernel import dossier_locked


def task_reassign(*, actor: Any, task: Task, to: Any | None, reason: str) -> Task:
    """The coordination office gives an agency's open task to one of its members (or frees it)."""
    process = task.process.coerced
    with dossier_locked(process.dossier) as (dossier, _process):
        task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
        permissions.require(actor, "coordinate_dossier", dossier)
        agency = permissions.step_agency(actor, actor=Actor.COORDINATION_OFFICE, dossier=dossier,
                                         on=dossier)
        if task.status not in (STATUS.NEW, STATUS.ASSIGNED) or task.flow_task_type != "HUMAN":
            raise RuleViolation(_("Only an open task that nobody has started can be reassigned."))
        if not reason.strip():
            raise RuleViolation(_("Say why the task is reassigned."))
        owner_agency = task.owner_permission_obj
        if to is not None and (owner_agency is None or
                               not to.has_perm("dossiers.act_for_agency", owner_agency)):
            raise RuleViolation(_("%(user)s does not act for %(agency)s.")
                                % {"user": to, "agency": owner_agency})
        before = {"owner": task.owner_id,
                  "owner_name": task.owner.get_username() if task.owner_id else None}
        activation = task.flow_task.activation_class(task)
        if to is None:
            if task.status == STATUS.ASSIGNED:
                activation.unassign()
        elif task.status == STATUS.NEW:
            activation.assign(to)
        else:
            activation.reassign(to)
        trail.record(actor=actor, agency=agency, action="task.reassign", obj=task,
                     dossier=dossier, before=before,
                     after={"owner": to.pk if to else None,
                            "owner_name": to.get_username() if to else None},
                     reason=reason)
    return task
