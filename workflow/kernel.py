"""The kernel that runs every step of ``dossiers.steps``.

``run_step`` is the skeleton every human step shares, written once:

1. lock the dossier's running process and the dossier row (one transaction);
2. check the actor's object right named by the row and find the agency they act for;
3. ``validate`` the step's own input (step-specific: empty reason, closed meeting...);
4. find the open task of the row's flow node;
5. refuse a transition the dossier's status does not allow;
6. evaluate the row's checks (``dossiers.conditions``) once, refusing with every reason;
7. ``apply`` the step's own writes (a vote, a confirmation, a decision...);
8. apply the row's transition through ``transition_apply`` (audited);
9. complete the task, so the flow runs on in the same transaction.

A step service in ``workflow.services`` supplies only what is truly its own: its input
checks, its writes and, for steps done item by item, when its task is complete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from django_fsm import can_proceed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from audit import trail
from dossiers import permissions
from dossiers.conditions import run_checks
from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.models import Agency, Dossier
from dossiers.steps import BY_NAME, StepRow
from dossiers.transitions import transition_apply

from .models import DossierProcess

T = TypeVar("T")
# The statuses of a task that is still to be done (viewflow's NEW, ASSIGNED, STARTED).
OPEN_TASK = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
SERVICES: dict[str, Callable[..., Any]] = {}


def serves(name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Register the service of step ``name`` (the pages and the API dispatch through it)."""
    if name not in BY_NAME:
        raise LookupError(f"no step {name!r} in dossiers.steps")

    def register(service: Callable[..., T]) -> Callable[..., T]:
        SERVICES[name] = service
        return service

    return register


@dataclass(frozen=True)
class StepContext:
    row: StepRow
    actor: Any
    dossier: Dossier
    process: DossierProcess
    agency: Agency
    on: Model


def running_process(dossier_pk: int) -> DossierProcess | None:
    return (DossierProcess.objects.filter(dossier_id=dossier_pk)
            .exclude(status__in=[STATUS.DONE, STATUS.CANCELED]).order_by("-pk").first())


@contextmanager
def dossier_locked(dossier: Dossier) -> Iterator[tuple[Dossier, DossierProcess]]:
    """Lock the dossier's running process and the dossier itself, in one transaction."""
    with transaction.atomic():
        process = running_process(dossier.pk)
        if process is None:
            # ``dossier`` may be a reference by primary key (``dossier_ref``): read its status.
            current = Dossier.objects.get(pk=dossier.pk)
            raise RuleViolation(_("The dossier has no running process: it is “%(status)s”.")
                                % {"status": current.get_status_display()})
        with process.flow_class.lock(process.pk):
            locked = Dossier.objects.select_for_update(of=("self",)).select_related(
                "commune__province", "criteria_set", "regulation", "batch").get(pk=dossier.pk)
            yield locked, process


def dossier_ref(obj: Model) -> Dossier:
    """The dossier ``obj`` belongs to, without reading it when it is not loaded yet:
    ``run_step`` reads (and locks) the row itself, so a step needs only its primary key."""
    cached = obj._state.fields_cache.get("dossier")
    return cached if cached is not None else Dossier(pk=obj.dossier_id)


def open_task(process: DossierProcess, node_name: str, *, owner: Agency | None = None,
              data: dict[str, Any] | None = None) -> Task:
    """The open task of flow node ``node_name``; for an agency's task, ``owner``'s; ``data``
    must match the task's data (one department's appraisal, one member's vote)."""
    node = getattr(process.flow_class, node_name)
    tasks = Task.objects.filter(process=process, flow_task=node, status__in=OPEN_TASK)
    if owner is not None:
        tasks = tasks.filter(owner_permission_obj_pk=str(owner.pk))
    for key, value in (data or {}).items():
        tasks = tasks.filter(**{f"data__{key}": value})
    task = tasks.order_by("pk").first()
    if task is not None:
        # The locked process (already the flow's own process class): viewflow reads
        # ``task.process`` and coerces it while completing the task.
        task.process = process
    if task is None:
        raise RuleViolation(_("There is no open “%(step)s” task for this dossier now (it is "
                              "“%(status)s”).") % {"step": node.task_title or node.name,
                                                   "status": process.dossier.get_status_display()})
    return task


