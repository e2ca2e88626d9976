"""Official documents as PDF (WeasyPrint, Decree 30 layout): the Vietnamese text comes out
intact (read back with pypdf), every PDF handed out is in the audit trail with its hash,
documents are drawn up only once their data exists, only for those who may read the
dossier, and an administrator's template overrides the shipped one."""

import hashlib
import io
import os

import pypdf
import pytest

from audit.models import AuditEvent
from dossiers.documents import date_line
from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.models import Agency
from dossiers.services.documents import document_generate

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Nơi nhận:")


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_date_line_follows_decree_30():
    import datetime as dt

    assert date_line(dt.date(2026, 8, 3)) == "ngày 03 tháng 8 năm 2026"
    assert date_line(dt.date(2026, 2, 14)) == "ngày 14 tháng 02 năm 2026"
    assert date_line(dt.date(2026, 12, 1)) == "ngày 01 tháng 12 năm 2026"


@pytest.fixture
def approved(journey):
    journey.to_awaiting_decision()
    return journey


def test_every_document_has_its_vietnamese_headings_and_its_hash_in_the_trail(approved):
    dossier = approved.dossier
    commune = dossier.commune.name
    department = Agency.objects.get(province=dossier.commune.province, code="xd")
    expected = {
        ("submission_letter", None): ["TỜ TRÌNH", "Kính gửi: Ủy ban nhân dân tỉnh Hà Tĩnh.",
                                      f"Về việc đề nghị thẩm định, xét công nhận {commune}",
                                      "TM. ỦY BAN NHÂN DÂN"],
        ("appraisal_report", department): ["BÁO CÁO", "SỞ XÂY DỰNG", "Kết quả thẩm định",
                                           "Số: /BC-XD"],
        ("consolidated_report", None): ["BÁO CÁO", "Tổng hợp kết quả thẩm định",
                                        "Sự hài lòng của người dân", "CHÁNH VĂN PHÒNG"],
        ("council_minutes", None): ["BIÊN BẢN", "KẾT QUẢ BIỂU QUYẾT", "Đồng ý",
                                    "CHỦ TỊCH HỘI ĐỒNG"],
        ("decision_draft", None): ["QUYẾT ĐỊNH", "DỰ THẢO", "Điều 1.",
                                   "Công nhận 1 xã sau đây đạt chuẩn nông thôn mới năm 2026",
                                   "Số: /QĐ-UBND"],
    }
    for (kind, agency), headings in expected.items():
        document = document_generate(actor=approved.u("vpdp"), dossier=dossier, kind=kind,
                                     agency=agency)
        text = " ".join(text_of(document.pdf).split())
        place = "Thử Hà Tĩnh 1" if kind == "submission_letter" else "Hà Tĩnh"
        for heading in (*MOTTO, f"{place}, ngày 03 tháng 8 năm 2026", *headings):
            assert heading in text, (kind, heading)
        assert document.sha256 == hashlib.sha256(document.pdf).hexdigest()
        event = AuditEvent.objects.filter(action="document.generate").latest("seq")
        assert (event.dossier_id, event.actor.username, event.after["kind"],
                event.after["sha256"], event.after["size"]) == (
            dossier.pk, "vpdp", kind, document.sha256, len(document.pdf))
    assert AuditEvent.objects.filter(action="document.generate").count() == 5


def test_the_font_is_embedded(approved):
    """Every font of the PDF is the shipped Noto Serif, embedded (a subset of it)."""
    pdf = document_generate(actor=approved.u("vpdp"), dossier=approved.dossier,
                            kind="submission_letter").pdf
    fonts = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            fonts.add((str(font.get_object()["/BaseFont"]).split("+")[-1],
                       "/FontFile2" in descendant["/FontDescriptor"]))
    assert fonts == {("Noto-Serif", True), ("Noto-Serif-Bold", True),
                     ("Noto-Serif-Italic", True), ("Noto-Serif-Bold-Italic", True)}


def test_documents_wait_for_their_data_and_for_a_reader(journey, other_kit):
    with pytest.raises(RuleViolation) as refused:
        document_generate(actor=journey.u("vpdp"), dossier=journey.dossier,
                          kind="decision_draft")
    assert refused.value.problems == ["The council has not approved this dossier."]
    with pytest.raises(RuleViolation) as refused:
        document_generate(actor=journey.u("vpdp"), dossier=journey.dossier,
                          kind="council_minutes")
    assert refused.value.problems == ["The council has not voted on this dossier yet."]
    with pytest.raises(NotAllowed):
        document_generate(actor=other_kit.users["na_vpdp"], dossier=journey.dossier,
                          kind="submission_letter")
    assert AuditEvent.objects.filter(action="document.generate").count() == 0


def test_an_administrators_template_overrides_the_shipped_one(journey, settings, tmp_path):
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "submission_letter.html").write_text(
        '{% extends "documents/base.html" %}{% block title %}TỜ TRÌNH (MẪU CỦA TỈNH){% endblock %}'
        '{% block body %}<p>{{ commune.name }}</p><img src="file:///etc/hostname">{% endblock %}',
        encoding="utf-8")
    settings.NTM_DOCUMENT_TEMPLATES_DIR = os.fspath(tmp_path)
    text = text_of(document_generate(actor=journey.u("vpdp"), dossier=journey.dossier,
                                     kind="submission_letter").pdf)
    assert "TỜ TRÌNH (MẪU CỦA TỈNH)" in text
    assert journey.dossier.commune.name in text
