"""The hash chain over audit events and the signed checkpoints of its head.

Each event's hash is an HMAC-SHA256, keyed with the audit key its ``key_id`` names (kept
outside the database, see ``audit.keys``), over its content, its primary key, its sequence
number and the previous event's hash. Someone who can write the database but does not hold
the key cannot write an event that verifies. Events written before keys existed carry no key
id and a plain SHA-256 hash: "legacy", accepted only before the first keyed event.

A checkpoint is the chain head (sequence, hash, time) signed with the audit signing key
(Ed25519) and e-mailed to the auditors: what was checkpointed can neither be cut from the end
nor rewritten without ``verify_chain`` saying so.

On PostgreSQL appends are serialised by a transaction advisory lock, so concurrent writers
still produce one unbroken chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from cryptography.exceptions import InvalidSignature
from django.db import connection, models
from django.db.models.fields.files import FieldFile

from .keys import Keyring, keyring
from .models import AuditCheckpoint, AuditEvent

GENESIS_HASH = "0" * 64
_ADVISORY_LOCK_KEY = 0x4E544D41  # "NTMA"
# How far from its place a reordered event, or from its neighbours' keys a changed primary
# key, is looked for when naming what happened (only after the chain is found broken).
SEARCH_WINDOW = 5000


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


def _payload(event: AuditEvent, seq: int) -> dict[str, Any]:
    return {
        "seq": seq,
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


def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def event_hash(event: AuditEvent, *, seq: int | None = None, pk: int | None = None,
               keys: Keyring | None = None) -> str:
    """The hash ``event`` must carry (``seq``/``pk`` as if it had those instead).

    Keyed events: HMAC-SHA256 with the key ``event.key_id`` names, over the content, the
    primary key, the key id and the previous hash. Legacy events (no key id): SHA-256 over
    the content without the primary key, as they were written. Raises ``UnknownKey``."""
    payload = _payload(event, event.seq if seq is None else seq)
    if not event.key_id:
        # Fields added later entered the legacy hash only when set.
        if event.request_path:
            payload["request_path"] = event.request_path
        if event.remote_addr:
            payload["remote_addr"] = event.remote_addr
        return hashlib.sha256(_canonical(payload)).hexdigest()
    payload["request_path"] = event.request_path
    payload["remote_addr"] = event.remote_addr
    payload["id"] = event.pk if pk is None else pk
    payload["key_id"] = event.key_id
    key = (keys or keyring()).hmac_key(event.key_id)
    return hmac.new(key, _canonical(payload), hashlib.sha256).hexdigest()


def lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


def next_event_id() -> int:
    """The primary key of the next event, taken before it is written so that its hash covers
    it (call under ``lock_chain``)."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            return cursor.fetchone()[0]
        highest = 0
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            highest = row[0] if row else 0
        cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 - the model's own table
        return max(highest, cursor.fetchone()[0] or 0) + 1


# --- checkpoints -----------------------------------------------------------------------------

def checkpoint_message(checkpoint: AuditCheckpoint) -> bytes:
    """What a checkpoint's signature covers."""
    return _canonical({"purpose": "ntm-audit-checkpoint", "seq": checkpoint.seq,
                       "hash": checkpoint.hash, "at": to_json(checkpoint.at),
                       "key_id": checkpoint.key_id})


def checkpoint_sign(checkpoint: AuditCheckpoint, keys: Keyring | None = None) -> None:
    keys = keys or keyring()
    checkpoint.key_id = keys.signing_key_id
    checkpoint.signature = keys.signing_key.sign(checkpoint_message(checkpoint)).hex()


def checkpoint_signature_ok(checkpoint: AuditCheckpoint, keys: Keyring | None = None) -> bool:
    public_key = (keys or keyring()).public_keys.get(checkpoint.key_id)
    if public_key is None:
        return False
    try:
        public_key.verify(bytes.fromhex(checkpoint.signature), checkpoint_message(checkpoint))
    except (InvalidSignature, ValueError):
        return False
    return True


# --- verification ----------------------------------------------------------------------------

# What ``verify_chain`` can find (``ChainReport.kind``).
MISSING = "missing"                # a gap in the numbering: events deleted
LINK = "link"                      # an authentic event whose link does not match
EDITED = "edited"                  # one event whose content does not match its keyed hash
PK_CHANGED = "pk_changed"          # an event whose primary key alone was changed
REORDERED = "reordered"            # an event written with another sequence number
RECHAINED = "rechained"            # a run of events re-hashed without the key
FORGED_APPEND = "forged_append"    # events at the end not written by the application
CUT_TAIL = "cut_tail"              # events removed from the end, below a checkpointed head
CHECKPOINT = "checkpoint"          # a checkpoint whose signature does not verify
UNKNOWN_KEY = "unknown_key"        # events naming a key that is not configured

