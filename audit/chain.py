"""The hash chain over audit events and the signed checkpoints of its head.

Each event's hash is an HMAC-SHA256, keyed with the audit key its ``key_id`` names (kept
outside the database, see ``audit.keys``), over its content, its primary key, its sequence
number and the previous event's hash. Someone who can write the database but does not hold
the key cannot write an event that verifies. Events written before keys existed carry no key
id and a plain SHA-256 hash: "legacy", accepted only before the first keyed event.

A checkpoint is the chain head (sequence, hash, time) signed with the audit signing key
(Ed25519) and e-mailed to the auditors: what was checkpointed can neither be cut from the end
nor rewritten without ``verify_chain`` saying so.

The trail is partitioned into independent chains: one per province (``AuditEvent.chain`` is
the province's id) and the national chain (``NATIONAL``, 0) for events without a province
(sign-ins of users without one, system tasks, checkpoints) and for every event written
before the partition (migration ``audit.0005``: they form the national chain's first
segment, unchanged). Each chain has its own numbering (``seq`` from 1), its own link
(``prev_hash``) and its own lock: on PostgreSQL appends to one chain are serialised by a
transaction advisory lock keyed by the chain, so one province's writes never wait for
another's. A checkpoint signs the heads of every chain at once, and the overall head (a hash
over all chain heads), see ``overall_head``."""

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
NATIONAL = 0  # the chain of events without a province (and of every event before chains)
_ADVISORY_LOCK_KEY = 0x4E544D41  # "NTMA": the first half of each chain's advisory lock key
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


def chain_of(province_id: int | None) -> int:
    """The chain an event about ``province_id`` is appended to."""
    return province_id if province_id is not None else NATIONAL


def chain_label(chain: int) -> str:
    return "the national chain" if chain == NATIONAL else f"the chain of province id {chain}"


def _payload(event: AuditEvent, seq: int) -> dict[str, Any]:
    payload = {
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
    # The chain key enters the hash of every event outside the national chain (so an event
    # cannot be moved to another chain); national events hash as they always did.
    if event.chain != NATIONAL:
        payload["chain"] = event.chain
    return payload


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


def lock_chain(chain: int) -> None:
    """Serialise the appends to ``chain`` until the transaction ends (PostgreSQL; SQLite
    serialises every writer anyway). The two-key form of the advisory lock: the product's
    key and the chain, so the chains of different provinces never wait for each other."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ADVISORY_LOCK_KEY, chain])


def chain_head_and_next_id(chain: int) -> tuple[int, str, int]:
    """The head of ``chain`` (its last sequence number and hash; 0 and the genesis hash when
    empty) and the primary key of the next event, taken before it is written so that its
    hash covers it: one statement (call under ``lock_chain``). The head is found through the
    unique (chain, seq) index, backwards: one index probe, whatever the trail's size."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT h.seq, h.hash, nextval(pg_get_serial_sequence(%s, 'id')) "  # noqa: S608
                f"FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT seq, hash FROM {table} "
                f"WHERE chain = %s ORDER BY seq DESC LIMIT 1) AS h ON true", [table, chain])
            seq, digest, next_id = cursor.fetchone()
        else:
            # SQLite: the next id is past both the highest id and any id ever handed out
            # (sqlite_sequence, AUTOINCREMENT), so a deleted last event's id is not reused.
            cursor.execute(
                f"SELECT h.seq, h.hash, MAX(COALESCE((SELECT seq FROM sqlite_sequence "  # noqa: S608
                f"WHERE name = %s), 0), COALESCE((SELECT MAX(id) FROM {table}), 0)) + 1 "
                f"FROM (SELECT 1) AS one LEFT JOIN (SELECT seq, hash FROM {table} "
                f"WHERE chain = %s ORDER BY seq DESC LIMIT 1) AS h ON 1", [table, chain])
            seq, digest, next_id = cursor.fetchone()
    return (seq or 0), (digest or GENESIS_HASH), next_id


# --- checkpoints -----------------------------------------------------------------------------

Heads = dict[int, tuple[int, str]]  # chain → (sequence, hash) of its last event


