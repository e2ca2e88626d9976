"""Digital signatures of uploaded decisions, read with pyHanko.

``signature_report`` reads every signature embedded in a PDF and says whether the file is
signed, by whom, whether it is intact (the signed bytes hash to the signed digest and the
signature over them verifies), what the signature covers, whether anything was added after
signing, and whether the signer's certificate chains to one of the administrator's trust
roots. Nothing is fetched from the network (no revocation look-ups): without trust roots
the signer's name and the file's integrity are still reported, marked unverified."""

from __future__ import annotations

import asyncio
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis.policy_api import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

log = logging.getLogger(__name__)

UNSIGNED, INTACT, CHANGED = "unsigned", "intact", "changed"

# What may be added after a signature without changing what was signed: nothing, or
# only validation data (timestamps, revocation information).
_HARMLESS = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)


@dataclass(frozen=True)
class SignatureReport:
    status: str               # UNSIGNED, INTACT or CHANGED
    signatures: int = 0
    signer_name: str = ""
    signer_organisation: str = ""
    signed_at: object = None  # the time the signer's software reported, if any
    coverage: str = ""        # "entire_file", "entire_revision", "contiguous_block" ...
    trusted: bool = False     # the signer's certificate chains to an administrator's root
    detail: str = ""


def load_certificates(pem_or_der: bytes) -> list[asn1_x509.Certificate]:
    """Every certificate of a PEM bundle (or one DER certificate); ``ValueError`` if none."""
    if pem.detect(pem_or_der):
        certs = [asn1_x509.Certificate.load(der)
                 for kind, _headers, der in pem.unarmor(pem_or_der, multiple=True)
                 if kind == "CERTIFICATE"]
    else:
        certs = [asn1_x509.Certificate.load(pem_or_der)]
    for cert in certs:
        _ = cert.native  # parses the whole certificate: raises ValueError on garbage
    if not certs:
        raise ValueError("no certificate")
    return certs


def _outside_event_loop(work):
    """pyHanko's synchronous validation runs its own event loop: inside a running one (an
    async server, a browser-driven test) it runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def signature_report(data: bytes, *, trust_roots: list[asn1_x509.Certificate]) -> SignatureReport:
    """What the signatures embedded in ``data`` (a PDF) say; the last signature is the one
    reported on (the decision is signed last), every signature must be intact."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        log.info("PDF not readable for signatures: %s", exc)
        return SignatureReport(UNSIGNED, detail="unreadable")
    if not embedded:
        return SignatureReport(UNSIGNED)
    context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False)
    try:
        statuses = _outside_event_loop(
            lambda: [validate_pdf_signature(sig, context) for sig in embedded])
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as exc:
        log.info("Signature not verifiable: %s", exc)
        return SignatureReport(CHANGED, signatures=len(embedded), detail="unverifiable")
    last = statuses[-1]
    subject = last.signing_cert.subject.native
    changed = any(not s.intact or not s.valid for s in statuses) or any(
        s.modification_level is not None and s.modification_level not in _HARMLESS
        for s in statuses)
    coverage = last.coverage.name.lower() if isinstance(last.coverage,
                                                         SignatureCoverageLevel) else ""
    return SignatureReport(
        CHANGED if changed else INTACT, signatures=len(embedded),
        signer_name=str(subject.get("common_name", "")),
        signer_organisation=str(subject.get("organization_name", "")),
        signed_at=last.signer_reported_dt, coverage=coverage,
        trusted=bool(trust_roots) and all(s.trusted for s in statuses))
