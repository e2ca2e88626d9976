"""Keyed event hashes and signed checkpoints: what someone holding the database (but not the
audit keys) can do to the trail, and how ``verify_chain`` / ``verify_audit`` name it.

The tampering here goes through the database as its owner would (triggers switched off,
rows inserted, updated, deleted), on SQLite and on PostgreSQL alike."""

import hashlib
import hmac
import io
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from audit import chain, checkpoints, keys, trail
from audit.models import AuditCheckpoint, AuditEvent
from audit.sqlite import ALL_TRIGGERS
from audit.tasks import audit_checkpoint
from dossiers.models import Province

TABLE = AuditEvent._meta.db_table
CHECKPOINTS = AuditCheckpoint._meta.db_table
EVENTS = 12
KEY_1 = "11" * 32
KEY_2 = "22" * 32


@contextmanager
def triggers_off():
    """What the database's owner (or a superuser) can do: switch off the append-only triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_checkpoint_no_update")
        else:
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            cursor.execute(f"ALTER TABLE {CHECKPOINTS} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for sql in ALL_TRIGGERS:
                    cursor.execute(sql)
            else:
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
                cursor.execute(f"ALTER TABLE {CHECKPOINTS} ENABLE TRIGGER USER")


def record(province, n: int) -> AuditEvent:
    with transaction.atomic():
        return trail.record(actor=None, action="test.step", obj=province, after={"n": n})


@pytest.fixture
def province(db):
    return Province.objects.create(code="99", name="Tỉnh Thử")


@pytest.fixture
def trail12(province):
    for n in range(EVENTS):
        record(province, n)
    assert chain.verify_chain() == chain.ChainReport(True, EVENTS)
    return list(AuditEvent.objects.order_by("seq"))


def verify_command_error() -> str:
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", stdout=io.StringIO())
    return str(caught.value)


def plain_sha256(event: AuditEvent) -> str:
    """The hash a forger computes: the legacy formula, no key."""
    saved = event.key_id
    event.key_id = ""
    try:
        return chain.event_hash(event)
    finally:
        event.key_id = saved


def forge_after(head: AuditEvent, *, key_id: str, hash_with) -> AuditEvent:
    forged = AuditEvent(id=head.pk + 1, chain=head.chain, seq=head.seq + 1, at=timezone.now(),
                        actor_name="system",
                        action="dossier.recognised", object_type="dossiers.dossier",
                        object_id="7", object_repr="Xã Thử", prev_hash=head.hash, key_id=key_id)
    forged.hash = hash_with(forged)
    forged.save(force_insert=True)  # a plain INSERT: what any database user can do
    return forged


# --- the keyed hash --------------------------------------------------------------------------

def test_events_carry_an_hmac_keyed_with_the_current_key(trail12):
    event = trail12[3]
    assert event.key_id == keys.DEV_KEY_ID
    assert event.chain == event.province_id  # the province's own chain
    payload = {
        "seq": event.seq, "at": chain.to_json(event.at), "actor": None, "actor_name": "system",
        "agency": None, "agency_name": "", "action": "test.step",
        "object_type": "dossiers.province", "object_id": str(event.province_id),
        "object_repr": event.object_repr, "dossier": None, "province": event.province_id,
        "before": None, "after": {"n": 3}, "reason": "", "request_id": "", "prev_hash":
        trail12[2].hash, "request_path": "", "remote_addr": None, "id": event.pk,
        "key_id": "dev", "chain": event.province_id,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    expected = hmac.new(keys.keyring().hmac_key("dev"), text.encode(), hashlib.sha256).hexdigest()
    assert event.hash == expected
    assert event.hash != plain_sha256(event)
    # The primary key and the sequence number are covered.
    assert chain.event_hash(event, pk=event.pk + 1) != event.hash
    assert chain.event_hash(event, seq=event.seq + 1) != event.hash


def test_production_settings_require_the_audit_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NTM_AUDIT", "DJANGO_"))}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50, NTM_VAR_DIR=str(tmp_path),
               DJANGO_ALLOWED_HOSTS="ntm.example.gov.vn")
    root = Path(__file__).resolve().parents[2]
    code = "import config.settings as s; print(sorted(s.NTM_AUDIT_HMAC_KEYS), s.NTM_AUDIT_HMAC_KEY_ID)"
    refused = subprocess.run([sys.executable, "-c", code], cwd=root, env=env,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1] == (
        "RuntimeError: NTM_AUDIT_HMAC_KEYS (or NTM_AUDIT_HMAC_KEYS_FILE) and "
        "NTM_AUDIT_SIGNING_KEY_FILE (or NTM_AUDIT_SIGNING_KEY) must be set when DJANGO_DEBUG "
        "is off")
    key_file = tmp_path / "hmac.keys"
    key_file.write_text(f"# rotated 2026-11\nk1:{KEY_1}\nk2:{KEY_2}\n")
    env.update(NTM_AUDIT_HMAC_KEYS_FILE=str(key_file), NTM_AUDIT_SIGNING_KEY="33" * 32)
    accepted = subprocess.run([sys.executable, "-c", code], cwd=root, env=env,
                              capture_output=True, text=True, timeout=60)
    assert accepted.stdout == "['k1', 'k2'] k2\n"


def test_keys_rotate_and_old_events_keep_verifying(province, settings):
    settings.NTM_AUDIT_HMAC_KEYS = {"k1": bytes.fromhex(KEY_1)}
    settings.NTM_AUDIT_HMAC_KEY_ID = "k1"
    record(province, 1)
    record(province, 2)
    settings.NTM_AUDIT_HMAC_KEYS = {"k1": bytes.fromhex(KEY_1), "k2": bytes.fromhex(KEY_2)}
    settings.NTM_AUDIT_HMAC_KEY_ID = "k2"
    record(province, 3)
    assert list(AuditEvent.objects.values_list("key_id", flat=True)) == ["k1", "k1", "k2"]
    assert chain.verify_chain() == chain.ChainReport(True, 3)
    # Without the former key its events can no longer be told from forgeries.
    settings.NTM_AUDIT_HMAC_KEYS = {"k2": bytes.fromhex(KEY_2)}
    report = chain.verify_chain()
    assert (report.ok, report.kind, report.first_bad_seq) == (False, chain.UNKNOWN_KEY, 1)
    assert report.problem == (
        "unknown key: event(s) #1 to #2 name the audit key 'k1', which is not configured: a "
        "former key missing from NTM_AUDIT_HMAC_KEYS, or events not written by the application")


def test_legacy_events_verify_up_to_the_first_keyed_event(province):
    prev = chain.GENESIS_HASH
    for n in range(1, 4):
        event = AuditEvent(id=n, seq=n, at=timezone.now(), actor_name="system", action="old",
                           object_type="dossiers.province", object_id=str(province.pk),
                           object_repr="Tỉnh Thử", province_id=province.pk, prev_hash=prev)
        event.hash = chain.event_hash(event)  # no key id: the formula from before the keys
        event.save(force_insert=True)
        prev = event.hash
    for n in (4, 5):  # keyed events after them, in the national chain (no province)
        with transaction.atomic():
            trail.record(actor=None, action="test.national", obj=None, object_type="test",
                         object_id=str(n), object_repr="national")
    record(province, 6)
    assert list(AuditEvent.objects.values_list("chain", "seq", "key_id")) == [
        (0, 1, ""), (0, 2, ""), (0, 3, ""), (0, 4, "dev"), (0, 5, "dev"),
        (province.pk, 1, "dev")]
    assert chain.verify_chain() == chain.ChainReport(True, 6, legacy=3)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue().splitlines()[0] == "OK: 6 audit event(s) in 2 chain(s), every chain intact."
    assert out.getvalue().splitlines()[-1] == (
        "Legacy: the first 3 event(s) of the national chain predate the audit keys (plain "
        "SHA-256, not keyed).")
    # An edited legacy event is still found.
    with triggers_off():
        AuditEvent.objects.filter(chain=chain.NATIONAL, seq=2).update(reason="rewritten")
    report = chain.verify_chain()
    assert (report.ok, report.kind, report.first_bad_seq, report.count) == (
        False, chain.EDITED, 2, 1)


# --- forged appends ----------------------------------------------------------------------------

@pytest.mark.parametrize("key_id, hash_with, why", [
    ("", plain_sha256, "it carries no keyed hash, and only the national chain's first events "
                       "predate the audit keys"),
    ("dev", plain_sha256, "its hash is not the one the application computes with its audit key"),
    ("dev", lambda e: chain.event_hash(e, keys=keys.Keyring({"dev": b"guess" * 8}, "dev", None,
                                                            {})),
     "its hash is not the one the application computes with its audit key"),
    ("k9", plain_sha256, "its key id 'k9' is not one of the audit keys"),
])
def test_forged_append_is_found(trail12, key_id, hash_with, why):
    forge_after(trail12[-1], key_id=key_id, hash_with=hash_with)
    report = chain.verify_chain()
    assert (report.ok, report.kind, report.first_bad_seq, report.count) == (
        False, chain.FORGED_APPEND, EVENTS + 1, EVENTS)
    assert report.problem == (f"forged append: event(s) #{EVENTS + 1} at the end of the chain "
                              f"were not written by the application ({why})")
    assert verify_command_error().startswith(f"Audit chain broken at event #{EVENTS + 1}: "
                                             "forged append: ")


def test_several_forged_events_at_the_end_are_named_together(trail12):
    first = forge_after(trail12[-1], key_id="", hash_with=plain_sha256)
    forge_after(first, key_id="", hash_with=plain_sha256)
    report = chain.verify_chain()
    assert report.kind == chain.FORGED_APPEND
    assert report.problem.startswith(f"forged append: event(s) #{EVENTS + 1} to #{EVENTS + 2} ")


# --- changed primary key, reorder, re-chained segment -------------------------------------------

def test_changed_primary_key_is_found(trail12):
    target = trail12[5]
    with triggers_off():
        AuditEvent.objects.filter(pk=target.pk).update(id=target.pk + 1000)
    report = chain.verify_chain()
    assert (report.ok, report.kind, report.first_bad_seq, report.count) == (
        False, chain.PK_CHANGED, target.seq, target.seq - 1)
    assert report.problem == (f"changed primary key: event #{target.seq} was written with "
                              f"primary key {target.pk}, now {target.pk + 1000}")
    assert "changed primary key" in verify_command_error()


def test_reordered_events_are_found(trail12):
    low, high = trail12[3], trail12[8]
    with triggers_off():
        AuditEvent.objects.filter(pk=low.pk).update(seq=10**9)
        AuditEvent.objects.filter(pk=high.pk).update(seq=low.seq)
        AuditEvent.objects.filter(pk=low.pk).update(seq=high.seq)
    report = chain.verify_chain()
    assert (report.ok, report.kind, report.first_bad_seq, report.count) == (
        False, chain.REORDERED, low.seq, low.seq - 1)
    assert report.problem == (f"reordered events: the event stored as #{low.seq} was written "
                              f"as #{high.seq}")


def rechain(events, start: int, stop: int, key: bytes = b"not the audit key" * 2) -> None:
    """Edit event ``start`` and recompute the hashes of ``start``..``stop`` (inclusive) with a
    key that is not the application's, keeping every link."""
    forger = keys.Keyring({"dev": key}, "dev", None, {})
    prev = events[start - 1].hash
    with triggers_off():
        for event in events[start:stop + 1]:
            if event is events[start]:
                event.reason = "rewritten"
            event.prev_hash = prev
            event.hash = chain.event_hash(event, keys=forger)
            AuditEvent.objects.filter(pk=event.pk).update(reason=event.reason,
                                                          prev_hash=event.prev_hash,
                                                          hash=event.hash)
            prev = event.hash


