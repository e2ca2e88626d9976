"""The audit trail is an unbroken hash chain, append-only in the database, and any
edited, deleted or reordered event is found by ``verify_chain`` / ``verify_audit``."""

import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit import chain, trail
from audit.models import AuditEvent
from dossiers.models import Province

TABLE = AuditEvent._meta.db_table


def only_on(vendor: str) -> None:
    if connection.vendor != vendor:
        pytest.skip(f"needs {vendor}")


@pytest.fixture
def on_sqlite():
    only_on("sqlite")


@pytest.fixture
def on_postgresql():
    only_on("postgresql")


def verify_command() -> str:
    """The verdict line of ``verify_audit`` (the head line that follows is tested apart)."""
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue().strip().splitlines()[0]


@pytest.fixture
def events(journey):
    """A chain of real events, the province's: setting it up, registering and
    self-assessing. Loading the national criteria sets went to the national chain."""
    journey.self_assess()
    province = journey.kit.province.pk
    assert list(AuditEvent.objects.filter(chain=chain.NATIONAL).values_list(
        "action", flat=True)) == ["criteria_set.load"] * 2
    events = list(AuditEvent.objects.filter(chain=province).order_by("seq"))
    assert {e.province_id for e in events} == {province}
    assert [e.action for e in events].count("self_assessment.set") == 10
    return events


# --- an intact chain ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_real_actions_leave_a_valid_chain(events):
    count = len(events)
    assert [e.seq for e in events] == list(range(1, count + 1))
    assert events[0].prev_hash == chain.GENESIS_HASH
    for previous, event in zip(events, events[1:], strict=False):
        assert event.prev_hash == previous.hash
    assert len({e.hash for e in events}) == count
    national = list(AuditEvent.objects.filter(chain=chain.NATIONAL).order_by("seq"))
    assert [e.seq for e in national] == [1, 2]

    report = chain.verify_chain()
    assert report.ok is True
    assert report.count == count + 2 == AuditEvent.objects.count()
    assert report.first_bad_seq is None
    assert report.heads == {chain.NATIONAL: (2, national[-1].hash),
                            events[0].chain: (count, events[-1].hash)}
    assert verify_command() == f"OK: {count + 2} audit event(s) in 2 chain(s), every chain intact."
    # The in-memory list verifies the same as the database.
    assert chain.verify_chain(events) == chain.ChainReport(True, count)
    assert chain.verify_chain([*national, *events]) == report


@pytest.mark.django_db
def test_empty_chain_is_valid(db):
    assert chain.verify_chain() == chain.ChainReport(True, 0)
    assert verify_command() == "OK: 0 audit event(s) in 0 chain(s), every chain intact."


@pytest.mark.django_db
def test_record_links_to_the_previous_event(db):
    province = Province.objects.create(code="99", name="Tỉnh Thử")
    with trail.request_context("req-1"), transaction.atomic():
        first = trail.record(actor=None, action="test.one", obj=province,
                             after={"value": 1.5, "when": None}, reason="r")
    with transaction.atomic():
        second = trail.record(actor=None, action="test.two", obj=province)
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == chain.GENESIS_HASH
    assert second.prev_hash == first.hash
    first = AuditEvent.objects.get(seq=1)
    assert first.hash == chain.event_hash(first)
    assert first.request_id == "req-1"
    assert first.actor_name == "system"
    assert first.province_id == province.pk
    assert first.after == {"value": "1.5", "when": None}
    assert chain.verify_chain().ok


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_event_and_no_gap(db):
    province = Province.objects.create(code="99", name="Tỉnh Thử")
    with transaction.atomic():
        trail.record(actor=None, action="test.kept", obj=province)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        trail.record(actor=None, action="test.undone", obj=province)
        1 / 0  # noqa: B018 - the change fails after its event was written
    with transaction.atomic():
        trail.record(actor=None, action="test.kept", obj=province)
    assert list(AuditEvent.objects.values_list("seq", "action")) == [(1, "test.kept"),
                                                                    (2, "test.kept")]
    assert chain.verify_chain() == chain.ChainReport(True, 2)


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    province = Province.objects.create(code="99", name="Tỉnh Thử")
    assert not connection.in_atomic_block
    with pytest.raises(trail.AuditError, match="inside the transaction"):
        trail.record(actor=None, action="test.outside", obj=province)
    assert AuditEvent.objects.count() == 0


