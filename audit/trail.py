"""The audit trail: every change the engine makes is recorded here, in the same transaction.

``record`` is the only way events are written; each event is linked into the hash chain
of ``audit.chain``, keyed with the current audit key (``audit.keys``). The request an event comes from and the person the engine acts for
during automatic steps are carried in context variables set by the middleware and by
``acting_as``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.utils import timezone

from .chain import chain_head_and_next_id, chain_of, event_hash, lock_chain, to_json
from .keys import keyring
from .models import AuditEvent


@dataclass(frozen=True)
class RequestInfo:
    id: str = ""
    method: str = ""
    path: str = ""
    remote_addr: str | None = None


_request: ContextVar[RequestInfo] = ContextVar(
    "audit_request", default=RequestInfo())  # noqa: B039 - frozen, never mutated
_acting: ContextVar[tuple[Any, Any] | None] = ContextVar("audit_acting", default=None)


class AuditError(RuntimeError):
    pass


@contextmanager
def request_context(request_id: str, method: str = "", path: str = "",
                    remote_addr: str | None = None) -> Iterator[None]:
    """The request that the events recorded inside this block come from."""
    token = _request.set(RequestInfo(request_id, method, path[:300], remote_addr))
    try:
        yield
    finally:
        _request.reset(token)


@contextmanager
def acting_as(actor: Any, agency: Any) -> Iterator[None]:
    """Who the engine acts for while it runs automatic steps triggered by a person."""
    token = _acting.set((actor, agency))
    try:
        yield
    finally:
        _acting.reset(token)


def current_acting() -> tuple[Any, Any]:
    return _acting.get() or (None, None)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of ``obj`` (foreign keys by id) as plain JSON."""
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        data[name] = to_json(getattr(obj, attname))
    return data


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None,
    agency: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    dossier: Any = None,
    province: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one event. Must run inside the transaction that makes the change.

    ``obj`` is the changed object; without one (a failed login), name it with
    ``object_type``, ``object_id`` and ``object_repr``."""
    if not connection.in_atomic_block:
        raise AuditError("audit.record must run inside the transaction that makes the change")
    if actor is None and agency is None:
        actor, agency = current_acting()
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(obj.pk)
        object_repr = str(obj)
        if dossier is None and object_type == "dossiers.dossier":
            dossier = obj
    if not object_type:
        raise AuditError("an audit event names the object it is about")
    province_id = province.pk if province is not None else _province_id_of(obj, dossier, agency)
    request = _request.get()
    keys = keyring()
    # The event's province chooses its chain; only that chain's appends wait for each other.
    chain = chain_of(province_id)
    lock_chain(chain)
    head_seq, head_hash, next_id = chain_head_and_next_id(chain)
    event = AuditEvent(
        id=next_id,
        chain=chain,
        seq=head_seq + 1,
        at=timezone.now(),
        actor=actor,
        actor_name=(actor.get_username() if actor is not None else "system"),
        agency_id=agency.pk if agency is not None else None,
        agency_name=str(agency) if agency is not None else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        dossier_id=dossier.pk if dossier is not None else None,
        province_id=province_id,
        before=to_json(before) if before is not None else None,
        after=to_json(after) if after is not None else None,
        reason=str(reason or ""),
        request_id=request.id,
        request_path=request.path,
        remote_addr=request.remote_addr,
        prev_hash=head_hash,
        key_id=keys.hmac_key_id,
    )
    event.hash = event_hash(event, keys=keys)
    event.save(force_insert=True)
    return event


def _province_id_of(obj: models.Model | None, dossier: Any, agency: Any) -> int | None:
    """The province an event belongs to (whose reviewers may read it), read from the
    object's own ``province`` or its council's, else from the acting agency's."""
    if dossier is not None:
        return dossier.commune.province_id
    if obj is not None:
        if obj._meta.label_lower == "dossiers.province":
            return obj.pk
        if getattr(obj, "province_id", None) is not None:
            return obj.province_id
        council = getattr(obj, "council", None)
        if council is not None:
            return council.province_id
    return agency.province_id if agency is not None else None