KIND_NAMES = {
    MISSING: "deleted events", LINK: "broken link", EDITED: "edited event",
    PK_CHANGED: "changed primary key", REORDERED: "reordered events",
    RECHAINED: "re-chained segment", FORGED_APPEND: "forged append", CUT_TAIL: "cut tail",
    CHECKPOINT: "forged checkpoint", UNKNOWN_KEY: "unknown key",
}


@dataclass
class ChainReport:
    ok: bool
    count: int
    first_bad_seq: int | None = None
    problem: str = ""
    kind: str = ""
    legacy: int = 0
    checkpoints: int = 0
    head: tuple[int, str] | None = field(default=None, compare=False)


class _Stream:
    """An iterator one can look one item ahead in."""

    _END = object()

    def __init__(self, items: Iterable[AuditEvent]) -> None:
        self._it: Iterator[AuditEvent] = iter(items)
        self._next: Any = self._END

    def peek(self) -> AuditEvent | None:
        if self._next is self._END:
            self._next = next(self._it, None)
        return self._next

    def take(self) -> AuditEvent | None:
        item = self.peek()
        self._next = self._END
        return item


class _Verifier:
    def __init__(self, keys: Keyring, checkpoints: list[AuditCheckpoint]) -> None:
        self.keys = keys
        self.checkpoints = checkpoints
        self.keyed_seen = False
        self.legacy = 0

    def why_not_authentic(self, event: AuditEvent) -> str:
        """Empty when ``event`` carries the hash the application would have written."""
        if not event.key_id:
            if self.keyed_seen:
                return "it carries no keyed hash, yet keyed events were written before it"
        elif event.key_id not in self.keys.hmac_keys:
            return f"its key id {event.key_id!r} is not one of the audit keys"
        if not hmac.compare_digest(event_hash(event, keys=self.keys), event.hash):
            return ("its hash is not the one the application computes with its audit key"
                    if event.key_id else "its content does not match its hash")
        return ""

    def written_as_seq(self, event: AuditEvent) -> int | None:
        """The sequence number ``event`` verifies under, when it is not its own."""
        if event.key_id and event.key_id not in self.keys.hmac_keys:
            return None
        low = max(1, event.seq - SEARCH_WINDOW)
        for seq in range(low, event.seq + SEARCH_WINDOW):
            if seq != event.seq and hmac.compare_digest(
                    event_hash(event, seq=seq, keys=self.keys), event.hash):
                return seq
        return None

    def written_with_pk(self, event: AuditEvent, prev: AuditEvent | None,
                        after: AuditEvent | None) -> int | None:
        """The primary key a keyed ``event`` verifies under, between its neighbours' keys."""
        if not event.key_id or event.key_id not in self.keys.hmac_keys:
            return None
        low = (prev.pk + 1) if prev is not None and prev.pk is not None else 1
        high = after.pk if after is not None and after.pk is not None else low + SEARCH_WINDOW
        for pk in range(low, min(high, low + SEARCH_WINDOW)):
            if pk != event.pk and hmac.compare_digest(
                    event_hash(event, pk=pk, keys=self.keys), event.hash):
                return pk
        return None


def _fail(kind: str, count: int, seq: int, problem: str, verifier: _Verifier) -> ChainReport:
    return ChainReport(False, count, seq, f"{KIND_NAMES[kind]}: {problem}", kind,
                       verifier.legacy, len(verifier.checkpoints))


