"""Custom viewflow nodes.

The open-source viewflow has no dynamic split; ``DynamicSplit`` creates one task per
item a callable returns (one appraisal per responsible department, one vote per
council member), each carrying its item in ``task.data``. ``AgencyTask`` is a human
task owned by an agency: any member may take it from the agency's queue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.split import SplitActivation

AGENCY_PERMISSION = "dossiers.act_for_agency"


class DynamicSplitActivation(SplitActivation):
    @Activation.status.super()
    def activate(self) -> None:
        for node, cond, data_source in self.flow_task._branches:
            if cond and not cond(self):
                continue
            if data_source is None:
                self.next_tasks.append((node, None))
            else:
                self.next_tasks.extend((node, dict(item)) for item in data_source(self))
        if not self.next_tasks:
            raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class DynamicSplit(flow.Split):
    """Parallel split whose branches may fan out into one task per data item."""

    activation_class = DynamicSplitActivation

    def Next(self, node: Any, case: Callable | None = None,  # noqa: N802 - viewflow API
             data_source: Callable[[Activation], list[dict]] | None = None) -> DynamicSplit:
        self._activate_next.append((node, case, data_source))
        return self

    def Each(self, node: Any, data_source: Callable[[Activation], list[dict]]) -> DynamicSplit:  # noqa: N802
        """One ``node`` task per item of ``data_source(activation)``."""
        return self.Next(node, data_source=data_source)


class AgencyTask(flow.View):
    """A human task owned by the agency ``agency(activation)`` returns."""

    def __init__(self, agency: Callable[[Activation], Any], **kwargs: Any) -> None:
        super().__init__(view=this.service_only_view, **kwargs)
        self._agency = agency
        self._owner_permission = AGENCY_PERMISSION

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)
        self._agency = this.resolve(instance, self._agency)

    def calc_owner_permission(self, activation: Activation) -> str:
        return AGENCY_PERMISSION

    def calc_owner_permission_obj(self, activation: Activation) -> Any:
        return self._agency(activation)

    def can_assign(self, user: Any, task: Any) -> bool:
        if task.owner_id or user is None or user.is_anonymous:
            return False
        return user.has_perm(AGENCY_PERMISSION, task.owner_permission_obj)


class MemberTask(flow.View):
    """A human task assigned straight to one person (a council member's vote)."""

    def __init__(self, owner: Callable[[Activation], Any], **kwargs: Any) -> None:
        super().__init__(view=this.service_only_view, **kwargs)
        self._owner = owner
