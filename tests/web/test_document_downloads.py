"""A dossier's official documents from the dossier page and the API: for those who may read
the dossier, with the PDF's hash in the audit trail; refusals are messages, 403 or 400; a dossier the caller may not read is answered as absent
(404)."""

import hashlib

import pytest

from audit.models import AuditEvent


@pytest.mark.django_db
def test_page_links_and_downloads(client, journey, other_kit):
    dossier = journey.dossier
    client.force_login(journey.commune_officer)
    html = client.get(f"/dossiers/{dossier.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (f'<a href="/dossiers/{dossier.pk}/documents/submission_letter/">'
            "Submission letter (tờ trình)</a>") in html
    assert "decision_draft" not in html  # not before the council approves

    response = client.get(f"/dossiers/{dossier.pk}/documents/submission_letter/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response["Content-Disposition"] == (
        f'attachment; filename="submission_letter-{dossier.pk}.pdf"')
    event = AuditEvent.objects.get(action="document.generate")
    assert event.after["sha256"] == hashlib.sha256(response.content).hexdigest()

    response = client.get(f"/dossiers/{dossier.pk}/documents/decision_draft/",
                          HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "The council has not approved this dossier."]
    assert client.get(f"/dossiers/{dossier.pk}/documents/nothing/").status_code == 404
    assert client.get(f"/dossiers/{dossier.pk}/documents/appraisal_report/?agency=x"
                      ).status_code == 404

    client.force_login(other_kit.users["na_vpdp"])
    assert client.get(f"/dossiers/{dossier.pk}/documents/submission_letter/").status_code == 404
    client.logout()
    assert client.get(f"/dossiers/{dossier.pk}/documents/submission_letter/").status_code == 302
    assert AuditEvent.objects.filter(action="document.generate").count() == 1


@pytest.mark.django_db
def test_api_lists_and_serves_documents(client, journey, other_kit):
    dossier = journey.dossier
    base = f"/api/dossiers/{dossier.pk}/generated-documents/"
    client.force_login(journey.u("vpdp"))
    listing = client.get(base, HTTP_ACCEPT_LANGUAGE="en").json()
    assert listing == [{"kind": "submission_letter", "label": "Submission letter (tờ trình)",
                        "agency": None, "url": f"http://testserver{base}submission_letter/"}]
    response = client.get(f"{base}submission_letter/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert AuditEvent.objects.get(action="document.generate").after["sha256"] == (
        hashlib.sha256(response.content).hexdigest())
    refused = client.get(f"{base}council_minutes/", HTTP_ACCEPT_LANGUAGE="en")
    assert (refused.status_code, refused.json()["problems"]) == (
        400, ["The council has not voted on this dossier yet."])
    client.force_login(other_kit.users["na_vpdp"])
    assert client.get(f"{base}submission_letter/").status_code == 404
    assert client.get(base).status_code == 404
