"""Accessibility, checked by axe-core (bundled by axe-playwright-python, injected from the
local package: nothing is fetched) on the pages officials work in, at desk and phone widths.
No serious or critical violation is allowed."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import PASSWORD
from tests.web.test_browser import browser  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1400, 390)
SERIOUS = {"serious", "critical"}


def violations(browser, base: str, username: str, paths: list[str]) -> dict:  # noqa: F811
    context = browser.new_context(locale="vi-VN", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    axe = Axe()
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            page.goto(f"{base}{path}")
            result = axe.run(page)
            bad = [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
                   for v in result.response["violations"] if v["impact"] in SERIOUS]
            if bad:
                found[(username, width, path)] = bad
    context.close()
    return found


def test_work_pages_have_no_serious_accessibility_violation(browser, live_server, journey,  # noqa: F811
                                                            kit):
    journey.to_appraisal()
    dossier = f"/dossiers/{journey.dossier.pk}/"
    found = {}
    found |= violations(browser, live_server.url, journey.commune_officer.username,
                        ["/", dossier, "/dossiers/"])
    found |= violations(browser, live_server.url, "so_xd", ["/", dossier, "/appraisals/"])
    found |= violations(browser, live_server.url, "vpdp",
                        ["/", dossier, "/batches/", f"/batches/{kit.batch.pk}/", "/meetings/",
                         "/audit/"])
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())
