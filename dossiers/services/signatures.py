"""Checking the digital signature of an uploaded decision (``dossiers.signatures``), with
the administrator's trusted roots, and recording the result with its audit event."""

from __future__ import annotations

from typing import Any

from audit import trail

from ..models import Agency, Decision, DecisionSignature, TrustRoot
from ..signatures import UNSIGNED, SignatureReport, load_certificates, signature_report

SIGNATURE_FIELDS = ("status", "signatures", "signer_name", "signer_organisation", "signed_at",
                    "coverage", "trusted")


def trust_roots() -> list:
    """The active certificates the administrator trusts (a bad one is skipped: the admin
    form refuses them, so only a row written around it could be bad)."""
    certs = []
    for root in TrustRoot.objects.filter(active=True):
        try:
            certs += load_certificates(root.certificate.encode())
        except (ValueError, TypeError):
            continue
    return certs


def decision_signature_check(*, actor: Any, agency: Agency | None,
                             decision: Decision) -> DecisionSignature:
    """Read the stored decision file's signature and record what it says. Runs inside the
    transaction that stores the decision (``decisions.decision_add``)."""
    if decision.content_type == "application/pdf":
        with decision.file.open("rb") as stream:
            report = signature_report(stream.read(), trust_roots=trust_roots())
    else:
        report = SignatureReport(UNSIGNED)
    signature = DecisionSignature.objects.create(
        decision=decision, status=report.status, signatures=report.signatures,
        signer_name=report.signer_name[:200], signer_organisation=report.signer_organisation[:200],
        signed_at=report.signed_at, coverage=report.coverage, trusted=report.trusted)
    trail.record(actor=actor, agency=agency, action="decision.signature_check", obj=signature,
                 dossier=decision.dossier,
                 after={**trail.snapshot(signature, SIGNATURE_FIELDS),
                        "sha256": decision.sha256, "number": decision.number})
    return signature
