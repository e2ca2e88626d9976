"""Irreversible actions ask for confirmation in the browser; saying no changes nothing."""

import pytest

from dossiers.models import DossierStatus
from tests.web.test_browser import Person, browser  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_refusing_a_dossier_asks_first(browser, live_server, journey):  # noqa: F811
    journey.to_consolidation()
    office = Person(browser, live_server.url, "vpdp")
    office.dossier(journey.dossier)
    form = office.page.locator("form[action$='/refuse/']")
    assert form.get_attribute("class") == "irreversible"
    form.get_by_label("Lý do từ chối").fill("Hồ sơ không đủ điều kiện")

    office.confirm = False
    form.locator("button").click()
    assert office.questions == ["Từ chối hồ sơ này? Không thể hoàn tác."]
    journey.dossier.refresh_from_db()
    assert journey.dossier.status == DossierStatus.CONSOLIDATION

    office.confirm = True
    with office.page.expect_navigation():
        form.locator("button").click()
    journey.dossier.refresh_from_db()
    assert journey.dossier.status == DossierStatus.NOT_RECOGNISED
    assert office.outside == []
