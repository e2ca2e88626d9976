"""Bulk registration from a sheet: 40+ communes, one bad row refuses the whole sheet (the row's
problem named, nothing written), then the fixed sheet is applied in one transaction, audited
(issue 9, items 3 and 8)."""

import pytest

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