def overall_head(heads: Heads, at: dt.datetime) -> str:
    """One hash over the heads of every chain at a checkpoint: what the auditors keep."""
    return hashlib.sha256(_canonical({
        "purpose": "ntm-audit-overall-head", "at": to_json(at),
        "heads": [[chain, seq, digest] for chain, (seq, digest) in sorted(heads.items())],
    })).hexdigest()


def checkpoint_message(checkpoint: AuditCheckpoint) -> bytes:
    """What a checkpoint's signature covers: since chains, the overall head over every chain
    head signed together (each of the checkpoint's rows carries it); before, the one head."""
    if checkpoint.overall:
        return _canonical({"purpose": "ntm-audit-checkpoint", "overall": checkpoint.overall,
                           "at": to_json(checkpoint.at), "key_id": checkpoint.key_id})
    return _canonical({"purpose": "ntm-audit-checkpoint", "seq": checkpoint.seq,
                       "hash": checkpoint.hash, "at": to_json(checkpoint.at),
                       "key_id": checkpoint.key_id})


def checkpoint_sign(checkpoint: AuditCheckpoint, keys: Keyring | None = None) -> None:
    keys = keys or keyring()
    checkpoint.key_id = keys.signing_key_id
    checkpoint.signature = keys.signing_key.sign(checkpoint_message(checkpoint)).hex()


def checkpoint_rows(heads: Heads, at: dt.datetime, keys: Keyring | None = None,
                    ) -> list[AuditCheckpoint]:
    """The rows of one checkpoint: a row per chain head, all carrying the overall head and
    the one signature over it."""
    overall = overall_head(heads, at)
    rows = [AuditCheckpoint(chain=chain, seq=seq, hash=digest, at=at, overall=overall)
            for chain, (seq, digest) in sorted(heads.items())]
    checkpoint_sign(rows[0], keys)
    for row in rows[1:]:
        row.key_id, row.signature = rows[0].key_id, rows[0].signature
    return rows


def checkpoint_signature_ok(checkpoint: AuditCheckpoint, keys: Keyring | None = None) -> bool:
    public_key = (keys or keyring()).public_keys.get(checkpoint.key_id)
    if public_key is None:
        return False
    try:
        public_key.verify(bytes.fromhex(checkpoint.signature), checkpoint_message(checkpoint))
    except (InvalidSignature, ValueError):
        return False
    return True


def checkpoint_set_problem(rows: list[AuditCheckpoint]) -> str:
    """Empty when the rows signed together still hash to the overall head they carry (no
    chain's head was removed from, added to or changed in the checkpoint)."""
    heads = {row.chain: (row.seq, row.hash) for row in rows}
    if len(heads) != len(rows) or overall_head(heads, rows[0].at) != rows[0].overall:
        return (f"the checkpoint signed at {to_json(rows[0].at)} no longer holds the chain "
                "heads it was signed with (a chain's head was removed, added or changed)")
    return ""


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
    """What ``verify_chain`` found. When every chain verifies: ``count`` events in all, the
    ``heads`` of every chain. Else the first broken chain's report (``chain``, ``count`` its
    intact events before the problem), with every broken chain's in ``broken``."""

    ok: bool
    count: int
    first_bad_seq: int | None = None
    problem: str = ""
    kind: str = ""
    legacy: int = 0
    checkpoints: int = 0
    chain: int | None = None
    heads: Heads = field(default_factory=dict, compare=False)
    broken: list[ChainReport] = field(default_factory=list, compare=False)

    @property
    def where(self) -> str:
        return chain_label(self.chain if self.chain is not None else NATIONAL)


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
    """The state of one chain's verification."""

    def __init__(self, keys: Keyring, chain: int) -> None:
        self.keys = keys
        self.chain = chain
        self.keyed_seen = False
        self.legacy = 0

    def why_not_authentic(self, event: AuditEvent) -> str:
        """Empty when ``event`` carries the hash the application would have written."""
        if not event.key_id:
            if self.chain != NATIONAL:
                return ("it carries no keyed hash, and only the national chain's first events "
                        "predate the audit keys")
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
                       verifier.legacy, chain=verifier.chain)


