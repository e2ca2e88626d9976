"""The hash chain over audit events: each event's hash covers its content and the previous
event's hash, so ``verify_chain`` finds any edited, deleted or reordered row. On PostgreSQL
appends are serialised by a transaction advisory lock, so concurrent writers still produce
one unbroken chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import connection, models
from django.db.models.fields.files import FieldFile

from .models import AuditEvent

GENESIS_HASH = "0" * 64
_ADVISORY_LOCK_KEY = 0x4E544D41  # "NTMA"


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


def lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


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