# --- tampering, found without the database ----------------------------------------------------

@pytest.mark.django_db
def test_edited_event_is_found(events):
    target = events[len(events) // 2]
    target.after = {**(target.after or {}), "met": "tampered"}
    report = chain.verify_chain(events)
    assert report.ok is False
    assert report.first_bad_seq == target.seq
    assert report.count == target.seq - 1
    assert "edited" in report.problem


@pytest.mark.django_db
@pytest.mark.parametrize("field, value", [("reason", "x"), ("actor_name", "someone"),
                                          ("before", {"x": 1}), ("object_id", "0")])
def test_any_edited_field_is_found(events, field, value):
    target = events[3]
    setattr(target, field, value)
    report = chain.verify_chain(events)
    assert (report.ok, report.first_bad_seq) == (False, target.seq)


@pytest.mark.django_db
def test_edited_event_with_a_recomputed_hash_breaks_the_next_link(events):
    target = events[4]
    target.reason = "rewritten"
    target.hash = chain.event_hash(target)
    report = chain.verify_chain(events)
    assert report.ok is False
    assert report.first_bad_seq == target.seq + 1
    assert "link to the previous event" in report.problem


@pytest.mark.django_db
def test_deleted_event_is_found(events):
    removed = events.pop(5)
    report = chain.verify_chain(events)
    assert report.ok is False
    assert report.first_bad_seq == removed.seq + 1
    assert report.count == removed.seq - 1
    assert f"expected event #{removed.seq}" in report.problem


@pytest.mark.django_db
def test_deleted_and_renumbered_event_is_found(events):
    removed = events.pop(5)
    for event in events[5:]:
        event.seq -= 1
    report = chain.verify_chain(events)
    assert report.ok is False
    # The event now numbered like the removed one was written under the next number.
    assert report.first_bad_seq == removed.seq
    assert report.kind == chain.MISSING
    assert report.problem == (f"deleted events: the event stored as #{removed.seq} was written "
                              f"as #{removed.seq + 1}: 1 event(s) before it were deleted and "
                              "the events after renumbered")


@pytest.mark.django_db
def test_swapped_events_are_found(events):
    i, j = 2, 6
    first_moved = events[j].seq
    events[i], events[j] = events[j], events[i]
    report = chain.verify_chain(events)
    assert report.ok is False
    assert report.first_bad_seq == first_moved
    assert report.count == i


@pytest.mark.django_db
def test_swapped_and_renumbered_events_are_found(events):
    i = 2
    events[i], events[i + 1] = events[i + 1], events[i]
    events[i].seq, events[i + 1].seq = events[i + 1].seq, events[i].seq
    report = chain.verify_chain(events)
    assert report.ok is False
    assert report.first_bad_seq == i + 1  # seq of the first event out of place (1-based)


# --- tampering through the database: SQLite -----------------------------------------------------

@pytest.mark.django_db
def test_sqlite_refuses_update_of_an_event(on_sqlite, events):
    target = events[2]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=target.pk).update(reason="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        target.after = {"x": 1}
        target.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET reason = 'x'")
    assert AuditEvent.objects.get(pk=target.pk).reason == events[2].reason
    assert AuditEvent.objects.filter(reason="x").count() == 0
    assert chain.verify_chain().ok


@pytest.mark.django_db
def test_sqlite_deleted_event_is_found_by_verify_audit(on_sqlite, events):
    target = events[4]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE chain = %s AND seq = %s",
                       [target.chain, target.seq])
        assert cursor.rowcount == 1
    assert AuditEvent.objects.count() == len(events) + 2 - 1  # and the national chain's two
    report = chain.verify_chain()
    assert (report.ok, report.first_bad_seq, report.count) == (False, target.seq + 1, target.seq - 1)
    with pytest.raises(CommandError, match=rf"^Audit chain broken at event #{target.seq + 1}: "
                                           rf"deleted events: expected event #{target.seq}.*"
                                           rf"{target.seq - 1} event\(s\) before it are intact\.$"):
        call_command("verify_audit", stdout=io.StringIO())


