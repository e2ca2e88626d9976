"""Signed checkpoints of the chain head, e-mailed to the auditors.

A checkpoint is signed only over a chain that verifies; the e-mail carries everything an
auditor needs to check the trail later from outside the server (``verify_audit
--expect-seq N --expect-hash H``) and the public key that verifies the signature."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import mail_admins, send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import trail
from .chain import ChainReport, checkpoint_sign, lock_chain, verify_chain
from .keys import keyring, public_key_raw
from .models import AuditCheckpoint, AuditEvent

log = logging.getLogger(__name__)


class ChainBroken(RuntimeError):
    def __init__(self, report: ChainReport) -> None:
        super().__init__(report.problem)
        self.report = report


def checkpoint_create(*, now: dt.datetime | None = None) -> AuditCheckpoint | None:
    """Verify the chain, sign its head, store the checkpoint, record it in the trail and
    e-mail it to the auditors. ``None`` when the trail is empty; ``ChainBroken`` (and an
    alert to the administrators) when it does not verify: a broken head is never signed."""
    keys = keyring()
    with transaction.atomic():
        lock_chain()
        report = verify_chain()
        if not report.ok:
            alert_broken(report)
            raise ChainBroken(report)
        head = AuditEvent.objects.order_by("-seq").first()
        if head is None:
            return None
        checkpoint = AuditCheckpoint(seq=head.seq, hash=head.hash, at=now or timezone.now())
        checkpoint_sign(checkpoint, keys)
        checkpoint.save(force_insert=True)
        trail.record(actor=None, action="audit.checkpoint", obj=head,
                     after={"head_seq": checkpoint.seq, "head_hash": checkpoint.hash,
                            "key_id": checkpoint.key_id, "signature": checkpoint.signature})
    _send(checkpoint)
    return checkpoint


def alert_broken(report: ChainReport) -> None:
    log.error("Audit chain broken at event #%s: %s", report.first_bad_seq, report.problem)
    mail_admins("Audit chain broken",
                f"Event #{report.first_bad_seq}: {report.problem}. "
                f"{report.count} event(s) before it are intact.")


def checkpoint_text(checkpoint: AuditCheckpoint) -> str:
    public_key = keyring().public_keys[checkpoint.key_id]
    return _(
        "The audit trail was verified and its head signed.\n\n"
        "Event: #{seq}\nHash: {hash}\nTime: {at}\n"
        "Signing key: {key_id}\nPublic key (Ed25519, hex): {public}\nSignature: {signature}\n\n"
        "Keep this message outside the server. To prove later that no event up to this one "
        "was removed or rewritten, run:\n"
        "python manage.py verify_audit --expect-seq {seq} --expect-hash {hash}\n"
    ).format(seq=checkpoint.seq, hash=checkpoint.hash, at=checkpoint.at.isoformat(),
             key_id=checkpoint.key_id, public=public_key_raw(public_key).hex(),
             signature=checkpoint.signature)


def _send(checkpoint: AuditCheckpoint) -> None:
    subject = _("Audit checkpoint: event #{seq}").format(seq=checkpoint.seq)
    body = checkpoint_text(checkpoint)
    recipients = settings.NTM_AUDIT_CHECKPOINT_RECIPIENTS
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    else:
        mail_admins(subject, body)
