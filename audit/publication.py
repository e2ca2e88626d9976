"""The chain head published each day for everyone (the public page): the latest signed
checkpoint's overall head (the hash over every chain's head, with the number of events it
covers), so that anyone can later prove the trail was not cut short
(``verify_audit --published-head SEQ:HASH``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from . import trail
from .models import AuditCheckpoint, PublishedHead


def head_publish(*, day: dt.date | None = None) -> PublishedHead | None:
    """Publish the latest checkpoint's head for ``day`` (today in Vietnam by default): once a
    day, whatever the number of calls; ``None`` while no checkpoint exists."""
    day = day or timezone.localdate()
    with transaction.atomic():
        existing = PublishedHead.objects.filter(day=day).first()
        if existing is not None:
            return existing
        checkpoint = AuditCheckpoint.objects.order_by("-at", "-pk").first()
        if checkpoint is None:
            return None
        if checkpoint.overall:
            # One checkpoint signs every chain's head together: publish its overall head, with
            # the number of events it covers (the sum of its chains' heads).
            rows = AuditCheckpoint.objects.filter(at=checkpoint.at, overall=checkpoint.overall)
            seq, digest = sum(rows.values_list("seq", flat=True)), checkpoint.overall
        else:  # a checkpoint from before the partition: the national chain's head
            seq, digest = checkpoint.seq, checkpoint.hash
        head = PublishedHead.objects.create(day=day, seq=seq, hash=digest,
                                            checkpoint_at=checkpoint.at,
                                            published_at=timezone.now())
        trail.record(actor=None, action="audit.head_published", obj=head,
                     after={"day": day, "head_seq": head.seq, "head_hash": head.hash})
    return head


def parse_head(text: str) -> tuple[int, str]:
    """'SEQ:HASH' as published; ``ValueError`` when it is not one."""
    seq, sep, digest = text.strip().partition(":")
    if not sep or not seq.isdigit() or len(seq) > 18 or len(digest) != 64 or any(
            c not in "0123456789abcdef" for c in digest):
        raise ValueError(text)
    return int(seq), digest
