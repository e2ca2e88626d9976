"""The audit trail: every change the engine makes is recorded here, in the same transaction.

``record`` is the only way events are written. Events form a hash chain: each event's
hash covers its content and the previous event's hash, so ``verify_chain`` finds any
edited, deleted or reordered row. On PostgreSQL appends are serialised by a transaction
advisory lock, so concurrent writers still produce one unbroken chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import connection, models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .models import AuditEvent

GENESIS_HASH = "0" * 64
_ADVISORY_LOCK_KEY = 0x4E544D41  # "NTMA"

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


def to_json(value: Any) -> Any:
    """Plain JSON that hashes the same after a round trip through any database."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float | Decimal | Fraction):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, Iterable):
        return [to_json(v) for v in value]
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of ``obj`` (foreign keys by id) as plain JSON."""
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        data[name] = to_json(getattr(obj, attname))
    return data


def event_hash(event: AuditEvent) -> str:
    payload = {
        "seq": event.seq,
        "at": to_json(event.at),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "agency": event.agency_id,
        "agency_name": event.agency_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "dossier": event.dossier_id,
        "province": event.province_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
    }
    # Fields added later enter the hash only when set, so older events still verify.
    if event.request_path:
        payload["request_path"] = event.request_path
    if event.remote_addr:
        payload["remote_addr"] = event.remote_addr
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


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
    if province is None:
        province = _province_of(obj, dossier, agency)
    request = _request.get()
    _lock_chain()
    last = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
    event = AuditEvent(
        seq=(last["seq"] + 1) if last else 1,
        at=timezone.now(),
        actor=actor,
        actor_name=(actor.get_username() if actor is not None else "system"),
        agency=agency,
        agency_name=str(agency) if agency is not None else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        dossier=dossier,
        province=province,
        before=to_json(before) if before is not None else None,
        after=to_json(after) if after is not None else None,
        reason=reason or "",
        request_id=request.id,
        request_path=request.path,
        remote_addr=request.remote_addr,
        prev_hash=last["hash"] if last else GENESIS_HASH,
    )
    event.hash = event_hash(event)
    event.save(force_insert=True)
    return event


def _province_of(obj: models.Model | None, dossier: Any, agency: Any) -> Any:
    if dossier is not None:
        return dossier.commune.province
    if obj is None:
        return agency.province if agency is not None else None
    for attr in ("province", "council"):
        value = getattr(obj, attr, None)
        if value is not None:
            return value if attr == "province" else value.province
    if obj._meta.label_lower == "dossiers.province":
        return obj
    return agency.province if agency is not None else None


@dataclass
class ChainReport:
    ok: bool
    count: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(events: Iterable[AuditEvent] | None = None) -> ChainReport:
    """Check every event in order: numbering, link to the previous hash, own hash."""
    if events is None:
        events = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for event in events:
        if event.seq != expected_seq:
            return ChainReport(False, count, event.seq,
                               f"expected event #{expected_seq}, found #{event.seq} "
                               "(an event was deleted or reordered)")
        if event.prev_hash != expected_prev:
            return ChainReport(False, count, event.seq,
                               "its link to the previous event does not match "
                               "(an event before it was changed, deleted or reordered)")
        if event_hash(event) != event.hash:
            return ChainReport(False, count, event.seq,
                               "its content does not match its hash (the event was edited)")
        expected_prev = event.hash
        expected_seq += 1
        count += 1
    return ChainReport(True, count)


