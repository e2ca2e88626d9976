"""The public record in Debian's Chromium, at 1400 px and at 390 px: nothing scrolls
sideways, and the signed decision's check and the documents show on the dossier page."""

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone

from audit.checkpoints import checkpoint_create
from audit.publication import head_publish
from demo.journey import Journey
from dossiers.models import Level
from tests.conftest import PASSWORD
from tests.signing import signed_pdf, throwaway_certificate
from tests.web.test_browser import browser  # noqa: F401
from workflow import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_pages_fit_desktop_and_phone(browser, live_server, kit):  # noqa: F811
    j = Journey.register(kit, kit.communes[0], Level.NTM)
    p = Journey.register(kit, kit.communes[1], Level.NTM)
    p.self_assess()
    p.post()
    j.to_awaiting_decision()
    cert = throwaway_certificate("Võ Trọng Hải", "UBND tỉnh Hà Tĩnh")
    services.decision_record(actor=j.u("chu_tich"), dossier=j.dossier, number="123/QĐ-UBND",
                             signed_on=timezone.localdate(), signer_name="Võ Trọng Hải",
                             signer_title="Chủ tịch", upload=io.BytesIO(
                                 # pyHanko signs with an event loop of its own: outside
                                 # Playwright's
                                 ThreadPoolExecutor(1).submit(signed_pdf, *cert).result()),
                             name="qd.pdf")
    kit.province.publish_decisions = True
    kit.province.save()
    checkpoint_create()
    head_publish()
    for width in (1400, 390):
        ctx = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
        page = ctx.new_page()
        for url in ("/public/", "/public/42/"):
            page.goto(live_server.url + url)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", "vpdp")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(live_server.url + f"/dossiers/{j.dossier.pk}/")
        # the letter, 6 departments (tests.conftest.DEPARTMENTS but finance), the
        # consolidated report, the minutes, the draft decision
        assert page.locator("#official-documents + p + ul a").count() == 10
        assert page.locator(".signature-intact").count() == 1
        ctx.close()