def _checkpoint_sets(checkpoints: list[AuditCheckpoint]) -> list[list[AuditCheckpoint]]:
    """The checkpoints as signed: the rows of one signature together (each older, single-head
    checkpoint alone)."""
    sets: dict[Any, list[AuditCheckpoint]] = {}
    for row in checkpoints:
        key = (row.overall, row.at, row.signature) if row.overall else ("row", id(row))
        sets.setdefault(key, []).append(row)
    return list(sets.values())


def _checkpoint_problem(sets: list[list[AuditCheckpoint]], keys: Keyring) -> ChainReport | None:
    for rows in sets:
        for row in rows:
            problem = ""
            if not checkpoint_signature_ok(row, keys):
                problem = (f"the checkpoint of event #{row.seq} dated {to_json(row.at)} does not "
                           "carry a valid signature of the audit signing key (it was forged or "
                           "altered)")
            elif row.overall:
                problem = checkpoint_set_problem(rows)
            if problem:
                return ChainReport(False, 0, row.seq, f"{KIND_NAMES[CHECKPOINT]}: {problem}",
                                   CHECKPOINT, checkpoints=len(sets), chain=row.chain)
    return None


def verify_chain(events: Iterable[AuditEvent] | None = None,
                 checkpoints: Iterable[AuditCheckpoint] | None = None, *,
                 keys: Keyring | None = None) -> ChainReport:
    """Check every checkpoint's signature (and that each still holds the chain heads it was
    signed with), then every chain: every event in order (numbering, own keyed hash, link to
    the previous hash), and that every checkpointed head of the chain is still in it.

    Without arguments, the database's events and checkpoints; with ``events`` alone, no
    checkpoints. Every chain is verified; the first broken one is reported, its problem
    named (``ChainReport.kind``), and all broken ones listed in ``ChainReport.broken``."""
    keys = keys or keyring()
    if events is None and checkpoints is None:
        checkpoints = AuditCheckpoint.objects.order_by("at", "chain", "seq")
    checkpoint_list = list(checkpoints or [])
    sets = _checkpoint_sets(checkpoint_list)
    failed = _checkpoint_problem(sets, keys)
    if failed is not None:
        return failed
    checkpointed: dict[int, dict[int, list[AuditCheckpoint]]] = {}
    for row in checkpoint_list:
        checkpointed.setdefault(row.chain, {}).setdefault(row.seq, []).append(row)

    if events is None:
        # One pass per chain, in its own order, through the unique (chain, seq) index.
        chains = set(AuditEvent.objects.order_by().values_list("chain", flat=True).distinct())
        streams: Iterable[tuple[int, Iterable[AuditEvent]]] = (
            (chain, AuditEvent.objects.filter(chain=chain).order_by("seq")
             .iterator(chunk_size=2000))
            for chain in sorted(chains | set(checkpointed)))
    else:
        grouped: dict[int, list[AuditEvent]] = {}
        for event in events:
            grouped.setdefault(event.chain, []).append(event)
        streams = ((chain, grouped.get(chain, []))
                   for chain in sorted(set(grouped) | set(checkpointed)))

    total, legacy, heads, broken = 0, 0, {}, []
    for chain, stream in streams:
        report = _verify_one(chain, stream, checkpointed.get(chain, {}), keys)
        legacy += report.legacy
        if not report.ok:
            broken.append(report)
            continue
        total += report.count
        heads.update(report.heads)
    if broken:
        first = broken[0]
        first.checkpoints, first.broken, first.heads = len(sets), broken, heads
        return first
    return ChainReport(True, total, legacy=legacy, checkpoints=len(sets), heads=heads)


def _verify_one(chain: int, events: Iterable[AuditEvent],
                heads: dict[int, list[AuditCheckpoint]], keys: Keyring) -> ChainReport:
    """Verify one chain against its checkpointed heads."""
    verifier = _Verifier(keys, chain)
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
    report = ChainReport(True, count, legacy=verifier.legacy)
    if prev is not None:
        report.heads = {chain: (prev.seq, prev.hash)}
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