def complete_task(task: Task, actor: Any, agency: Agency | None) -> None:
    """Take the task for ``actor`` if it is free, then complete it and run the flow on."""
    activation = task.flow_task.activation_class(task)
    if task.status == STATUS.NEW:
        if not task.flow_task.can_assign(actor, task):
            raise NotAllowed(_("This task belongs to another agency."))
        activation.assign(actor)
    elif task.owner_id != actor.pk:
        owner_agency = task.owner_permission_obj
        if owner_agency is None or not actor.has_perm("dossiers.act_for_agency", owner_agency):
            raise NotAllowed(_("This task is assigned to %(owner)s.") % {"owner": task.owner})
        previous = task.owner
        activation.reassign(actor)
        trail.record(actor=actor, agency=agency, action="task.reassign", obj=task,
                     dossier=task.process.coerced.dossier,
                     before={"owner": previous.pk, "owner_name": previous.get_username()},
                     after={"owner": actor.pk, "owner_name": actor.get_username()},
                     reason=_("taken over by a member of the same agency"))
    if task.status == STATUS.ASSIGNED:
        activation.start(None)
    with trail.acting_as(actor, agency):
        activation.execute()


def run_step(name: str, *, actor: Any, dossier: Dossier, on: Model | None = None,
             related: tuple[str, ...] = (),
             refusal: str | Callable[[Model], str] = "", validate: Callable[[StepContext], list[str]] | None = None,
             task_owner: Callable[[StepContext], Agency] | None = None,
             task_data: Callable[[StepContext], dict[str, Any]] | None = None,
             apply: Callable[[StepContext], T] | None = None,
             completes: Callable[[StepContext], bool] | None = None,
             reason: str = "", extra: Callable[[StepContext], dict[str, Any]] | None = None,
             ) -> T | Dossier:
    """Run step ``name`` for ``actor`` on ``dossier`` (see the module docstring).

    ``on`` is the object the row's right is checked on, read again under the dossier's lock
    (default: the dossier) with its ``related`` rows (what the step and its audit event's
    text read of it, in the same query); ``refusal`` is the message when the right is
    missing (or makes it from ``on``). Returns what ``apply`` returns, else the dossier."""
    row = BY_NAME[name]
    with dossier_locked(dossier) as (dossier, process):
        # Every step on a dossier holds its lock, so ``on`` read again now is current.
        target = dossier
        if on is not None:
            target = type(on).objects.select_related(*related).get(pk=on.pk)
            if getattr(target, "dossier_id", None) == dossier.pk:
                # Its dossier is the locked row (with commune and batch): not read again
                # when the target's text (the audit event's) or a check names it.
                target.dossier = dossier
        if callable(refusal):
            refusal = refusal(target)
        permissions.require(actor, row.permission, target, refusal or None)
        agency = permissions.step_agency(actor, actor=row.actor, dossier=dossier, on=target)
        context = StepContext(row, actor, dossier, process, agency, target)
        problems = validate(context) if validate else []
        if problems:
            raise RuleViolation(problems)
        task = open_task(process, row.node, owner=task_owner(context) if task_owner else None,
                         data=task_data(context) if task_data else None)
        if row.transition and not can_proceed(getattr(dossier, row.transition)):
            raise RuleViolation(_("Not possible while the dossier is “%(status)s”.")
                                % {"status": dossier.get_status_display()})
        problems = run_checks(row.checks, dossier)
        if problems:
            raise RuleViolation(problems)
        result = apply(context) if apply else dossier
        if row.transition:
            transition_apply(dossier, row.transition, actor=actor, agency=agency,
                             action=f"dossier.{row.transition}", reason=reason,
                             extra=extra(context) if extra else None)
        if completes is None or completes(context):
            complete_task(task, actor, agency)
    return result


def automatic_transition(*, dossier: Dossier, name: str, checks: tuple[str, ...],
                         reason: str) -> None:
    """A transition the flow makes by itself (inside a step's transaction), for whoever
    took the step that led to it."""
    actor, agency = trail.current_acting()
    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
    problems = run_checks(checks, dossier)
    if problems:
        raise RuleViolation(problems)
    transition_apply(dossier, name, actor=actor, agency=agency, action=f"dossier.{name}",
                     reason=reason)
