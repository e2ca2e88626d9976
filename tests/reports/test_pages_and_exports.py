"""The report pages, their Excel and PDF exports (read back), the drill-down limited to what
the reader may open, and the central office: every province's figures, no dossier."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from pypdf import PdfReader
from rest_framework.test import APIClient

from dossiers.services.roadmap import central_office_member_set
from tests.conftest import PASSWORD, make_province

MARCH = {"province": "42", "kind": "month", "year": "2026", "number": "3"}


@pytest.fixture
def central(history, admin_user):
    user = get_user_model().objects.create_user("trung_uong", password=PASSWORD)
    central_office_member_set(actor=admin_user, user=user, member=True, reason="VPĐP Trung ương")
    return user


def _vi(text: str) -> str:
    with translation.override("vi"):
        return str(_(text))


def test_the_exports_hold_the_figures(client, history):
    kit, journeys = history
    client.force_login(kit.account("vpdp"))
    page = client.get(reverse("report"), MARCH)
    assert page.status_code == 200
    assert page.context["report"].figure("revoked.NTM").value == 1

    xlsx = client.get(reverse("report"), {**MARCH, "format": "xlsx"})
    assert xlsx["Content-Disposition"] == \
        'attachment; filename="bao-cao-ntm-42-20260301-20260331.xlsx"'
    wb = load_workbook(io.BytesIO(xlsx.content))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == [_vi("Section"), _vi("Group"), _vi("Figure"),
                                        _vi("Value"), _vi("Note")]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["C"].width == 55
    rows = {(r[1], r[2]): r[3] for r in ws.iter_rows(min_row=2, values_only=True)}
    ntm = "nông thôn mới (NTM)"
    assert rows[(ntm, _vi("Recognition revoked in the period"))] == 1
    assert rows[(ntm, _vi("Recognised in total at the end of the period"))] == 1
    assert rows[(ntm, _vi("Share of all communes (%)"))] == 25
    assert rows[(_vi("Criteria"), _vi("Average criteria met per commune"))] == 11.8
    assert rows[(_vi("Criteria"), _vi("Communes under 15 criteria (2021–2025 set)"))] == 2
    average = next(r for r in ws.iter_rows(min_row=2)
                   if r[2].value == _vi("Average criteria met per commune"))
    assert average[3].number_format == "#,##0.0"
    # Criterion 3's name comes from the catalogue, in Vietnamese.
    assert any(label.startswith(_vi("Criterion %(n)s: %(name)s") % {
        "n": 3, "name": "Thủy lợi và phòng, chống thiên tai"}) for _g, label in rows)

    pdf = client.get(reverse("report"), {**MARCH, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    # Long headings wrap: compare with the line breaks read as spaces.
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    fonts = {str(f.get_object()["/BaseFont"]).split("+")[-1]
             for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts == {"Report-Sans", "Report-Sans-Bold"}  # the shipped Noto Sans, embedded
    for heading in (_vi("Progress report of the New Rural Development programme — %(province)s")
                    % {"province": "Hà Tĩnh"}, _vi("Communes recognised"),
                    _vi("Roadmap targets against actual"), "Thủy lợi và phòng, chống thiên tai",
                    "nông thôn mới (NTM)", "thẩm định cấp tỉnh", "01/03/2026 – 31/03/2026"):
        assert heading in text, heading
    assert "11,8" in text  # the average, in the Vietnamese number format


def test_a_figure_opens_to_the_dossiers_the_reader_may_see(client, history):
    kit, (j1, j2, j3, j4) = history
    client.force_login(kit.account("vpdp"))
    page = client.get(reverse("report_figure", args=["roadmap.2026.NTM.missing"]), MARCH)
    assert [d.pk for d in page.context["dossiers"]] == [j1.dossier.pk, j3.dossier.pk]
    assert [c.pk for c in page.context["communes"]] == [j1.commune.pk, j3.commune.pk]
    assert reverse("dossier", args=[j1.dossier.pk]) in page.content.decode()
    assert client.get(reverse("report_figure", args=["no.such.figure"]), MARCH).status_code == 404
    # A commune's officer reads no report.
    client.force_login(j1.commune_officer)
    assert client.get(reverse("report"), MARCH).status_code == 403
    # A bad period is refused in words, and nothing breaks.
    client.force_login(kit.account("vpdp"))
    bad = client.get(reverse("report"), {**MARCH, "number": "13"})
    assert bad.status_code == 400 and bad.context["report"] is None


def test_the_central_office_reads_every_province_and_no_dossier(client, history, central,
                                                                admin_user):
    kit, (j1, j2, j3, j4) = history
    make_province(admin_user, "40", "Nghệ An", 2, "na_")
    client.force_login(central)
    page = client.get(reverse("report"), {"province": "all", "kind": "quarter", "year": "2026",
                                          "number": "1"})
    report = page.context["report"]
    assert [p.code for p in report.provinces] == ["40", "42"]
    assert [(r.province.code, r.communes, r.holding["NTM"], r.recognised_in_period)
            for r in report.by_province] == [("40", 2, 0, 0), ("42", 4, 1, 2)]
    assert report.figure("holding.NTM").value == 1
    assert report.figure("share.NTM").value == Decimal("16.7")  # 1 of 6 communes
    # It opens a figure to its count only: no dossier, no commune.
    behind = client.get(reverse("report_figure", args=["holding.NTM"]), MARCH)
    assert (behind.context["dossiers"], behind.context["communes"], behind.context["hidden"]) \
        == ([], [], 1)
    for journey in (j1, j2, j3, j4):
        assert client.get(reverse("dossier", args=[journey.dossier.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(central)
    for journey in (j1, j2):
        assert api.get(f"/api/dossiers/{journey.dossier.pk}/").status_code == 404
    assert api.get("/api/dossiers/").json()["count"] == 0
    figure = api.get("/api/reports/figures/holding.NTM/", MARCH).json()
    assert (figure["value"], figure["dossier_count"], figure["dossiers"]) == (1, 1, [])
    national = api.get("/api/reports/", {"province": "all", "kind": "year", "year": "2026"})
    assert [row["province"] for row in national.json()["by_province"]] == ["40", "42"]
    # The workbook has the table by province.
    xlsx = client.get(reverse("report"), {"province": "all", "kind": "year", "year": "2026",
                                          "format": "xlsx"})
    table = load_workbook(io.BytesIO(xlsx.content)).worksheets[1]
    assert [r[:3] for r in table.iter_rows(min_row=2, values_only=True)] == [
        ("Nghệ An", 2, 0), ("Hà Tĩnh", 4, 1)]
