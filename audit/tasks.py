"""Background work on the audit trail (thin wrappers around ``audit.chain``)."""

import logging

from celery import shared_task
from django.core.mail import mail_admins
from django.db import transaction

from . import trail
from .chain import verify_chain
from .models import AuditEvent

log = logging.getLogger(__name__)


@shared_task(name="audit.verify")
def audit_verify() -> dict:
    """Verify the whole chain; record the verified head, or alert the administrators."""
    report = verify_chain()
    if not report.ok:
        log.error("Audit chain broken at event #%s: %s", report.first_bad_seq, report.problem)
        mail_admins("Audit chain broken",
                    f"Event #{report.first_bad_seq}: {report.problem}. "
                    f"{report.count} event(s) before it are intact.")
        return {"ok": False, "count": report.count, "first_bad_seq": report.first_bad_seq}
    with transaction.atomic():
        head = AuditEvent.objects.order_by("-seq").first()
        if head is not None:
            trail.record(actor=None, action="audit.verified", obj=head,
                         after={"events": report.count, "head_seq": head.seq,
                                "head_hash": head.hash})
    return {"ok": True, "count": report.count}
