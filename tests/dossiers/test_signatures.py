"""Signed decisions: the digital signature of the uploaded decision is checked (pyHanko)
with a throwaway certificate made here; the result is stored, audited and shown."""

import io

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from dossiers.models import DecisionSignature, TrustRoot
from dossiers.signatures import signature_report
from tests.signing import (
    altered,
    cert_pem,
    signed_pdf,
    throwaway_certificate,
    unsigned_pdf,
)
from workflow import services


@pytest.fixture(scope="module")
def certificate():
    return throwaway_certificate("Võ Trọng Hải", "UBND tỉnh Hà Tĩnh")


def test_signed_intact_unverified_without_trust_roots(certificate):
    report = signature_report(signed_pdf(*certificate), trust_roots=[])
    assert (report.status, report.signatures, report.signer_name, report.signer_organisation,
            report.coverage, report.trusted) == (
        "intact", 1, "Võ Trọng Hải", "UBND tỉnh Hà Tĩnh", "entire_file", False)


def test_altered_byte_is_reported_changed(certificate):
    report = signature_report(altered(signed_pdf(*certificate)), trust_roots=[])
    assert (report.status, report.signatures, report.signer_name) == (
        "changed", 1, "Võ Trọng Hải")


def test_unsigned_and_unreadable_pdfs_are_unsigned():
    assert signature_report(unsigned_pdf(), trust_roots=[]).status == "unsigned"
    assert signature_report(b"%PDF-1.4\n% scan\n%%EOF\n", trust_roots=[]).status == "unsigned"


def test_content_appended_after_signing_is_changed(certificate):
    """An incremental update that adds a page after signing changes the document."""
    import pypdf

    writer = pypdf.PdfWriter(io.BytesIO(signed_pdf(*certificate)), incremental=True)
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    report = signature_report(out.getvalue(), trust_roots=[])
    assert (report.status, report.coverage) == ("changed", "entire_revision")


def _decide(journey, data: bytes):
    journey.to_awaiting_decision()
    return services.decision_record(
        actor=journey.u("chu_tich"), dossier=journey.dossier, number="123/QĐ-UBND",
        signed_on=timezone.localdate(), signer_name="Võ Trọng Hải",
        signer_title="Chủ tịch UBND tỉnh", upload=io.BytesIO(data), name="quyet-dinh.pdf")


def test_uploaded_signed_decision_is_checked_recorded_and_shown(journey, certificate, client):
    TrustRoot.objects.create(name="CA thử", certificate=cert_pem(certificate[0]))
    decision = _decide(journey, signed_pdf(*certificate))
    signature = DecisionSignature.objects.get(decision=decision)
    assert (signature.status, signature.signer_name, signature.trusted) == (
        "intact", "Võ Trọng Hải", True)
    event = AuditEvent.objects.get(action="decision.signature_check")
    assert (event.dossier_id, event.after["status"], event.after["signer_name"],
            event.after["trusted"], event.after["sha256"]) == (
        journey.dossier.pk, "intact", "Võ Trọng Hải", True, decision.sha256)
    client.force_login(journey.u("vpdp"))
    page = client.get(f"/dossiers/{journey.dossier.pk}/",
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ("Digital signature: signed, unchanged since signing — signed by Võ Trọng Hải "
            "(UBND tỉnh Hà Tĩnh); certificate verified against a trusted root") in page


def test_uploaded_altered_decision_is_recorded_changed_and_unverified(journey, certificate):
    decision = _decide(journey, altered(signed_pdf(*certificate)))
    assert (decision.signature.status, decision.signature.signer_name,
            decision.signature.trusted) == ("changed", "Võ Trọng Hải", False)


def test_uploaded_unsigned_decision_is_recorded_unsigned(journey):
    decision = _decide(journey, unsigned_pdf())
    assert (decision.signature.status, decision.signature.signatures) == ("unsigned", 0)


def test_checked_inside_a_running_event_loop(certificate):
    """pyHanko runs an event loop of its own: an async server's loop does not stop it."""
    import asyncio

    data = signed_pdf(*certificate)

    async def check():
        return signature_report(data, trust_roots=[]).status

    assert asyncio.run(check()) == "intact"
