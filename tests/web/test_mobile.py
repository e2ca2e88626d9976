"""At 390 px (a common phone) every role's pages fit the screen: no sideways scrolling of
the page, the header wraps by link and "Đăng xuất" stays visible. Wide tables scroll
inside themselves. Screenshots go to the pytest temporary directory for review."""

import pytest

from tests.web.test_browser import Person, browser  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def fits(person: Person, path: str, shots, name: str) -> dict:
    page = person.page
    page.set_viewport_size(PHONE)
    page.goto(f"{person.base}{path}")
    page.screenshot(path=str(shots / f"{name}.png"), full_page=False)
    return page.evaluate("""() => {
        const out = document.querySelector("header.top button[type=submit]").getBoundingClientRect();
        const brand = document.querySelector("header.top .brand").getBoundingClientRect();
        return {scroll: document.documentElement.scrollWidth,
                signout_right: Math.round(out.right), brand_height: Math.round(brand.height)};
    }""")


def test_every_role_fits_a_phone(browser, live_server, journey, tmp_path):  # noqa: F811
    journey.self_assess()
    journey.post()
    dossier = journey.dossier
    pages = {
        journey.commune_officer.username: ["/", f"/dossiers/{dossier.pk}/"],
        "so_xd": ["/", f"/dossiers/{dossier.pk}/", "/appraisals/"],
        "vpdp": ["/", f"/dossiers/{dossier.pk}/", "/batches/", "/meetings/"],
        "chu_tich": ["/"],
        "thanh_tra": ["/", "/audit/"],
    }
    seen = {}
    for username, paths in pages.items():
        person = Person(browser, live_server.url, username)
        for n, path in enumerate(paths):
            seen[(username, path)] = fits(person, path, tmp_path, f"{username}-{n}")
        person.context.close()
    print(f"screenshots in {tmp_path}")
    too_wide = {k: v for k, v in seen.items() if v["scroll"] > PHONE["width"]}
    signout_hidden = {k: v for k, v in seen.items() if v["signout_right"] > PHONE["width"]}
    # The brand line wraps to at most two lines of text (about 2 × 1.05rem × 1.2).
    brand_broken = {k: v for k, v in seen.items() if v["brand_height"] > 60}
    assert (too_wide, signout_hidden, brand_broken) == ({}, {}, {})
