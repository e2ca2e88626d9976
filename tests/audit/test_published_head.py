"""The audit chain's head published each day (the latest signed checkpoint's), shown on the
public page, and checked later with ``verify_audit --published-head SEQ:HASH``."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from audit import trail
from audit.chain import overall_head
from audit.checkpoints import checkpoint_create
from audit.models import AuditCheckpoint, AuditEvent, PublishedHead
from audit.publication import head_publish, parse_head
from audit.tasks import audit_publish_head
from dossiers.models import Province
from tests.conftest import TODAY


def _events(count: int) -> None:
    for _ in range(count):
        n = Province.objects.count()
        with transaction.atomic():
            province = Province.objects.create(code=f"9{n}", name=f"Tỉnh {n}")
            trail.record(actor=None, action="admin.add", obj=province)


@pytest.mark.django_db
def test_nothing_is_published_before_a_checkpoint():
    _events(2)
    assert head_publish() is None
    assert audit_publish_head() == {"ok": True, "seq": None}
    assert PublishedHead.objects.count() == 0


@pytest.mark.django_db
def test_the_latest_checkpoint_is_published_once_a_day(client):
    _events(3)
    checkpoint_create()
    _events(1)  # after the checkpoint: not yet covered by a signature
    result = audit_publish_head()
    # Each province's creation is the first event of its own chain: the checkpoint signs the
    # three heads (#1 each) together, and the published head is their overall hash.
    rows = list(AuditCheckpoint.objects.all())
    heads = {row.chain: (row.seq, row.hash) for row in rows}
    assert sorted(seq for seq, _digest in heads.values()) == [1, 1, 1]
    overall = overall_head(heads, rows[0].at)
    assert {row.overall for row in rows} == {overall}
    assert result == {"ok": True, "day": "2026-08-03", "seq": 3, "hash": overall}
    assert head_publish().seq == 3  # the same day: the same row
    head = PublishedHead.objects.get()
    assert (head.day, head.seq) == (TODAY, 3)
    event = AuditEvent.objects.get(action="audit.head_published")
    assert (event.after["head_seq"], event.after["head_hash"]) == (3, head.hash)
    html = client.get("/public/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<td>03/08/2026</td><td>#3</td><td><code class="hash">3:{head.hash}</code></td>' in html


@pytest.mark.django_db
def test_verify_audit_checks_a_published_head():
    _events(3)
    checkpoint_create()
    head = head_publish()
    out = io.StringIO()
    call_command("verify_audit", "--published-head", f"{head.seq}:{head.hash}", stdout=out)
    assert out.getvalue().startswith("OK: 5 audit event(s) in 4 chain(s), every chain intact.")
    with pytest.raises(CommandError, match="checkpoint with this overall head is no longer"):
        call_command("verify_audit", "--published-head", f"{head.seq}:{'0' * 64}",
                     stdout=io.StringIO())
    with pytest.raises(CommandError, match="--published-head takes SEQ:HASH"):
        call_command("verify_audit", "--published-head", "3-abc", stdout=io.StringIO())
    with pytest.raises(CommandError, match="replaces --expect-seq"):
        call_command("verify_audit", "--published-head", f"{head.seq}:{head.hash}",
                     "--expect-seq", "3", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_published_head_that_vanished_is_found():
    """Someone holding the database removes the tail of the trail and the checkpoints that
    would betray it: the chain left verifies, but the published head kept outside does not."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL refuses the deletion itself (tests/audit/test_audit.py)")
    _events(3)
    checkpoint_create()
    head = head_publish()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_checkpoint")
        cursor.execute("DELETE FROM ntm_workflow_auditevent WHERE id >= %s",
                       [AuditEvent.objects.order_by("id")[2].pk])
    call_command("verify_audit", stdout=io.StringIO())  # what is left is a valid chain
    with pytest.raises(CommandError, match="checkpoint with this overall head is no longer "
                                           "stored: it was removed"):
        call_command("verify_audit", "--published-head", f"{head.seq}:{head.hash}",
                     stdout=io.StringIO())


def test_parse_head():
    assert parse_head(f" 12:{'a' * 64} ") == (12, "a" * 64)
    for bad in ("12", f"x:{'a' * 64}", f"12:{'A' * 64}", f"12:{'a' * 63}", ":"):
        with pytest.raises(ValueError):
            parse_head(bad)
