"""Exports of the audit trail: never a formula, never a character that breaks the file, and
never a failure on what the (append-only) trail holds."""

import csv
import io

import pytest
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from audit import trail
from web.views.audit import cell

STORED = {
    "reason": "thiếu\x0bhồ sơ",
    "object_repr": "=HYPERLINK(\"http://evil.example\",\"bấm\")",
    "remark": "+84 912 345 678",
    "minus": "-2+3",
    "at": "@SUM(A1:A9)",
    "escape": "a\x1b[31m\x85",  # (PostgreSQL's jsonb cannot hold NUL: see test_cell)
}


@pytest.mark.parametrize(("value", "exported"), [
    ("thiếu\x0bhồ sơ", "thiếu\\x0bhồ sơ"),
    ("=1+1", "'=1+1"),
    ("+84 912", "'+84 912"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("a\x00b\x1b\x7f\x85", "a\\x00b\\x1b\\x7f\\x85"),
    ("dòng 1\ndòng 2", "dòng 1\ndòng 2"),
    ("Xã Thử 1", "Xã Thử 1"),
    (-5, -5),
    (None, None),
])
def test_cell(value, exported):
    assert cell(value) == exported


@pytest.fixture
def stored_event(journey, kit):
    """An event as an older release could have stored it: control characters and
    formula-leading text in its columns."""
    with transaction.atomic():
        return trail.record(actor=journey.commune_officer, action="comment.record", obj=None,
                            object_type="dossiers.publiccomment", object_id="1",
                            object_repr=STORED["object_repr"], dossier=journey.dossier,
                            reason=STORED["reason"],
                            after={"remark": STORED["remark"], "escape": STORED["escape"]})


def _login(client, kit):
    client.force_login(kit.users["thanh_tra"])


@pytest.mark.parametrize("scope", ["dossier", "province"])
def test_xlsx_export_holds_control_characters_and_formulas_as_text(client, kit, journey,
                                                                   stored_event, scope):
    _login(client, kit)
    query = {"dossier": journey.dossier.pk} if scope == "dossier" else {}
    response = client.get(reverse("audit:export_xlsx"), query)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == stored_event.seq)
    assert row[8] == "'" + STORED["object_repr"]
    assert row[13] == "thiếu\\x0bhồ sơ"
    assert '"remark": "+84 912 345 678"' in row[12]
    formulas = [c.coordinate for r in sheet.iter_rows() for c in r if c.data_type == "f"]
    assert formulas == []


@pytest.mark.parametrize("scope", ["dossier", "province"])
def test_csv_export_holds_control_characters_and_formulas_as_text(client, kit, journey,
                                                                  stored_event, scope):
    _login(client, kit)
    query = {"dossier": journey.dossier.pk} if scope == "dossier" else {}
    response = client.get(reverse("audit:export_csv"), query)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    row = next(r for r in rows if r and r[0] == str(stored_event.seq))
    assert row[8] == "'" + STORED["object_repr"]
    assert row[13] == "thiếu\\x0bhồ sơ"
    assert not any(value.startswith(("=", "+", "-", "@")) for r in rows for value in r)
    assert not any("\x0b" in value or "\x00" in value for r in rows for value in r)
