"""The report, a figure's dossiers and the roadmap in Chromium, at 1400 px and at 390 px:
nothing scrolls sideways; the central office sees the table by province. Screenshots go to
the pytest temporary directory for review."""

import pytest
from django.contrib.auth import get_user_model

from dossiers.services.roadmap import central_office_member_set
from tests.conftest import PASSWORD
from tests.web.test_browser import Person, browser  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARCH = "?province=42&kind=month&year=2026&number=3"
SIZES = {"desk": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}


def widths(person: Person, path: str, shots, name: str) -> dict[str, int]:
    page = person.page
    seen = {}
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(f"{person.base}{path}")
        page.screenshot(path=str(shots / f"{name}-{size}.png"), full_page=True)
        seen[size] = page.evaluate("() => document.documentElement.scrollWidth")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        'main input:not([type=hidden]), main select, main button')].filter(el =>
        !(el.closest('label') || el.getAttribute('aria-label') || el.textContent.trim()
          || (el.id && document.querySelector(`label[for="${el.id}"]`)))).length""")
    return {**seen, "unlabelled": unlabelled}


def test_the_report_pages_in_the_browser(browser, live_server, history, admin_user,  # noqa: F811
                                         tmp_path):
    kit, _journeys = history
    central = get_user_model().objects.create_user("trung_uong", password=PASSWORD)
    central_office_member_set(actor=admin_user, user=central, member=True, reason="VPĐP TW")
    pages = {
        "vpdp": [f"/reports/{MARCH}", f"/reports/figures/roadmap.2026.NTM.missing/{MARCH}",
                 "/reports/roadmap/", f"/batches/{kit.batch.pk}/"],
        "trung_uong": ["/reports/?province=all&kind=quarter&year=2026&number=1"],
    }
    seen = {}
    for username, paths in pages.items():
        person = Person(browser, live_server.url, username)
        for n, path in enumerate(paths):
            seen[(username, path)] = widths(person, path, tmp_path, f"{username}-{n}")
        if username == "vpdp":
            person.page.goto(f"{live_server.url}/reports/{MARCH}")
            text = person.page.inner_text("main")
            assert "Hà Tĩnh" in text and "11,8" in text
            with person.page.expect_download() as download:
                person.page.click("a[href$='format=pdf']")
            assert download.value.suggested_filename == "bao-cao-ntm-42-20260301-20260331.pdf"
        else:
            person.page.goto(f"{live_server.url}{paths[0]}")
            assert "Nghệ An" not in person.page.inner_text("main")  # one province only here
            assert person.page.locator("main table").first.inner_text().count("Hà Tĩnh") == 1
        assert person.outside == []
        person.context.close()
    print(f"screenshots in {tmp_path}")
    assert {k: v for k, v in seen.items()
            if v["desk"] > 1400 or v["phone"] > 390 or v["unlabelled"]} == {}
