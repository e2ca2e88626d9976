"""In a real browser (Debian's Chromium driven by Playwright), against the running server:
every role signs in and does its work, and one dossier goes from self-assessment to the
chairman's decision entirely through the pages. Nothing is loaded from outside the server."""

import datetime as dt
import os
import shutil

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from dossiers.models import CriterionAppraisal, DossierDocument, DossierStatus
from tests.conftest import PASSWORD
from web.views.audit import PAGE_SIZE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: `python3 dev.py test` installs it "
                    "(apt-get install chromium).")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync"])
    yield chromium
    chromium.close()
    playwright.stop()


def percent(share: float) -> str:
    """As the page shows a share: one decimal, none if it is zero."""
    return f"{100 * share:.1f}".removesuffix(".0") + "%"


class Person:
    """One role's browser session."""

    def __init__(self, browser, base: str, username: str) -> None:
        self.base = base
        self.context = browser.new_context(locale="vi-VN", accept_downloads=True)
        self.page = self.context.new_page()
        self.outside: list[str] = []
        # Irreversible actions ask first (data-confirm): answer yes unless told otherwise.
        self.confirm = True
        self.questions: list[str] = []
        self.page.on("dialog", self._answer)
        self.page.on("request", self._watch)
        self.page.goto(f"{base}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{base}/")

    def _answer(self, dialog) -> None:
        self.questions.append(dialog.message)
        if self.confirm:
            dialog.accept()
        else:
            dialog.dismiss()

    def _watch(self, request) -> None:
        if not request.url.startswith(self.base) and not request.url.startswith("data:"):
            self.outside.append(request.url)

    def dossier(self, dossier) -> None:
        self.page.goto(f"{self.base}/dossiers/{dossier.pk}/")

    def submit(self, action: str, button: str = "button[type=submit]") -> None:
        self.page.locator(f"form[action$='/{action}/'] {button}").first.click()
        self.page.wait_for_load_state()

    def errors(self) -> list[str]:
        return self.page.locator("ul.messages li.error").all_inner_texts()

    def close(self) -> None:
        assert self.outside == [], self.outside
        self.context.close()