def test_rechained_segment_is_found(trail12):
    rechain(trail12, 4, 7)
    report = chain.verify_chain()
    assert (report.ok, report.kind, report.first_bad_seq, report.count) == (
        False, chain.RECHAINED, 5, 4)
    assert report.problem == (
        "re-chained segment: events #5 to #8 were changed and their hashes recomputed without "
        "the audit key (its hash is not the one the application computes with its audit key)")


def test_rechained_tail_is_found_against_a_checkpoint(trail12, mailoutbox):
    checkpoints.checkpoint_create()  # signs #12 (records its event in the national chain)
    events = list(AuditEvent.objects.filter(chain=trail12[0].chain).order_by("seq"))
    rechain(events, 4, len(events) - 1)
    report = chain.verify_chain()
    assert (report.ok, report.kind, report.first_bad_seq) == (False, chain.RECHAINED, 5)
    assert report.problem.startswith("re-chained segment: events #5 to #12 were changed")


def test_rechained_tail_without_any_checkpoint_reads_as_a_forged_append(trail12):
    rechain(trail12, 9, EVENTS - 1)
    report = chain.verify_chain()
    assert (report.kind, report.first_bad_seq) == (chain.FORGED_APPEND, 10)


# --- checkpoints: cut tail, forged checkpoints ---------------------------------------------------

