"""Roadmap targets: recorded and moved with audit events, imported from a sheet whole or
not at all (every bad row named), kept to the province's own coordination office."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from audit.models import AuditEvent
from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.models import Level, RoadmapTarget
from dossiers.services.roadmap import roadmap_import, roadmap_target_set


def sheet(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(["Xã", "Mức", "Năm", "Ghi chú"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("lo-trinh.xlsx", out.getvalue())


def test_a_target_is_recorded_moved_and_audited(kit, other_kit):
    office = kit.account("vpdp")
    commune = kit.communes[0]
    target = roadmap_target_set(actor=office, province=kit.province, commune=commune,
                                level=Level.NTM, year=2027, note="Năm 2027")
    moved = roadmap_target_set(actor=office, province=kit.province, commune=commune,
                               level=Level.NTM, year=2028)
    assert moved.pk == target.pk and RoadmapTarget.objects.get().year == 2028
    events = list(AuditEvent.objects.filter(action="roadmap.set").order_by("seq"))
    assert [(e.before or {}).get("year") for e in events] == [None, 2027]
    assert [e.after["year"] for e in events] == [2027, 2028]
    with pytest.raises(NotAllowed):
        roadmap_target_set(actor=other_kit.account("vpdp"), province=kit.province,
                           commune=commune, level=Level.NTM, year=2027)
    with pytest.raises(RuleViolation, match="year must be a year from 2010 to 2040"):
        roadmap_target_set(actor=office, province=kit.province, commune=commune,
                           level=Level.ADVANCED, year=2099)


def test_an_import_with_one_bad_row_writes_nothing(kit):
    office = kit.account("vpdp")
    c1, c2 = kit.communes
    rows = [{"commune": c1.code, "level": "NTM", "year": "2027", "note": ""},
            {"commune": c2.name, "level": "nâng cao", "year": "2029", "note": ""},
            {"commune": "Xã Không Có", "level": "NTM", "year": "20x7", "note": ""},
            {"commune": c1.code, "level": "NTM", "year": "2028", "note": ""}]
    with pytest.raises(RuleViolation) as refused:
        roadmap_import(actor=office, province=kit.province, rows=rows, first_row=2)
    assert refused.value.problems == [
        "Row 4: No commune “Xã Không Có” in Hà Tĩnh.; The year must be a year from 2010 to 2040.",
        "Row 5: The same commune and level are already on row 2."]
    assert not RoadmapTarget.objects.exists()
    done = roadmap_import(actor=office, province=kit.province, rows=rows[:2])
    assert [(t.commune, t.level, t.year) for t in done] == [
        (c1, Level.NTM, 2027), (c2, Level.ADVANCED, 2029)]
    assert AuditEvent.objects.filter(action="roadmap.set").count() == 2


def test_the_roadmap_page_previews_then_imports(client, kit):
    c1, c2 = kit.communes
    client.force_login(kit.account("vpdp"))
    url = reverse("roadmap")
    template = client.get(url, {"template": "1"})
    assert load_workbook(io.BytesIO(template.content)).active.freeze_panes == "A2"
    bad = [[c1.code, "NTM", 2027], [c2.code, "không rõ", 2027]]
    page = client.post(url, {"action": "check", "province": "42", "sheet": sheet(bad)})
    preview = page.context["preview"]
    assert [(r.number, len(r.problems)) for r in preview] == [(2, 0), (3, 1)]
    assert "không rõ" in preview[1].problems[0] and not page.context["preview_ok"]
    client.post(url, {"action": "import", "province": "42", "sheet": sheet(bad)})
    assert not RoadmapTarget.objects.exists()
    good = [[c1.code, "NTM", 2027], [c2.name, "NTM", 2026, "Năm 2026: xã Thử 2"]]
    response = client.post(url, {"action": "import", "province": "42", "sheet": sheet(good)})
    assert response.status_code == 302
    assert sorted(RoadmapTarget.objects.values_list("commune__code", "year")) == [
        (c1.code, 2027), (c2.code, 2026)]
    listing = client.get(url)
    assert [r.target.year for r in listing.context["rows"]] == [2026, 2027]
    not_excel = client.post(url, {"action": "check", "province": "42",
                                  "sheet": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert not_excel.status_code == 200 and not_excel.context["preview"] is None
    # The batch board shows the 2026 plan against actual.
    board = client.get(reverse("batch", args=[kit.batch.pk]))
    assert [(r.target.commune, r.achieved) for r in board.context["roadmap"]] == [(c2, False)]
    # A department may not keep the roadmap.
    client.force_login(kit.account("so_xd"))
    assert client.get(url).status_code == 403


def test_the_roadmap_api(kit, other_kit):
    api = APIClient()
    api.force_authenticate(kit.account("vpdp"))
    c1, c2 = kit.communes
    created = api.post("/api/roadmap-targets/", {"province": "42", "commune": c1.code,
                                                 "level": "NTM", "year": 2027}, format="json")
    assert created.status_code == 201 and created.json()["commune_name"] == c1.name
    dry = api.post("/api/roadmap-targets/import/", {"province": "42", "dry_run": True, "rows": [
        {"commune": c2.code, "level": "NTM", "year": "2026"},
        {"commune": "999999", "level": "NTM", "year": "2026"}]}, format="json")
    assert dry.json()["valid"] is False
    assert [len(r["problems"]) for r in dry.json()["rows"]] == [0, 1]
    assert RoadmapTarget.objects.count() == 1
    assert api.get("/api/roadmap-targets/").json()[0]["year"] == 2027
    target = RoadmapTarget.objects.get()
    assert api.post(f"/api/roadmap-targets/{target.pk}/remove/", {"reason": ""},
                    format="json").status_code == 400
    assert api.post(f"/api/roadmap-targets/{target.pk}/remove/", {"reason": "đổi lộ trình"},
                    format="json").status_code == 204
    other = APIClient()
    other.force_authenticate(other_kit.account("vpdp"))
    assert other.post("/api/roadmap-targets/", {"province": "42", "commune": c1.code,
                                                 "level": "NTM", "year": 2027},
                      format="json").status_code == 403


def test_only_an_administrator_appoints_the_central_office(kit, admin_user):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from dossiers.services.roadmap import central_office_member_set

    User = get_user_model()  # noqa: N806
    user = User.objects.create_user("trung_uong")
    with pytest.raises(NotAllowed):
        central_office_member_set(actor=kit.account("vpdp"), user=user, member=True, reason="x")
    central_office_member_set(actor=admin_user, user=user, member=True, reason="VPĐP TW")
    assert User.objects.get(pk=user.pk).has_perm("dossiers.view_national_report")
    call_command("central_office", "trung_uong", "--remove", "--reason", "chuyển công tác")
    assert not User.objects.get(pk=user.pk).has_perm("dossiers.view_national_report")
    events = AuditEvent.objects.filter(action="central_office.member").order_by("seq")
    assert [(e.before, e.after, e.reason) for e in events] == [
        ({"central_office": False}, {"central_office": True}, "VPĐP TW"),
        ({"central_office": True}, {"central_office": False}, "chuyển công tác")]
