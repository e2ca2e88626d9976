"""``seed_demo``: real communes, one user per role, a calendar, dossiers at every step."""

from io import StringIO

import pytest
import vietnam_provinces as vp
from django.contrib.auth import get_user_model
from django.core.management import call_command

from audit.chain import verify_chain
from audit.models import AuditEvent
from dossiers.models import (
    Agency,
    Batch,
    Commune,
    CriteriaSet,
    Dossier,
    DossierStatus,
    Responsibility,
    Step,
)


@pytest.mark.django_db
def test_seed_demo_is_complete_and_idempotent():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    for login in ("admin", "vpdp", "chu_tich", "pho_chu_tich", "thanh_tra", "mttq_tinh",
                  "hoi_dong_1", "so_xay-dung", "so_tai-chinh", "so_cong-an"):
        assert login in text
        assert get_user_model().objects.filter(username=login).exists()

    # Hà Tĩnh's official units, a few dozen of them set up with their agencies.
    assert Commune.objects.filter(province__code="42").count() == 69
    for ward in vp.Ward.iter_by_province(vp.ProvinceCode.P_42):
        assert Commune.objects.get(code=f"{int(ward.code):05d}").name == ward.name
    assert Agency.objects.filter(kind=Agency.Kind.COMMUNE_COMMITTEE).count() == 30
    # The default mapping of DOMAIN.md section 3 for the 19-criteria set.
    industry = Responsibility.objects.filter(agency__code="cong-thuong",
                                             criterion__criteria_set__code="QD318-2022-NTM-XA")
    assert sorted(r.criterion.number for r in industry) == [4, 7]
    assert CriteriaSet.objects.count() == 3

    # Two batches of this year (2026 on the tests' clock) with seed 002's dates.
    batches = Batch.objects.filter(recognition_year=2026).order_by("number")
    assert [b.due_on(Step.DEPARTMENT_APPRAISAL).strftime("%d/%m") for b in batches] == [
        "10/08", "30/11"]
    assert [b.due_on(Step.COUNCIL_VOTE).strftime("%d/%m") for b in batches] == ["30/08", "15/12"]

    # Every status but the end a merger puts to a running dossier: the demo records no merger
    # (it would turn demo communes into historic units; tests/workflow/test_mergers.py).
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert statuses == set(DossierStatus.values) - {DossierStatus.CLOSED_BY_MERGER}
    historic = Dossier.objects.get(status=DossierStatus.DISTRICT_VERIFICATION)
    assert historic.criteria_set.code == "QD318-2022-NTM-XA"
    assert historic.regulation.district_verification and historic.batch.recognition_year == 2025
    assert verify_chain().ok

    counts = (Dossier.objects.count(), AuditEvent.objects.count(),
              get_user_model().objects.count(), Agency.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Dossier.objects.count(), AuditEvent.objects.count(),
            get_user_model().objects.count(), Agency.objects.count()) == counts