@pytest.fixture
def auditors(settings):
    settings.NTM_AUDIT_CHECKPOINT_RECIPIENTS = ["kiemtoan@example.invalid"]


def test_checkpoint_is_signed_stored_recorded_and_mailed(trail12, auditors, mailoutbox):
    out = io.StringIO()
    call_command("audit_checkpoint", stdout=out)
    checkpoint = AuditCheckpoint.objects.get()
    head = trail12[-1]
    assert (checkpoint.chain, checkpoint.seq, checkpoint.hash) == (head.chain, head.seq,
                                                                   head.hash)
    assert checkpoint.overall == chain.overall_head({head.chain: (head.seq, head.hash)},
                                                    checkpoint.at)
    assert checkpoint.key_id == keys.keyring().signing_key_id
    assert chain.checkpoint_signature_ok(checkpoint)
    recorded = AuditEvent.objects.order_by("-id").first()
    assert (recorded.action, recorded.chain, recorded.seq) == ("audit.checkpoint",
                                                               chain.NATIONAL, 1)
    assert recorded.after["heads"] == {str(head.chain): [head.seq, head.hash]}
    assert [m.to for m in mailoutbox] == [["kiemtoan@example.invalid"]]
    mail = mailoutbox[0]
    assert mail.subject == f"Audit checkpoint: 1 chain(s), overall head {checkpoint.overall[:16]}"
    assert mail.body == out.getvalue()
    assert (f"chain of province id {head.chain}: event #{head.seq}, hash {head.hash}"
            in mail.body.splitlines())
    assert f"python manage.py verify_audit --expect-overall {checkpoint.overall}" in mail.body
    call_command("verify_audit", "--expect-overall", checkpoint.overall, stdout=io.StringIO())
    with pytest.raises(CommandError, match="no longer stored"):
        call_command("verify_audit", "--expect-overall", "ab" * 32, stdout=io.StringIO())
    # An auditor checks the signature with nothing but the e-mail.
    lines = dict(line.split(": ", 1) for line in mail.body.splitlines() if ": " in line)
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(lines["Public key (Ed25519, hex)"]))
    public.verify(bytes.fromhex(lines["Signature"]), chain.checkpoint_message(checkpoint))
    report = chain.verify_chain()
    assert (report.ok, report.count, report.checkpoints) == (True, EVENTS + 1, 1)