# --- PostgreSQL: the trigger and concurrent writers ---------------------------------------------

@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_refuses_update_and_delete_of_an_event(on_postgresql, events):
    target = events[2]
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        AuditEvent.objects.filter(pk=target.pk).update(reason="x")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        target.reason = "x"
        target.save()
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        AuditEvent.objects.filter(pk=target.pk).delete()
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq = %s", [target.seq])
    assert AuditEvent.objects.count() == len(events) + 2  # and the national chain's two
    stored = AuditEvent.objects.get(pk=target.pk)
    assert stored.reason != "x"
    assert chain.verify_chain() == chain.ChainReport(True, len(events) + 2)
    assert verify_command() == (f"OK: {len(events) + 2} audit event(s) in 2 chain(s), every "
                                "chain intact.")


THREADS = 6
PER_THREAD = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_concurrent_writers_leave_one_unbroken_chain(on_postgresql):
    province = Province.objects.create(code="99", name="Tỉnh Thử")
    start = AuditEvent.objects.count()
    barrier = threading.Barrier(THREADS)
    errors = []

    def writer(number):
        try:
            barrier.wait(timeout=30)
            for n in range(PER_THREAD):
                with transaction.atomic():
                    trail.record(actor=None, action="test.concurrent", obj=province,
                                 after={"thread": number, "n": n})
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []

    total = start + THREADS * PER_THREAD
    assert AuditEvent.objects.count() == total
    assert AuditEvent.objects.filter(action="test.concurrent").count() == THREADS * PER_THREAD
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == \
        list(range(1, total + 1))
    written = AuditEvent.objects.filter(action="test.concurrent")
    assert sorted((e.after["thread"], e.after["n"]) for e in written) == \
        sorted((t, n) for t in range(THREADS) for n in range(PER_THREAD))
    report = chain.verify_chain()
    assert report == chain.ChainReport(True, total)


@pytest.mark.django_db
def test_verify_audit_anchor_catches_events_removed_from_the_end(journey):
    journey.self_assess()
    province = journey.kit.province.pk
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[1] == ("Head of the national chain: --chain 0 --expect-seq 2 --expect-hash "
                        + AuditEvent.objects.get(chain=0, seq=2).hash)
    assert lines[2].startswith(f"Head of the chain of province id {province}: ")
    _flag, key, _seq_flag, seq, _hash_flag, digest = lines[2].split(": ")[1].split()
    assert (int(key), int(seq)) == (province, AuditEvent.objects.filter(chain=province).count())
    anchor = ["--chain", key, "--expect-seq", seq]
    call_command("verify_audit", *anchor, "--expect-hash", digest, stdout=io.StringIO())
    with pytest.raises(CommandError, match="does not have the hash"):
        call_command("verify_audit", *anchor, "--expect-hash", "0" * 64, stdout=io.StringIO())
    with pytest.raises(CommandError, match="does not have the hash"):
        # The same number in the national chain is another event (or none).
        call_command("verify_audit", "--expect-seq", "2", "--expect-hash", digest,
                     stdout=io.StringIO())
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM ntm_workflow_auditevent WHERE chain = %s AND seq = %s",
                           [province, int(seq)])
        with pytest.raises(CommandError, match="removed from the end"):
            call_command("verify_audit", *anchor, "--expect-hash", digest, stdout=io.StringIO())


# --- one chain per province ---------------------------------------------------------------------

@pytest.mark.django_db
def test_each_province_has_its_own_chain_and_the_rest_is_national(db):
    north = Province.objects.create(code="01", name="Tỉnh Bắc")
    south = Province.objects.create(code="02", name="Tỉnh Nam")
    for obj in (north, south, north, None, south, north):
        with transaction.atomic():
            if obj is None:
                trail.record(actor=None, action="test.system", obj=None, object_type="test",
                             object_id="1", object_repr="system")
            else:
                trail.record(actor=None, action="test.step", obj=obj)
    assert list(AuditEvent.objects.values_list("chain", "seq")) == [
        (north.pk, 1), (south.pk, 1), (north.pk, 2), (chain.NATIONAL, 1), (south.pk, 2),
        (north.pk, 3)]
    for key in (north.pk, south.pk, chain.NATIONAL):
        events = list(AuditEvent.objects.filter(chain=key).order_by("seq"))
        assert events[0].prev_hash == chain.GENESIS_HASH
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    report = chain.verify_chain()
    assert (report.ok, report.count, sorted(report.heads)) == (
        True, 6, sorted([north.pk, south.pk, chain.NATIONAL]))


