"""Background work on the audit trail (thin wrappers around ``audit.chain`` and
``audit.checkpoints``)."""

from celery import shared_task
from django.db import transaction

from . import trail
from .chain import verify_chain
from .checkpoints import ChainBroken, alert_broken, checkpoint_create
from .publication import head_publish


@shared_task(name="audit.verify")
def audit_verify() -> dict:
    """Verify the whole chain and the checkpoints; record the verified head, or alert the
    administrators."""
    report = verify_chain()
    if not report.ok:
        alert_broken(report)
        return {"ok": False, "count": report.count, "first_bad_seq": report.first_bad_seq,
                "kind": report.kind}
    if report.heads:
        with transaction.atomic():
            trail.record(actor=None, action="audit.verified", obj=None,
                         object_type="audit.chain", object_id="all",
                         object_repr=f"{len(report.heads)} chain(s)",
                         after={"events": report.count,
                                "heads": {str(c): list(h) for c, h in report.heads.items()}})
    return {"ok": True, "count": report.count}


@shared_task(name="audit.checkpoint")
def audit_checkpoint() -> dict:
    """Sign the chain head and e-mail the checkpoint to the auditors (every six hours)."""
    try:
        checkpoint = checkpoint_create()
    except ChainBroken as exc:
        return {"ok": False, "first_bad_seq": exc.report.first_bad_seq, "kind": exc.report.kind}
    if checkpoint is None:
        return {"ok": True, "overall": None}
    return {"ok": True, "overall": checkpoint.overall, "chains": len(checkpoint.rows)}


@shared_task(name="audit.publish_head")
def audit_publish_head() -> dict:
    """Publish the latest checkpoint's head on the public page (once a day)."""
    head = head_publish()
    if head is None:
        return {"ok": True, "seq": None}
    return {"ok": True, "day": head.day.isoformat(), "seq": head.seq, "hash": head.hash}