def test_checkpoints_are_signed_at_intervals(trail12, auditors, mailoutbox):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="audit.checkpoint")
    assert (task.enabled, task.crontab.hour, task.crontab.minute) == (True, "*/6", "15")
    result = audit_checkpoint()
    assert result == {"ok": True, "chains": 1,
                      "overall": AuditCheckpoint.objects.get().overall}
    assert AuditCheckpoint.objects.count() == 1
    assert len(mailoutbox) == 1


def test_cut_tail_is_found(trail12, mailoutbox):
    checkpoints.checkpoint_create()  # signs #12
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE chain = %s AND seq >= %s",
                       [trail12[0].chain, 10])
    report = chain.verify_chain()
    assert (report.ok, report.kind, report.first_bad_seq, report.count) == (
        False, chain.CUT_TAIL, 10, 9)
    assert report.problem.startswith("cut tail: events #10 to #12 were removed from the end of "
                                     "the chain (the checkpoint signed at ")
    assert report.problem.endswith("saw it reach #12; 9 event(s) remain)")
    assert "cut tail" in verify_command_error()


def test_cut_tail_and_forged_reappend_is_found(trail12, mailoutbox):
    checkpoints.checkpoint_create()
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE chain = %s AND seq >= %s",
                       [trail12[0].chain, 12])
    forge_after(trail12[10], key_id="dev", hash_with=plain_sha256)
    report = chain.verify_chain()
    assert (report.kind, report.first_bad_seq) == (chain.RECHAINED, 12)


