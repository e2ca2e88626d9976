"""The set-up pages in Chromium, as the administrator and as the coordination office, at
1400 px and 390 px: nothing scrolls sideways, every control is labelled."""

import os

import pytest

from tests.conftest import PASSWORD
from tests.web.test_browser import browser  # noqa: F401 - the shared Chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set SETUP_SHOTS to a folder to keep a screenshot of every page (for a person to look at).
SHOTS = os.environ.get("SETUP_SHOTS", "")

UNLABELLED = """() => [...document.querySelectorAll('main input, main select, main textarea')]
  .filter(e => e.type !== 'hidden' && !e.closest('label') && !e.getAttribute('aria-label')
          && !(e.id && document.querySelector(`label[for="${e.id}"]`)))
  .map(e => e.name)"""


def pages(kit):
    p = kit.province.pk
    return [f"/setup/{p}/", f"/setup/{p}/communes/", f"/setup/{p}/communes/{kit.communes[0].pk}/",
            f"/setup/{p}/agencies/", f"/setup/{p}/agencies/{kit.agencies['xd'].pk}/",
            f"/setup/{p}/responsibilities/", f"/setup/{p}/profiles/", f"/setup/{p}/batches/"]


@pytest.mark.parametrize("username", ["root", "vpdp"])
def test_set_up_pages_fit_and_are_labelled(browser, live_server, kit, username):  # noqa: F811
    for width in (1400, 390):
        context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        assert page.locator("header nav a[href='/setup/']").count() == 1
        for path in ["/setup/", *pages(kit)]:
            page.goto(live_server.url + path)
            assert page.title() != ""
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert (path, wide) == (path, width)
            assert (path, page.evaluate(UNLABELLED)) == (path, [])
            if SHOTS:
                name = f"{username}-{width}-{path.strip('/').replace('/', '_')}.png"
                page.screenshot(path=os.path.join(SHOTS, name), full_page=True)
        context.close()
