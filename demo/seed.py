"""The demo that ``seed_demo`` builds: Hà Tĩnh with its real communes, agencies, one user
per role, the regulation profile, a calendar modelled on seed 002, and dossiers standing
at every step.

Idempotent: building it again changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction
from django.utils import timezone

from dossiers.models import (
    Agency,
    Batch,
    Commune,
    CriteriaSet,
    District,
    Dossier,
    Level,
    Membership,
    Province,
    Region,
    RegulationProfile,
    Step,
)
from dossiers.services.agencies import agency_add_member, agency_create
from dossiers.services.assessment import self_assessment_set
from dossiers.services.catalogue import criteria_set_load
from dossiers.services.council import meeting_close, meeting_open
from dossiers.services.geography import commune_classify, province_import
from dossiers.services.setup import batch_create, regulation_profile_publish
from workflow import services

from .journey import Journey
from .province import BatchKit, Department, setup_province, user

PROVINCE_CODE = 42  # Hà Tĩnh: the calendar of seed 002 is Hà Tĩnh's
COMMUNES = 30
COUNCIL_SIZE = 7
DEMO_DECIDED = dt.date(2025, 12, 1)  # demo data: the date of the province's groups and regions
SET_2021 = "QD318-2022-NTM-XA"
SET_2026 = "QD51-2025-NTM-XA"

# DOMAIN.md section 3 (seed 004, IV.1) for the 19-criteria set. The 2026-2030 set's
# mapping is a demo choice for merged departments: the coordination office changes it in
# the admin.
DEPARTMENTS = [
    Department("cong-thuong", "Sở Công Thương", {SET_2021: (4, 7), SET_2026: (3,)}),
    Department("giao-duc", "Sở Giáo dục và Đào tạo", {SET_2021: (5, 14), SET_2026: (4,)}),
    Department("van-hoa", "Sở Văn hóa, Thể thao và Du lịch", {SET_2021: (6, 16), SET_2026: (5,)}),
    Department("thong-tin", "Sở Thông tin và Truyền thông", {SET_2021: (8,)}),
    Department("khcn", "Sở Khoa học và Công nghệ", {SET_2026: (7,)}),
    Department("thong-ke", "Cục Thống kê tỉnh", {SET_2021: (10,)}),
    Department("lao-dong", "Sở Lao động - Thương binh và Xã hội", {SET_2021: (11, 12),
                                                                    SET_2026: (6,)}),
    Department("ke-hoach", "Sở Kế hoạch và Đầu tư", {SET_2021: (13,)}),
    Department("y-te", "Sở Y tế", {SET_2021: (15,)}),
    Department("tnmt", "Sở Tài nguyên và Môi trường", {SET_2021: (17,), SET_2026: (8,)}),
    Department("noi-vu", "Sở Nội vụ", {SET_2021: (18,), SET_2026: (9,)}),
    Department("cong-an", "Công an tỉnh", {SET_2021: ("19.2",), SET_2026: (10,)},
               confirms_security=True),
    Department("quan-su", "Bộ Chỉ huy Quân sự tỉnh", {SET_2021: (19,)}),
    Department("xay-dung", "Sở Xây dựng", {SET_2021: (1, 9), SET_2026: (1, 2)}),
    Department("giao-thong", "Sở Giao thông vận tải", {SET_2021: (2,)}),
    Department("nong-nghiep", "Sở Nông nghiệp và Phát triển nông thôn", {SET_2021: (3,)}),
    Department("tai-chinh", "Sở Tài chính", {}, confirms_debt=True),
]

STAGES = [
    "self_assessment", "public_posting", "survey", "ready_to_submit", "appraisal_returned",
    "appraisal", "consolidation", "council", "awaiting_decision", "recognised", "announced",
    "not_recognised", "revoked",
]


@dataclass(frozen=True, kw_only=True)
class Seeded:
    """What ``seed`` did: the province kit, and whether the demo dossiers were added now."""

    kit: BatchKit
    added: bool


def calendar(year: int, appraisal: tuple[int, int],
             council: tuple[int, int]) -> dict[str, dt.date]:
    """Seed 002: reports of departments, finance and the Front by one date, council after."""
    due = dt.date(year, *appraisal)
    council_due = dt.date(year, *council)
    return {
        Step.SELF_ASSESSMENT: due - dt.timedelta(days=75),
        Step.PUBLIC_POSTING: due - dt.timedelta(days=55),
        Step.SURVEY: due - dt.timedelta(days=40),
        Step.SUBMISSION: due - dt.timedelta(days=30),
        Step.DEPARTMENT_APPRAISAL: due,
        Step.DEBT_CONFIRMATION: due,
        Step.SECURITY_CONFIRMATION: due,
        Step.SURVEY_APPRAISAL: due,
        Step.CONSOLIDATION: council_due - dt.timedelta(days=7),
        Step.COUNCIL_VOTE: council_due,
        Step.DECISION: council_due + dt.timedelta(days=15),
    }


def administrator(*, password: str) -> AbstractUser:
    """The ``admin`` superuser, created if missing.

    There is no service for accounts: the model is written directly."""
    model = get_user_model()
    admin = model.objects.filter(username="admin").first()
    if admin is None:
        admin = model.objects.create_superuser("admin", "admin@example.invalid", password)
    return admin


def seed(*, password: str) -> Seeded:
    """Build the demo (or find it built) with every password set to ``password``."""
    admin = administrator(password=password)
    with transaction.atomic():
        return _build(admin=admin, password=password)


def _build(*, admin: AbstractUser, password: str) -> Seeded:
    loaded = set(CriteriaSet.objects.values_list("source_file", flat=True))
    for path in sorted(settings.NTM_CRITERIA_DIR.glob("*.yaml")):
        if path.name not in loaded:  # an update is loaded with load_criteria
            criteria_set_load(actor=admin, path=path)
    province = province_import(actor=admin, code=PROVINCE_CODE)
    communes = list(Commune.objects.filter(province=province, kind=Commune.Kind.COMMUNE)
                    .order_by("code")[:COMMUNES])
    for commune in communes:  # Hà Tĩnh: the North Central Coast; group 2 (no decision seen:
        if commune.group is None or not commune.region:  # the demo's own dates)
            commune_classify(actor=admin, commune=commune, group=commune.group or 2,
                             group_decided_on=commune.group_decided_on or DEMO_DECIDED,
                             region=commune.region or Region.NORTH_CENTRAL,
                             region_decided_on=commune.region_decided_on or DEMO_DECIDED)
    kit = setup_province(actor=admin, province=province, communes=communes,
                         departments=DEPARTMENTS, password=password, council_size=COUNCIL_SIZE)
    _regulation_profiles(admin=admin, province=province)
    batches = _batches(admin=admin, province=province, year=timezone.localdate().year)
    kit = BatchKit.of(kit, batch=batches[2])
    if Dossier.objects.filter(batch=kit.batch).exists():
        return Seeded(kit=kit, added=False)
    _dossiers(kit=kit, communes=communes[: len(STAGES)])
    _historic(kit=kit, commune=communes[len(STAGES)], password=password)
    return Seeded(kit=kit, added=True)


def _regulation_profiles(*, admin: AbstractUser, province: Province) -> None:
    if RegulationProfile.objects.filter(province=province).exists():
        return
    regulation_profile_publish(actor=admin, province=province,
                               valid_from=dt.date(2022, 3, 8), district_verification=True,
                               legal_basis="Quyết định 18/2022/QĐ-TTg",
                               reason="Demo: three-tier government, before July 2025")
    regulation_profile_publish(actor=admin, province=province,
                               valid_from=dt.date(2025, 7, 1), district_verification=False,
                               legal_basis="Quyết định 18/2022/QĐ-TTg",
                               reason="Demo: two-tier government from 1 July 2025")


def _batches(*, admin: AbstractUser, province: Province, year: int) -> dict[int, Batch]:
    """The year's two batches with seed 002's dates, created if missing."""
    batches = {}
    for number, appraisal, council in ((1, (8, 10), (8, 30)), (2, (11, 30), (12, 15))):
        batch = Batch.objects.filter(province=province, recognition_year=year,
                                     number=number).first()
        batches[number] = batch or batch_create(
            actor=admin, province=province, recognition_year=year, number=number,
            title=f"Đợt {number} năm {year}", deadlines=calendar(year, appraisal, council))
    return batches


def _dossiers(*, kit: BatchKit, communes: list[Commune]) -> None:
    """One dossier at each of ``STAGES``, one commune each."""
    journeys = [Journey.register(kit, commune, Level.NTM) for commune in communes]
    by_stage = dict(zip(STAGES, journeys, strict=True))
    for stage, journey in by_stage.items():
        _advance(journey, stage=stage)
    # Dossiers decided at a meeting held earlier; one waits for the next meeting.
    decided = [by_stage[s] for s in ("awaiting_decision", "recognised", "announced",
                                     "not_recognised", "revoked")]
    held = decided[0].new_meeting()
    for journey in decided:
        journey.schedule(meeting=held)
    coordinator = kit.account("vpdp")
    meeting_open(actor=coordinator, meeting=held, present=kit.council_members)
    for journey in decided:
        journey.vote(in_favour=5 if journey is by_stage["not_recognised"] else None)
        journey.close_vote()
    meeting_close(actor=coordinator, meeting=held)
    for stage in ("recognised", "announced", "revoked"):
        by_stage[stage].decide()
    by_stage["announced"].announce()
    by_stage["revoked"].revoke()
    waiting = by_stage["council"]
    waiting.new_meeting()
    waiting.schedule()


def _advance(j: Journey, *, stage: str) -> None:
    """Take a registered dossier to ``stage`` (up to consolidation; the council's stages are
    reached in ``_dossiers``)."""
    order = ["self_assessment", "public_posting", "survey", "ready_to_submit", "appraisal",
             "consolidation"]
    target = {"appraisal_returned": "appraisal"}.get(stage, stage)
    reach = order.index(target) if target in order else len(order)
    if reach == 0:
        criterion = j.dossier.criteria_set.criteria.order_by("number").first()
        self_assessment_set(actor=j.commune_officer, dossier=j.dossier, criterion=criterion,
                            value="Đã có quy hoạch chung xã được phê duyệt", met=True)
        return
    j.self_assess()
    j.post()
    if reach >= 2:
        j.close_posting()
    if reach >= 3:
        j.log_survey()
    if reach >= 4:
        j.submit()
    if stage == "appraisal_returned":
        first = j.items()[0]
        services.appraisal_record(actor=j.u(f"so_{first.agency.code}"), item=first,
                                  result="returned",
                                  remark="Đề nghị bổ sung quyết định phê duyệt quy hoạch")
        return
    if stage == "appraisal":
        for item in j.items()[:4]:
            services.appraisal_record(actor=j.u(f"so_{item.agency.code}"), item=item,
                                      result="met")
        return
    if reach >= 5:
        j.appraise_all()
        j.appraise_survey()
        j.confirm()


def _historic(*, kit: BatchKit, commune: Commune, password: str) -> None:
    """A 2025 dossier of the older variant, waiting for its district's verification."""
    admin, province = kit.admin, kit.province
    # No service for districts (abolished on 1 July 2025, they are not imported): the
    # district and the commune's link to it are written directly.
    district = District.objects.filter(code="439").first() or District.objects.create(
        province=province, code="439", name="Huyện Hương Sơn",
        abolished_on=dt.date(2025, 7, 1))
    commune.district = district
    commune.save(update_fields=["district"])
    agency = Agency.objects.filter(province=province, code="ubnd-huong-son").first() or \
        agency_create(actor=admin, province=province, kind=Agency.Kind.DISTRICT_COMMITTEE,
                      code="ubnd-huong-son", name="UBND huyện Hương Sơn", district=district)
    account = user(username="ubnd_huong_son", password=password,
                   full_name="Cán bộ UBND huyện Hương Sơn")
    agency_add_member(actor=admin, agency=agency, user=account)
    batch = batch_create(actor=admin, province=province, recognition_year=2025, number=2,
                         title="Đợt 2 năm 2025", deadlines=calendar(2025, (11, 30), (12, 15)))
    dossier = services.dossier_register(
        actor=kit.account("vpdp"), commune=commune, level=Level.NTM, batch=batch,
        criteria_set=CriteriaSet.objects.get(code=SET_2021),
        regulation=RegulationProfile.objects.get(province=province, version=1))
    j = Journey.of(kit, dossier)
    j.self_assess()
    j.post()
    j.close_posting()
    j.log_survey()
    j.submit()


