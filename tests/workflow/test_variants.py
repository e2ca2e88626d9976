"""The older variant with district verification, and the province's configurable numbers."""

from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from guardian.shortcuts import get_perms

from demo.journey import Journey
from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.models import DossierStatus, Level, parse_ratio
from dossiers.services.setup import regulation_profile_publish
from tests.conftest import district_variant
from workflow import services


@pytest.fixture
def district_kit(kit):
    return district_variant(kit, valid_from=timezone.localdate())


def test_district_verification_step(district_kit):
    kit = district_kit
    j = Journey.register(kit, kit.communes[0], Level.NTM)
    assert j.dossier.regulation.district_verification
    district_officer = kit.users["ubnd_huyen"]
    assert "verify_district" in get_perms(district_officer, j.dossier)
    j.self_assess()
    j.post()
    j.close_posting()
    j.log_survey()
    j.submit()
    assert j.dossier.status == DossierStatus.DISTRICT_VERIFICATION
    assert j.open_tasks() == ["district_verification"]
    with pytest.raises(RuleViolation, match="did not propose"):
        services.district_verify(actor=district_officer, dossier=j.dossier, report="Đạt",
                                 votes_for=2, members=5)
    with pytest.raises(NotAllowed):
        services.district_verify(actor=j.commune_officer, dossier=j.dossier, report="Đạt",
                                 votes_for=5, members=5)
    services.district_verify(actor=district_officer, dossier=j.dossier,
                             report="Xã đạt đủ 10 tiêu chí", votes_for=5, members=5)
    assert j.refresh().status == DossierStatus.APPRAISAL
    assert j.open_tasks().count("department_appraisal") == 6


def test_dossier_keeps_the_profile_it_was_registered_with(kit):
    j = Journey.register(kit, kit.communes[0], Level.NTM)
    pinned = j.dossier.regulation
    regulation_profile_publish(actor=kit.admin, province=kit.province,
                               valid_from=timezone.localdate(), reason="stricter",
                               survey_satisfaction_min="95%")
    j.refresh()
    assert j.dossier.regulation == pinned
    assert j.dossier.regulation.satisfaction_min == Fraction(9, 10)
    later = Journey.register(kit, kit.communes[1], Level.NTM)
    assert later.dossier.regulation.satisfaction_min == Fraction(19, 20)
    assert later.dossier.regulation.version == pinned.version + 1


def test_profile_rejects_bad_numbers(kit):
    with pytest.raises(ValidationError):
        regulation_profile_publish(actor=kit.admin, province=kit.province,
                                   valid_from=timezone.localdate(), reason="typo",
                                   council_quorum="abc")
    with pytest.raises(RuleViolation, match="Unknown setting"):
        regulation_profile_publish(actor=kit.admin, province=kit.province,
                                   valid_from=timezone.localdate(), reason="typo", quorum="1/2")


def test_ratios_are_exact():
    assert parse_ratio("2/3") == Fraction(2, 3)
    assert parse_ratio("90%") == Fraction(9, 10)
    assert parse_ratio("0,7") == Fraction(7, 10)
    # 6 of 9 members is exactly two thirds: a rounded 66.67% would wrongly refuse it.
    assert parse_ratio("2/3") == Fraction(6, 9)
    for bad in ("0", "150%", "x", "1/0"):
        with pytest.raises(ValidationError):
            parse_ratio(bad)


def test_registration_refusals(kit):
    commune = kit.communes[0]
    officer = kit.users[f"ubnd_{commune.code}"]
    Journey.register(kit, commune, Level.NTM)
    with pytest.raises(RuleViolation, match="already registered"):
        services.dossier_register(actor=officer, commune=commune, level=Level.NTM,
                                  batch=kit.batch)
    with pytest.raises(RuleViolation, match="No criteria set"):
        services.dossier_register(actor=officer, commune=commune, level=Level.MODEL,
                                  batch=kit.batch)
    with pytest.raises(NotAllowed):
        services.dossier_register(actor=kit.users["so_xd"], commune=kit.communes[1],
                                  level=Level.NTM, batch=kit.batch)
