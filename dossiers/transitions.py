"""The one path by which any state machine of the domain moves, and is audited.

Dossiers, appraisal items, agenda items, meetings and revocations change status only
through ``transition_apply``: it refuses a transition the current state does not allow,
applies it, saves, and records the audit event (the model's ``audit_fields`` before and
after) in the caller's transaction. A service cannot move a status and forget its event.
Rule checks are not repeated here: the steps evaluate them once (``workflow.kernel``).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from audit import trail

from .exceptions import RuleViolation


def transition_apply(obj: models.Model, name: str, *, actor: Any, agency: Any,
                     action: str = "", reason: str = "", changes: dict[str, Any] | None = None,
                     extra: dict[str, Any] | None = None, dossier: Any = None,
                     refusal: str = "") -> None:
    """Apply transition ``name`` of ``obj`` and audit it as ``action`` (default
    ``<model>.<transition>``). ``changes`` are fields set together with the transition (shown
    before and after when audited); ``extra`` adds facts to the event's "after"."""
    method = getattr(obj, name)
    if not can_proceed(method):
        raise RuleViolation(refusal or _("Not possible while “%(object)s” is “%(status)s”.") % {
            "object": obj, "status": _status_display(obj)})
    fields = getattr(type(obj), "audit_fields", ())
    before = trail.snapshot(obj, fields)
    for field, value in (changes or {}).items():
        setattr(obj, field, value)
    method()
    obj.save()
    trail.record(actor=actor, agency=agency, action=action or f"{obj._meta.model_name}.{name}",
                 obj=obj, before=before, after={**trail.snapshot(obj, fields), **(extra or {})},
                 reason=reason, dossier=dossier if dossier is not None else getattr(obj, "dossier", None))


def _status_display(obj: models.Model) -> str:
    for name in ("status", "result"):
        display = getattr(obj, f"get_{name}_display", None)
        if display is not None:
            return str(display())
    return ""
