"""The public record (no sign-in): recognitions with their decision, the signed file only
where the province publishes it, revocations, postings with their self-assessment summary;
no personal data and nothing of a dossier before its decision; cached for everyone."""

import pytest
from django.contrib.auth import get_user_model

from demo.journey import Journey
from dossiers.conditions import self_assessment_items
from dossiers.models import Level
from dossiers.services import assessment
from tests.conftest import queries_of


def personal_data() -> list[str]:
    values = ["Võ Trọng Hải", "Nguyễn Văn A"]  # the decision's signer, a commenter
    for user in get_user_model().objects.all():
        values += [user.username, user.email, user.get_full_name()]
    return [v for v in values if v]


def page(client, code="42") -> str:
    response = client.get(f"/public/{code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_public_record_of_a_province(client, kit, journey):
    posting = Journey.register(kit, kit.communes[1], Level.NTM)
    posting.self_assess()
    criterion, indicator = self_assessment_items(posting.dossier)[0]
    assessment.self_assessment_set(actor=posting.commune_officer, dossier=posting.dossier,
                                   criterion=criterion, indicator=indicator, value="chưa",
                                   met=False)
    posting.post(days_ago=20)
    journey.to_awaiting_decision()
    recognised_name, posting_name = kit.communes[0].name, kit.communes[1].name

    html = page(client)
    assert recognised_name not in html  # approved by the council, not decided: not shown
    assert (f"<td>{posting_name}</td><td>new rural area (NTM)</td><td>2026</td>"
            f"<td>14/07/2026</td><td>9/10</td>") in html
    assert "No commune recognised yet." in html

    journey.decide()
    html = page(client)
    row = (f"<td>{recognised_name}</td><td>new rural area (NTM)</td><td>2026</td>"
           f"<td>123/QĐ-UBND</td><td>03/08/2026</td>")
    assert row + '<td><span class="muted">not published</span></td>' in html
    decision = journey.dossier.decisions.get()
    assert client.get(f"/public/42/decisions/{decision.pk}/").status_code == 404
    for value in personal_data():
        assert value not in html, value

    kit.province.publish_decisions = True
    kit.province.save()
    html = page(client)
    assert (row + f'<td><a href="/public/42/decisions/{decision.pk}/" '
                  'aria-label="Download decision 123/QĐ-UBND">Download</a></td>') in html
    response = client.get(f"/public/42/decisions/{decision.pk}/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert b"".join(response.streaming_content) == decision.file.open("rb").read()

    journey.revoke()
    html = page(client)
    assert row not in html
    assert (f"<td>{recognised_name}</td><td>new rural area (NTM)</td><td>123/QĐ-UBND</td>"
            f"<td>99/QĐ-UBND</td><td>03/08/2026</td>") in html
    for value in personal_data():
        assert value not in html, value


@pytest.mark.django_db
def test_public_pages_are_cached_for_everyone(client, kit, journey):
    page(client)
    cached, _response = queries_of(lambda: client.get("/public/42/", HTTP_ACCEPT_LANGUAGE="en"))
    assert cached == 2  # the province and the trail's head; the figures come from the cache
    journey.self_assess()
    journey.post()
    assert kit.communes[0].name in page(client)  # a new event: fresh figures
    response = client.get("/public/42/")
    assert response["Cache-Control"] == "max-age=300"
    assert "csrftoken" not in response.cookies and "sessionid" not in response.cookies
    assert client.get("/public/99/").status_code == 404
    assert client.post("/public/42/").status_code == 405
