"""Signed checkpoints of every chain's head, e-mailed to the auditors.

A checkpoint is signed only over a trail whose every chain verifies: one row per chain head,
all carrying the overall head (a hash over every head) and one signature over it. The e-mail
carries everything an auditor needs to check the trail later from outside the server
(``verify_audit --expect-overall H``, or one chain's head) and the public key that verifies
the signature."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import mail_admins, send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import trail
from .chain import NATIONAL, ChainReport, checkpoint_rows, verify_chain
from .keys import keyring, public_key_raw
from .models import AuditCheckpoint

log = logging.getLogger(__name__)


class ChainBroken(RuntimeError):
    def __init__(self, report: ChainReport) -> None:
        super().__init__(report.problem)
        self.report = report


@dataclass(frozen=True)
class Checkpoint:
    """One signed checkpoint: the head of every chain (one stored row each) under one
    signature of the overall head."""

    rows: list[AuditCheckpoint]

    @property
    def overall(self) -> str:
        return self.rows[0].overall

    @property
    def at(self) -> dt.datetime:
        return self.rows[0].at

    @property
    def key_id(self) -> str:
        return self.rows[0].key_id

    @property
    def signature(self) -> str:
        return self.rows[0].signature

    def head(self, chain: int) -> AuditCheckpoint:
        return next(row for row in self.rows if row.chain == chain)


def checkpoint_create(*, now: dt.datetime | None = None) -> Checkpoint | None:
    """Verify every chain, sign their heads, store the checkpoint, record it in the trail
    (national chain) and e-mail it to the auditors. ``None`` when the trail is empty;
    ``ChainBroken`` (and an alert to the administrators) when it does not verify: a broken
    head is never signed. No chain is locked: the heads signed are the ones just verified,
    and events appended meanwhile link onto them."""
    keys = keyring()
    report = verify_chain()
    if not report.ok:
        alert_broken(report)
        raise ChainBroken(report)
    if not report.heads:
        return None
    with transaction.atomic():
        rows = checkpoint_rows(report.heads, now or timezone.now(), keys)
        AuditCheckpoint.objects.bulk_create(rows)
        checkpoint = Checkpoint(rows)
        trail.record(actor=None, action="audit.checkpoint", obj=None,
                     object_type="audit.auditcheckpoint", object_id=str(rows[0].pk),
                     object_repr=f"overall head {checkpoint.overall[:16]}",
                     after={"overall": checkpoint.overall,
                            "heads": {str(r.chain): [r.seq, r.hash] for r in rows},
                            "key_id": checkpoint.key_id, "signature": checkpoint.signature})
    _send(checkpoint)
    return checkpoint


def alert_broken(report: ChainReport) -> None:
    log.error("Audit chain broken at event #%s of %s: %s", report.first_bad_seq, report.where,
              report.problem)
    mail_admins("Audit chain broken", "\n".join(
        f"Event #{broken.first_bad_seq} of {broken.where}: {broken.problem}. "
        f"{broken.count} event(s) of that chain before it are intact."
        for broken in report.broken or [report]))


def checkpoint_text(checkpoint: Checkpoint) -> str:
    public_key = keyring().public_keys[checkpoint.key_id]
    heads = "\n".join(
        (_("national chain: event #{seq}, hash {hash}") if row.chain == NATIONAL else
         _("chain of province id {chain}: event #{seq}, hash {hash}")).format(
            chain=row.chain, seq=row.seq, hash=row.hash)
        for row in checkpoint.rows)
    return _(
        "The audit trail was verified and the head of each of its chains signed.\n\n"
        "Overall head: {overall}\nTime: {at}\nChains: {count}\n{heads}\n\n"
        "Signing key: {key_id}\nPublic key (Ed25519, hex): {public}\nSignature: {signature}\n\n"
        "Keep this message outside the server. To prove later that no event up to these heads "
        "was removed or rewritten, run:\n"
        "python manage.py verify_audit --expect-overall {overall}\n"
    ).format(overall=checkpoint.overall, at=checkpoint.at.isoformat(),
             count=len(checkpoint.rows), heads=heads, key_id=checkpoint.key_id,
             public=public_key_raw(public_key).hex(), signature=checkpoint.signature)


def _send(checkpoint: Checkpoint) -> None:
    subject = _("Audit checkpoint: {count} chain(s), overall head {overall}").format(
        count=len(checkpoint.rows), overall=checkpoint.overall[:16])
    body = checkpoint_text(checkpoint)
    recipients = settings.NTM_AUDIT_CHECKPOINT_RECIPIENTS
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    else:
        mail_admins(subject, body)