def test_cut_tail_replaced_by_forged_events_is_found(trail12, mailoutbox):
    checkpoints.checkpoint_create()  # signs #12
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE chain = %s AND seq >= %s",
                       [trail12[0].chain, 10])
    forge_after(trail12[8], key_id="dev", hash_with=plain_sha256)
    report = chain.verify_chain()
    assert (report.ok, report.kind, report.first_bad_seq, report.count) == (
        False, chain.CUT_TAIL, 10, 9)
    assert report.problem == (
        "cut tail: the chain was cut below its checkpointed head #12 and event(s) #10 written in "
        "place by something other than the application (its hash is not the one the "
        "application computes with its audit key)")


def test_forged_checkpoint_is_found(trail12):
    head = trail12[-1]
    forged = AuditCheckpoint(seq=head.seq + 5, hash="ab" * 32, at=timezone.now())
    other = keys.Keyring({}, "", Ed25519PrivateKey.generate(), {})
    chain.checkpoint_sign(forged, other)
    forged.save(force_insert=True)
    report = chain.verify_chain()
    assert (report.ok, report.kind, report.first_bad_seq) == (False, chain.CHECKPOINT,
                                                              head.seq + 5)
    assert report.problem.startswith(f"forged checkpoint: the checkpoint of event "
                                     f"#{head.seq + 5} dated ")


def test_altered_checkpoint_is_found(trail12, mailoutbox):
    checkpoint = checkpoints.checkpoint_create()
    with triggers_off():
        AuditCheckpoint.objects.filter(pk=checkpoint.rows[0].pk).update(
            seq=5, hash=trail12[4].hash)
    report = chain.verify_chain()
    assert (report.ok, report.kind) == (False, chain.CHECKPOINT)
    assert report.problem.endswith("no longer holds the chain heads it was signed with (a "
                                   "chain's head was removed, added or changed)")


def test_former_signing_keys_still_verify_their_checkpoints(trail12, settings, mailoutbox):
    old = Ed25519PrivateKey.generate()
    settings.NTM_AUDIT_SIGNING_KEY = old.private_bytes_raw().hex().encode()
    checkpoints.checkpoint_create()
    new = Ed25519PrivateKey.generate()
    settings.NTM_AUDIT_SIGNING_KEY = new.private_bytes_raw().hex().encode()
    assert chain.verify_chain().kind == chain.CHECKPOINT
    settings.NTM_AUDIT_VERIFY_KEYS = [keys.public_key_raw(old.public_key()).hex()]
    checkpoints.checkpoint_create()
    report = chain.verify_chain()
    assert (report.ok, report.checkpoints) == (True, 2)
    assert len({c.key_id for c in AuditCheckpoint.objects.all()}) == 2


def test_a_broken_chain_is_never_signed(trail12, mailoutbox, settings):
    settings.ADMINS = [("Admin", "admin@example.invalid")]
    forge_after(trail12[-1], key_id="", hash_with=plain_sha256)
    with pytest.raises(CommandError, match=r"^Not signed: audit chain broken at event #13: "
                                           r"forged append: "):
        call_command("audit_checkpoint", stdout=io.StringIO())
    assert AuditCheckpoint.objects.count() == 0
    assert [m.subject for m in mailoutbox] == ["[NTM] Audit chain broken"]
    assert audit_checkpoint() == {"ok": False, "first_bad_seq": 13, "kind": chain.FORGED_APPEND}
