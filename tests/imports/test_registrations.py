"""Bulk registration from a sheet: 40+ communes, one bad row refuses the whole sheet (the row's
problem named, nothing written), then the fixed sheet is applied in one transaction, audited
(issue 9, items 3 and 8)."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from dossiers.exceptions import RuleViolation
from dossiers.imports.engine import Scope, import_apply, import_sheet, template_bytes
from dossiers.models import Dossier, Level
from tests.conftest import make_province
from workflow.services import imports  # noqa: F401 - registers the kind

from .sheets import rows_of, sheet

NTM = "new rural area (NTM)"
BAD_LINE = 27


@pytest.fixture
def big(admin_user, catalogue):
    return make_province(admin_user, "44", "Quảng Bình", 42, "qb_")


def rows(kit, bad: bool):
    out = [[c.code, c.name, NTM, 2026, None] for c in kit.communes]
    if bad:  # row 27 repeats the commune of row 2: the registration refuses it
        out[BAD_LINE - 2][:2] = out[0][:2]
    return out


def test_a_sheet_of_42_communes_with_one_bad_row_is_refused_whole_then_applied(big):
    coordination = big.account("vpdp")
    scope = Scope(province=big.province, batch=big.batch)
    events = AuditEvent.objects.count()
    refused = import_sheet(actor=coordination, kind="registrations", scope=scope,
                           upload=sheet("registrations", rows(big, bad=True)),
                           name="dang-ky.xlsx", dry_run=False)
    assert (refused.valid, refused.applied, len(refused.rows)) == (False, False, 42)
    assert refused.problems == [
        f"Row {BAD_LINE}: {big.communes[0].name} is already registered for this level in "
        "Batch 1/2026."]
    assert [r.line for r in refused.rows if r.problems] == [BAD_LINE]
    assert Dossier.objects.count() == 0
    assert AuditEvent.objects.count() == events

    preview = import_sheet(actor=coordination, kind="registrations", scope=scope,
                           upload=sheet("registrations", rows(big, bad=False)),
                           name="dang-ky.xlsx")
    assert (preview.valid, preview.applied, Dossier.objects.count()) == (True, False, 0)
    assert preview.rows[0].outcome == (f"{big.communes[0].name} registered for {NTM} "
                                       "(criteria set QD51-2025-NTM-XA).")
    applied = import_apply(actor=coordination, token=preview.token)
    assert (applied.valid, applied.applied) == (True, True)
    assert Dossier.objects.filter(batch=big.batch, level=Level.NTM).count() == 42
    event = AuditEvent.objects.get(action="import.registrations")
    assert event.after["sha256"] == preview.sha256 == applied.sha256
    assert event.after["rows"] == 42
    assert AuditEvent.objects.filter(action="dossier.register").count() == 42
    with pytest.raises(RuleViolation):  # a token is used once
        import_apply(actor=coordination, token=preview.token)
    exported = rows_of(template_bytes(actor=coordination, kind="registrations", scope=scope,
                                      with_data=True))
    assert len(exported) == 43 and exported[1][0] == big.communes[0].code


def english_api(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(user)
    return api


def test_the_page_refuses_the_bad_sheet_whole_then_applies_the_fixed_one(big):
    client = Client()
    client.force_login(big.account("vpdp"))
    page = client.get(reverse("imports"))
    assert page.status_code == 200
    assert reverse("imports_template").encode() in page.content
    form = {"kind": "registrations", "province": big.province.pk, "batch": big.batch.pk}
    refused = client.post(reverse("imports"), {
        **form, "file": sheet("registrations", rows(big, bad=True))})
    assert refused.status_code == 200
    # The page speaks Vietnamese: the row's problem is named with its row number.
    [problem] = refused.context["result"].problems
    assert big.communes[0].name in problem and f" {BAD_LINE}:" in problem
    assert b'name="token"' not in refused.content
    assert Dossier.objects.count() == 0
    preview = client.post(reverse("imports"), {
        **form, "file": sheet("registrations", rows(big, bad=False))})
    token = preview.context["result"].token
    assert token and Dossier.objects.count() == 0
    applied = client.post(reverse("imports_apply"), {"token": token}, follow=True)
    assert applied.status_code == 200
    assert Dossier.objects.filter(batch=big.batch).count() == 42
    assert AuditEvent.objects.filter(action="import.registrations").count() == 1


def test_the_api_registers_42_communes_in_one_request_whole_or_nothing(big, other_kit):
    url = reverse("bulk-register")
    body = [{"commune": r[0], "level": "NTM", "year": 2026} for r in rows(big, bad=True)]
    api = english_api(big.account("vpdp"))
    refused = api.post(url, {"batch": big.batch.pk, "rows": body}, format="json")
    assert refused.status_code == 400
    bad = [r for r in refused.json()["rows"] if r["problems"]]
    assert [(r["line"], r["problems"]) for r in bad] == [(BAD_LINE - 1, [
        f"Row {BAD_LINE - 1}: {big.communes[0].name} is already registered for this level in "
        "Batch 1/2026."])]
    assert Dossier.objects.count() == 0
    # Another province's coordination office does not find the batch.
    outsider = english_api(other_kit.account("vpdp"))
    assert outsider.post(url, {"batch": big.batch.pk, "rows": body},
                         format="json").status_code == 404
    fixed = [{"commune": r[0], "level": "NTM", "year": 2026} for r in rows(big, bad=False)]
    applied = api.post(url, {"batch": big.batch.pk, "rows": fixed}, format="json")
    assert applied.status_code == 201, applied.json()
    assert applied.json()["applied"] is True
    assert Dossier.objects.filter(batch=big.batch).count() == 42


def test_the_api_previews_an_upload_and_applies_it_with_the_token(kit, other_kit):
    api = english_api(kit.account("vpdp"))
    upload = sheet("registrations", [[c.code, "", "NTM", 2026, None] for c in kit.communes])
    preview = api.post(reverse("import-upload", args=["registrations"]),
                       {"province": kit.province.pk, "batch": kit.batch.pk, "file": upload},
                       format="multipart")
    assert preview.status_code == 200, preview.json()
    assert (preview.json()["valid"], preview.json()["applied"]) == (True, False)
    assert Dossier.objects.count() == 0
    stranger = english_api(other_kit.account("vpdp"))
    assert stranger.post(reverse("import-apply"), {
        "preview_token": preview.json()["preview_token"]}, format="json").status_code == 403
    applied = api.post(reverse("import-apply"),
                       {"preview_token": preview.json()["preview_token"]}, format="json")
    assert applied.status_code == 201
    assert Dossier.objects.count() == 2
    template = api.get(reverse("import-template", args=["registrations"]),
                       {"province": kit.province.pk, "batch": kit.batch.pk, "data": "true"})
    assert template.status_code == 200
    assert rows_of(template.content)[1][0] == kit.communes[0].code
    assert stranger.get(reverse("import-template", args=["registrations"]),
                        {"province": kit.province.pk, "batch": kit.batch.pk}
                        ).status_code == 404
    wrong = api.post(reverse("import-upload", args=["registrations"]), {
        "province": kit.province.pk, "batch": kit.batch.pk,
        "file": io.BytesIO(b"not a workbook")}, format="multipart")
    assert wrong.status_code == 400