def logins() -> list[tuple[str, str, str]]:
    """(role, username, where the person works) of one demo user per role, for the people
    trying the demo: the agencies are read from the memberships, so the list stays true."""
    first = Commune.objects.filter(province__code=f"{PROVINCE_CODE:02d}",
                                   kind=Commune.Kind.COMMUNE).order_by("code").first()
    people = [
        ("administrator", "admin"),
        ("commune officer", f"ubnd_{first.code}"),
        ("commune Front officer", f"mttq_{first.code}"),
        ("department appraiser (Construction)", "so_xay-dung"),
        ("finance (debt confirmation)", "so_tai-chinh"),
        ("police (security confirmation)", "so_cong-an"),
        ("provincial Front officer", "mttq_tinh"),
        ("coordination officer", "vpdp"),
        ("council member", "hoi_dong_1"),
        ("chairman", "chu_tich"),
        ("chairman's delegate", "pho_chu_tich"),
        ("auditor", "thanh_tra"),
        ("district officer (historic variant)", "ubnd_huong_son"),
    ]
    where: dict[str, list[str]] = {}
    for username, agency in Membership.objects.filter(
            user__username__in=[u for _role, u in people]).values_list(
            "user__username", "agency__name").order_by("agency__name"):
        where.setdefault(username, []).append(agency)
    return [(role, username, ", ".join(where.get(username, ["all provinces"])))
            for role, username in people]