@pytest.mark.django_db
def test_an_event_moved_to_another_chain_is_found(db):
    north = Province.objects.create(code="01", name="Tỉnh Bắc")
    south = Province.objects.create(code="02", name="Tỉnh Nam")
    for obj in (north, north, south):
        with transaction.atomic():
            trail.record(actor=None, action="test.step", obj=obj)
    events = list(AuditEvent.objects.order_by("id"))
    moved = events[2]
    # Someone renumbers south's event into north's chain, keeping its link plausible.
    moved.chain, moved.seq, moved.prev_hash = north.pk, 3, events[1].hash
    report = chain.verify_chain(events)
    assert (report.ok, report.kind, report.chain, report.first_bad_seq) == (
        False, chain.FORGED_APPEND, north.pk, 3)
    assert [b.chain for b in report.broken] == [north.pk]


@pytest.mark.django_db
def test_every_broken_chain_is_named(on_sqlite, db):
    north = Province.objects.create(code="01", name="Tỉnh Bắc")
    south = Province.objects.create(code="02", name="Tỉnh Nam")
    for obj in (north, north, north, south, south, south):
        with transaction.atomic():
            trail.record(actor=None, action="test.step", obj=obj)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq = 2")  # one event of each chain
    report = chain.verify_chain()
    assert [(b.chain, b.kind, b.first_bad_seq, b.count) for b in report.broken] == [
        (north.pk, chain.MISSING, 3, 1), (south.pk, chain.MISSING, 3, 1)]
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", stdout=io.StringIO())
    assert str(caught.value).splitlines() == [
        f"Audit chain broken at event #3: deleted events: expected event #2, found #3 (an event "
        f"was deleted or reordered). In the chain of province id {p.pk}, 1 event(s) before it "
        "are intact." for p in (north, south)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_provinces_do_not_wait_for_each_other(on_postgresql):
    """A transaction holding province A's chain (an event recorded, not yet committed) does
    not hold up province B's appends; another append to A waits for it."""
    a = Province.objects.create(code="01", name="Tỉnh A")
    b = Province.objects.create(code="02", name="Tỉnh B")
    holding, release = threading.Event(), threading.Event()
    outcome = {}

    def hold_a():
        try:
            with transaction.atomic():
                trail.record(actor=None, action="test.hold", obj=a)
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    def append(province, key):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
                trail.record(actor=None, action="test.other", obj=province)
            outcome[key] = "appended"
        except DatabaseError as exc:
            outcome[key] = str(exc).splitlines()[0]
        finally:
            connection.close()

    holder = threading.Thread(target=hold_a)
    holder.start()
    assert holding.wait(30)
    for province, key in ((b, "b"), (a, "a")):
        thread = threading.Thread(target=append, args=(province, key))
        thread.start()
        thread.join(30)
    release.set()
    holder.join(30)
    assert outcome == {"b": "appended",
                       "a": "canceling statement due to lock timeout"}
    assert chain.verify_chain() == chain.ChainReport(True, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_concurrent_writers_of_several_provinces(on_postgresql):
    provinces = [Province.objects.create(code=f"0{n}", name=f"Tỉnh {n}") for n in range(1, 4)]
    barrier = threading.Barrier(THREADS)
    errors = []

    def writer(number):
        try:
            barrier.wait(timeout=30)
            for n in range(PER_THREAD):
                with transaction.atomic():
                    trail.record(actor=None, action="test.concurrent",
                                 obj=provinces[number % len(provinces)],
                                 after={"thread": number, "n": n})
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    per_chain = THREADS // len(provinces) * PER_THREAD
    for province in provinces:
        assert list(AuditEvent.objects.filter(chain=province.pk).order_by("seq").values_list(
            "seq", flat=True)) == list(range(1, per_chain + 1))
    assert chain.verify_chain() == chain.ChainReport(True, THREADS * PER_THREAD)
