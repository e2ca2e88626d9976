"""Imports of users and memberships, of the responsibility mapping and of historic recognitions
(which the level ladder and the merger rule then see); bad files refused whole (issue 9,
items 3 and 4)."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from openpyxl import load_workbook

from audit.models import AuditEvent
from dossiers.conditions import current_recognition
from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.imports.engine import Scope, import_sheet, template_bytes
from dossiers.models import (
    Commune,
    CriteriaSet,
    Dossier,
    DossierStatus,
    Level,
    Membership,
    Responsibility,
)
from dossiers.services.history import historic_commune
from tests.conftest import SET_2021, SET_2026
from tests.workflow.test_registration_rules import load_set, map_to
from workflow import services

from .sheets import rows_of, sheet

NTM = "new rural area (NTM)"


def run(kit, kind, rows, *, actor=None, dry_run=False, **scope):
    return import_sheet(actor=actor or kit.account("vpdp"), kind=kind,
                        scope=Scope(province=kit.province, **scope),
                        upload=sheet(kind, rows), name=f"{kind}.xlsx", dry_run=dry_run)


# --- users and memberships -----------------------------------------------------------
def test_members_are_created_and_added_with_position_phone_and_role(kit):
    result = run(kit, "members", [
        ["Nguyễn Thị Lan", "Chuyên viên", "lan@example.invalid", "0912 345 678", "xd", "", ""],
        ["Trần Văn Bình", "Chánh Văn phòng", "binh@example.invalid", "", "vpdp",
         "head of the agency", "binh.tv"],
    ])
    assert result.valid and result.applied
    lan = get_user_model().objects.get(username="lan@example.invalid")
    assert (lan.get_full_name(), lan.has_usable_password()) == ("Nguyễn Thị Lan", False)
    membership = Membership.objects.get(user=lan)
    assert (membership.agency, membership.title, membership.phone, membership.is_head) == (
        kit.agencies["xd"], "Chuyên viên", "0912 345 678", False)
    assert Membership.objects.get(user__username="binh.tv").is_head is True
    assert lan.groups.filter(pk=kit.agencies["xd"].group_id).exists()
    assert AuditEvent.objects.filter(action="user.create").count() == 2
    assert AuditEvent.objects.get(action="import.members").after["rows"] == 2
    exported = rows_of(template_bytes(actor=kit.account("vpdp"), kind="members",
                                      scope=Scope(province=kit.province), with_data=True))
    assert ("Nguyễn Thị Lan", "Chuyên viên", "lan@example.invalid", "0912 345 678", "xd",
            "member", "lan@example.invalid") in exported


def test_a_bad_member_row_names_row_and_column_and_nothing_is_written(kit):
    users = get_user_model().objects.count()
    result = run(kit, "members", [
        ["Nguyễn Thị Lan", "Chuyên viên", "lan@example.invalid", "", "xd", "", ""],
        ["Lê Văn C", "Chuyên viên", "c@example.invalid", "09x", "khong-co", "", ""],
        ["Lê Văn D", "Chuyên viên", "not-an-address", "", "vpdp", "delegate of the chairman", ""],
    ])
    assert result.problems == [
        "Row 3, column “Agency code”: Hà Tĩnh has no agency with code “khong-co”.",
        "Row 4: “not-an-address” is not an e-mail address.",
    ]
    assert get_user_model().objects.count() == users
    assert not AuditEvent.objects.filter(action__in=["user.create", "import.members"]).exists()


def test_another_provinces_coordination_office_may_not_import(kit, other_kit):
    with pytest.raises(NotAllowed):
        run(kit, "members", [["A B", "", "a@example.invalid", "", "xd", "", ""]],
            actor=other_kit.account("vpdp"))
    with pytest.raises(NotAllowed):
        template_bytes(actor=other_kit.account("vpdp"), kind="members",
                       scope=Scope(province=kit.province), with_data=True)


# --- the responsibility mapping --------------------------------------------------------
def test_the_mapping_is_imported_per_criteria_set(kit):
    criteria_set = CriteriaSet.objects.get(code=SET_2026)
    result = run(kit, "mapping", [["1", "", "nn"], ["2", "", "nv"], ["99", "", "nn"],
                                  ["3", "", "ubnd-42001"]], criteria_set=criteria_set)
    assert result.problems == [
        "Row 4, column “Criterion or indicator code”: The criteria set QD51-2025-NTM-XA has no "
        "criterion “99”.",
        "Row 5, column “Agency code”: UBND Xã Thử Hà Tĩnh 1 is a commune's agency: it "
        "appraises nothing.",
    ]
    assert Responsibility.objects.get(province=kit.province, criterion__criteria_set=criteria_set,
                                      criterion__number=1, indicator=None).agency.code == "xd"
    result = run(kit, "mapping", [["1", "", "nn"], ["2", "", "nv"]], criteria_set=criteria_set)
    assert result.applied
    mapped = Responsibility.objects.filter(province=kit.province, indicator=None,
                                           criterion__criteria_set=criteria_set)
    assert {r.criterion.number: r.agency.code for r in mapped if r.criterion.number < 3} == {
        1: "nn", 2: "nv"}
    assert AuditEvent.objects.filter(action="responsibility.set",
                                     reason="imported from a sheet").count() == 2


# --- historic recognitions --------------------------------------------------------------
def test_a_historic_ntm_recognition_lets_the_commune_register_for_advanced(kit, tmp_path):
    advanced = load_set(kit.admin, tmp_path, "HT-2026-NANGCAO", Level.ADVANCED, "2026-01-01",
                        criteria=5, province=kit.province.code)
    map_to(kit, advanced)
    commune = kit.communes[0]
    officer = kit.users[f"ubnd_{commune.code}"]
    with pytest.raises(RuleViolation):
        services.dossier_register(actor=officer, commune=commune, level=Level.ADVANCED,
                                  batch=kit.batch)
    result = run(kit, "recognitions", [[commune.code, "", "", NTM, "2345/QĐ-UBND",
                                        dt.date(2023, 12, 15), "Võ Trọng Hải", "Chủ tịch", ""]])
    assert result.applied, result.problems
    historic = Dossier.objects.get(commune=commune, level=Level.NTM)
    assert (historic.status, historic.criteria_set.code, historic.batch.number,
            historic.batch.closed) == (DossierStatus.RECOGNISED, SET_2021, 0, True)
    assert historic.decisions.get().number == "2345/QĐ-UBND"
    assert current_recognition(commune, Level.NTM) == historic
    dossier = services.dossier_register(actor=officer, commune=commune, level=Level.ADVANCED,
                                        batch=kit.batch)
    assert dossier.criteria_set == advanced
    # The same decision twice is refused, with its row.
    again = run(kit, "recognitions", [[commune.code, "", "", NTM, "2345/QĐ-UBND",
                                       "15/12/2023", "Võ Trọng Hải", "", ""]])
    assert again.problems == [f"Row 2: The recognition of {commune.name} by decision "
                              "2345/QĐ-UBND is already recorded."]


def test_communes_abolished_by_the_mergers_pass_their_level_when_all_were_recognised(kit):
    successor = kit.communes[1]
    rows = [["42901", "Xã Cũ Một", successor.code, NTM, "11/QĐ-UBND", "20/12/2022", "A", "", ""],
            ["42902", "Xã Cũ Hai", successor.code, NTM, "12/QĐ-UBND", "21/12/2022", "A", "", ""]]
    with transaction.atomic():  # the second one, known but not yet recognised
        historic_commune(actor=kit.account("vpdp"), province=kit.province, code="42902",
                         name="Xã Cũ Hai", successor_code=successor.code)
    result = run(kit, "recognitions", rows[:1])
    assert result.applied, result.problems
    old = Commune.objects.get(code="42901")
    assert (old.successor, old.abolished_on) == (successor, dt.date(2025, 7, 1))
    assert current_recognition(successor, Level.NTM) is None  # one predecessor is not enough
    result = run(kit, "recognitions", rows[1:])
    assert result.applied, result.problems
    assert current_recognition(successor, Level.NTM).commune.code == "42902"
    assert AuditEvent.objects.filter(action="commune.create_historic").count() == 2
    # An abolished commune is not registered any more.
    refused = run(kit, "registrations", [["42901", "", NTM, "2026", ""]], batch=kit.batch)
    assert refused.problems == [
        "Row 2, column “Commune code”: Xã Cũ Một was abolished on 01/07/2025: register the "
        "commune it merged into."]


def test_a_historic_dossier_is_registered_under_the_rules_of_its_day(kit):
    commune = kit.communes[0]
    result = run(kit, "registrations", [[commune.code, "", NTM, "2026", "01/06/2025"]],
                 batch=kit.batch)
    assert result.applied, result.problems
    assert Dossier.objects.get(commune=commune).criteria_set.code == SET_2021


# --- bad files ----------------------------------------------------------------------
def refusal(kit, upload, name):
    with pytest.raises(RuleViolation) as refused:
        import_sheet(actor=kit.account("vpdp"), kind="members",
                     scope=Scope(province=kit.province), upload=upload, name=name)
    return refused.value.problems


def test_bad_files_are_refused_with_their_reason(kit, settings):
    assert refusal(kit, io.BytesIO(b"%PDF-1.4 not a sheet"), "a.xlsx")[0].startswith("“a.xlsx”")
    assert refusal(kit, io.BytesIO(b""), "empty.xlsx") == ["“empty.xlsx” is empty."]
    assert refusal(kit, sheet("members", []), "m.xlsx") == [
        "“m.xlsx” has no data row under its headings."]
    wrong = refusal(kit, sheet("members", [["x"]], headings=["Tên", "E-mail"]), "m.xlsx")
    assert wrong[0].startswith("The first row must hold the template's headings, in this "
                               "order: “Full name”, “Position”,")
    big = sheet("members", [["A", "", f"a{n}@example.invalid", "", "xd", "", ""]
                            for n in range(2001)])
    assert refusal(kit, big, "big.xlsx") == [
        "“big.xlsx” has more than 2000 rows: split it into several sheets."]


def test_the_template_has_headings_lists_a_frozen_header_and_a_guide(kit):
    content = template_bytes(actor=kit.account("vpdp"), kind="registrations",
                             scope=Scope(province=kit.province, batch=kit.batch))
    wb = load_workbook(io.BytesIO(content))
    data, lists, guide = wb.worksheets
    assert [c.value for c in data[1]] == ["Commune code",
                                          "Commune name (for reading, not imported)",
                                          "Target level", "Recognition year",
                                          "Rules of the day (historic dossier, dd/mm/yyyy)"]
    assert data.freeze_panes == "A2" and data.max_row == 1
    assert sorted(str(v.sqref) for v in data.data_validations.dataValidation) == [
        "A2:A2001", "C2:C2001"]
    assert lists.sheet_state == "hidden"
    assert [c.value for c in lists["A"] if c.value][1:] == [c.code for c in kit.communes]
    assert guide.max_row > 8