def test_a_dossier_from_self_assessment_to_decision_in_the_browser(browser, live_server, journey,
                                                                    kit, tmp_path):
    base, dossier = live_server.url, journey.dossier
    evidence = tmp_path / "bien-ban.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% hop thon\n%%EOF\n")

    commune = Person(browser, base, journey.commune_officer.username)
    page = commune.page
    assert "Nhiệm vụ của tôi" in page.content()
    page.click(f"a[href='/dossiers/{dossier.pk}/']")
    for select in page.locator("select[name^=met_]").all():
        select.select_option("yes")
    for field in page.locator("input[name^=value_]").all():
        field.fill("đạt")
    commune.submit("self_assessment")  # save the lines first
    page.set_input_files("form[action$='/evidence/'] input[type=file]", str(evidence))
    commune.submit("evidence")
    assert "bien-ban.pdf" in page.content()
    page.fill("input[name=posting_starts_on]",
              (timezone.localdate() - dt.timedelta(days=16)).strftime("%d/%m/%Y"))
    commune.submit("self_assessment", "button[name=finish]")
    assert commune.errors() == []
    journey.refresh()
    assert journey.dossier.status == DossierStatus.PUBLIC_POSTING
    page.fill("form[action$='/comment/'] input[name=author]", "Nguyễn Văn A")
    page.fill("form[action$='/comment/'] input[name=received_on]",
              timezone.localdate().strftime("%d/%m/%Y"))
    page.fill("form[action$='/comment/'] textarea[name=content]", "Đồng ý")
    page.fill("form[action$='/comment/'] textarea[name=response]", "Tiếp thu")
    commune.submit("comment")
    commune.submit("close_posting")
    assert journey.refresh().status == DossierStatus.SURVEY

    front = Person(browser, base, journey.front_officer.username)
    front.dossier(dossier)
    for row in front.page.locator("tr[data-village]").all():
        inputs = row.locator("input")
        households = int(inputs.nth(0).input_value())
        inputs.nth(1).fill(str(households - 5))
        inputs.nth(2).fill(str(households - 7))
    # The rates are computed live, in the page: 5 fewer surveyed and 7 fewer satisfied
    # households than each village has.
    villages = list(journey.commune.villages.all())
    households = sum(v.households for v in villages)
    surveyed, satisfied = households - 5 * len(villages), households - 7 * len(villages)
    assert front.page.locator("#survey-total b").all_inner_texts() == [
        percent(surveyed / households), percent(satisfied / surveyed)]
    front.submit("survey", "button[name=finish]")
    assert front.errors() == [] and journey.refresh().status == DossierStatus.READY_TO_SUBMIT

    commune.dossier(dossier)
    for kind in DossierDocument.REQUIRED_FOR_SUBMISSION:
        page.select_option("form[action$='/document/'] select[name=kind]", kind)
        page.set_input_files("form[action$='/document/'] input[type=file]", str(evidence))
        commune.submit("document")
    commune.submit("submit")
    assert journey.refresh().status == DossierStatus.APPRAISAL

    for code in ("xd", "nn", "nv", "vh", "kh", "ca"):
        department = Person(browser, base, f"so_{code}")
        assert dossier.commune.name in department.page.content()  # in the agency's queue
        department.dossier(dossier)
        for item in CriterionAppraisal.objects.filter(dossier=dossier, agency__code=code):
            department.page.select_option(f"select[name=result_{item.pk}]", "met")
        department.submit("appraise")
        assert department.errors() == []
        department.close()
    mttq = Person(browser, base, "mttq_tinh")
    mttq.dossier(dossier)
    mttq.page.check("input[name=process_sound][value=yes]")
    mttq.submit("survey_appraisal")
    mttq.close()
    for username, step in (("so_tc", "confirm_debt"), ("so_ca", "confirm_security")):
        confirmer = Person(browser, base, username)
        confirmer.dossier(dossier)
        confirmer.page.check(f"form[action$='/{step}/'] input[name=holds][value=yes]")
        confirmer.submit(step)
        confirmer.close()
    assert journey.refresh().status == DossierStatus.CONSOLIDATION

    office = Person(browser, base, "vpdp")
    office.page.goto(f"{base}/meetings/")
    office.page.fill("input[name=title]", "Phiên họp Hội đồng đợt 1")
    office.page.fill("input[name=date]",
                     (timezone.localdate() + dt.timedelta(days=2)).strftime("%d/%m/%Y"))
    office.page.click("form:has(input[value=create]) button")
    office.dossier(dossier)
    office.page.fill("form[action$='/schedule/'] textarea[name=report]", "Đủ điều kiện")
    office.submit("schedule")
    assert journey.refresh().status == DossierStatus.COUNCIL
    office.page.goto(f"{base}/meetings/")
    office.page.click("form:has(input[value=open]) button")
    for member in kit.council_members:
        councillor = Person(browser, base, member.username)
        councillor.dossier(dossier)
        councillor.page.click("form[action$='/vote/'] button[value=yes]")
        assert councillor.errors() == []
        councillor.close()
    office.dossier(dossier)
    office.submit("close_vote")
    assert journey.refresh().status == DossierStatus.AWAITING_DECISION

    chairman = Person(browser, base, "chu_tich")
    chairman.dossier(dossier)
    form = "form[action$='/decide/']"
    chairman.page.fill(f"{form} input[name=number]", "15/QĐ-UBND")
    chairman.page.fill(f"{form} input[name=signed_on]", timezone.localdate().strftime("%d/%m/%Y"))
    chairman.page.fill(f"{form} input[name=signer_name]", "Chủ tịch UBND tỉnh")
    chairman.page.fill(f"{form} input[name=signer_title]", "Chủ tịch")
    chairman.page.set_input_files(f"{form} input[type=file]", str(evidence))
    chairman.submit("decide")
    assert chairman.errors() == []
    assert journey.refresh().status == DossierStatus.RECOGNISED
    chairman.page.screenshot(path=str(tmp_path / "recognised.png"), full_page=True)

    auditor = Person(browser, base, "thanh_tra")
    auditor.page.click("a[href='/audit/']")
    # The first page of the province's trail, oldest first.
    visible = AuditEvent.objects.filter(province_id=kit.province.pk).order_by("seq")
    shown = auditor.page.locator("table tbody tr td:first-child").all_inner_texts()
    assert shown == [str(seq) for seq in visible.values_list("seq", flat=True)[:PAGE_SIZE]]
    # The dossier's story: every event of the dossier, one section each, in order; the
    # decision's number is in the decision's events (recorded, its signature checked) and the
    # recognition it caused only.
    auditor.page.goto(f"{base}/audit/dossier/{dossier.pk}/")
    story = AuditEvent.objects.filter(dossier_id=dossier.pk).order_by("seq")
    headings = auditor.page.locator("section h3 a").all_inner_texts()
    assert headings == [f"#{seq}" for seq in story.values_list("seq", flat=True)]
    decided = story.filter(action__in=("decision.recognition", "decision.signature_check",
                                       "dossier.recognise"))
    assert auditor.page.locator("section", has_text="15/QĐ-UBND").locator(
        "h3 a").all_inner_texts() == [f"#{seq}" for seq in decided.values_list("seq", flat=True)]
    for person in (commune, front, office, chairman, auditor):
        person.close()
