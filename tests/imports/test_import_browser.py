"""The import page in Chromium, as the coordination office (``vpdp``), wide and on a phone:
download the template, upload a sheet with a bad row (its problem shown, nothing written),
then the fixed sheet, apply. No sideways scrolling at 390 px; every control labelled."""

import pytest

from dossiers.models import Dossier
from tests.web.test_browser import Person, browser  # noqa: F401 - the module's browser

from .sheets import sheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/h-import-shots"


def unlabelled(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll(
        'main input:not([type=hidden]), main select, main button')].filter(e =>
        !(e.labels && e.labels.length) && !e.getAttribute('aria-label') &&
        !(e.innerText || '').trim()).map(e => e.name || e.id)""")


@pytest.mark.parametrize("width", [1400, 390])
def test_the_import_page_as_the_coordination_office(browser, live_server, kit, tmp_path,  # noqa: F811
                                                    width):
    person = Person(browser, live_server.url, "vpdp")
    page = person.page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/imports/")
    assert unlabelled(page) == []
    with page.expect_download() as download:
        page.select_option("#t_kind", "registrations")
        page.select_option("#t_batch", str(kit.batch.pk))
        page.click("button[name=data][value='0']")
    assert download.value.suggested_filename == f"registrations-{kit.province.code}-template.xlsx"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(sheet("registrations", [[kit.communes[0].code, "", "NTM", 2026, None],
                                            ["99999", "", "NTM", 2026, None]]).getvalue())
    page.select_option("#id_kind", "registrations")
    page.select_option("#id_batch", str(kit.batch.pk))
    page.set_input_files("#id_file", str(bad))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("input[name=token]").count() == 0
    assert "99999" in page.locator("ul.messages").last.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=f"{SHOTS}-{width}-refused.png", full_page=True)
    assert Dossier.objects.count() == 0
    good = tmp_path / "good.xlsx"
    good.write_bytes(sheet("registrations", [[c.code, "", "NTM", 2026, None]
                                             for c in kit.communes]).getvalue())
    page.select_option("#id_kind", "registrations")
    page.select_option("#id_batch", str(kit.batch.pk))
    page.set_input_files("#id_file", str(good))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=f"{SHOTS}-{width}-preview.png", full_page=True)
    page.click("form[action$='/imports/apply/'] button")
    page.wait_for_load_state()
    assert Dossier.objects.count() == 2
    person.close()