def verify_chain(events: Iterable[AuditEvent] | None = None,
                 checkpoints: Iterable[AuditCheckpoint] | None = None, *,
                 keys: Keyring | None = None) -> ChainReport:
    """Check every checkpoint's signature, every event in order (numbering, own keyed hash,
    link to the previous hash), and that every checkpointed head is still in the chain.

    Without arguments, the database's events and checkpoints; with ``events`` alone, no
    checkpoints. The first problem found is named (``ChainReport.kind``)."""
    keys = keys or keyring()
    if events is None:
        events = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
        if checkpoints is None:
            checkpoints = AuditCheckpoint.objects.order_by("seq", "at")
    verifier = _Verifier(keys, list(checkpoints or []))
    for checkpoint in verifier.checkpoints:
        if not checkpoint_signature_ok(checkpoint, keys):
            return _fail(CHECKPOINT, 0, checkpoint.seq,
                         f"the checkpoint of event #{checkpoint.seq} dated "
                         f"{to_json(checkpoint.at)} does not carry a valid signature of the "
                         "audit signing key (it was forged or altered)", verifier)
    heads: dict[int, list[AuditCheckpoint]] = {}
    for checkpoint in verifier.checkpoints:
        heads.setdefault(checkpoint.seq, []).append(checkpoint)

    stream = _Stream(events)
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    prev: AuditEvent | None = None
    while (event := stream.take()) is not None:
        if event.seq != expected_seq:
            return _fail(MISSING, count, event.seq,
                         f"expected event #{expected_seq}, found #{event.seq} "
                         "(an event was deleted or reordered)", verifier)
        why = verifier.why_not_authentic(event)
        if why:
            return _unauthentic(event, prev, stream, why, count, heads, verifier)
        if event.prev_hash != expected_prev:
            return _fail(LINK, count, event.seq,
                         "its link to the previous event does not match "
                         "(an event before it was changed, deleted or reordered)", verifier)
        for checkpoint in heads.get(event.seq, []):
            if checkpoint.hash != event.hash:
                return _fail(RECHAINED, count, event.seq,
                             f"event #{event.seq} is not the one checkpointed at "
                             f"{to_json(checkpoint.at)}: the chain was rewritten", verifier)
        if event.key_id:
            verifier.keyed_seen = True
        else:
            verifier.legacy += 1
        expected_prev, expected_seq, count, prev = event.hash, event.seq + 1, count + 1, event
    if heads and max(heads) > count:
        highest = max(heads)
        checkpoint = heads[highest][0]
        return _fail(CUT_TAIL, count, count + 1,
                     f"events #{count + 1} to #{highest} were removed from the end of the chain "
                     f"(the checkpoint signed at {to_json(checkpoint.at)} saw it reach "
                     f"#{highest}; {count} event(s) remain)", verifier)
    report = ChainReport(True, count, legacy=verifier.legacy,
                         checkpoints=len(verifier.checkpoints))
    if prev is not None:
        report.head = (prev.seq, prev.hash)
    return report


def _unauthentic(event: AuditEvent, prev: AuditEvent | None, stream: _Stream, why: str,
                 count: int, heads: dict[int, list[AuditCheckpoint]],
                 verifier: _Verifier) -> ChainReport:
    """Name what happened to ``event``, the first one whose own hash does not verify."""
    seq = event.seq
    written_as = verifier.written_as_seq(event)
    if written_as is not None:
        following = stream.peek()
        offset = written_as - seq
        if offset > 0 and (following is None or (
                following.prev_hash == event.hash
                and verifier.written_as_seq(following) == following.seq + offset)):
            return _fail(MISSING, count, seq,
                         f"the event stored as #{seq} was written as #{written_as}: "
                         f"{offset} event(s) before it were deleted and the events after "
                         "renumbered", verifier)
        return _fail(REORDERED, count, seq,
                     f"the event stored as #{seq} was written as #{written_as}", verifier)
    written_with = verifier.written_with_pk(event, prev, stream.peek())
    if written_with is not None:
        return _fail(PK_CHANGED, count, seq,
                     f"event #{seq} was written with primary key {written_with}, "
                     f"now {event.pk}", verifier)
    run = [event]
    while (following := stream.peek()) is not None and following.prev_hash == run[-1].hash \
            and following.seq == run[-1].seq + 1 and verifier.why_not_authentic(following):
        run.append(stream.take())
    first, last = run[0].seq, run[-1].seq
    span = f"#{first}" if first == last else f"#{first} to #{last}"
    covered = [c for s in range(first, last + 1) for c in heads.get(s, [])]
    after = stream.peek()
    if after is None and heads and max(heads) > last:
        return _fail(CUT_TAIL, count, seq,
                     f"the chain was cut below its checkpointed head #{max(heads)} and event(s) "
                     f"{span} written in place by something other than the application ({why})",
                     verifier)
    if after is None and not covered:
        return _fail(FORGED_APPEND, count, seq,
                     f"event(s) {span} at the end of the chain were not written by the "
                     f"application ({why})", verifier)
    if event.key_id and event.key_id not in verifier.keys.hmac_keys:
        return _fail(UNKNOWN_KEY, count, seq,
                     f"event(s) {span} name the audit key {event.key_id!r}, which is not "
                     "configured: a former key missing from NTM_AUDIT_HMAC_KEYS, or events not "
                     "written by the application", verifier)
    rehashed = any(c.hash != next(e.hash for e in run if e.seq == c.seq) for c in covered)
    if len(run) == 1 and not rehashed and (after is None or after.prev_hash == event.hash):
        return _fail(EDITED, count, seq,
                     f"event #{seq} does not match its hash: it was edited, or not written "
                     f"by the application ({why})", verifier)
    return _fail(RECHAINED, count, seq,
                 f"events {span} were changed and their hashes recomputed without the audit "
                 f"key ({why})", verifier)
