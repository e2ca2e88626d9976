"""A province set up for demo or test data: its agencies, one account per role,
the default responsibilities and a few villages per commune.

Everything goes through the same services as people do, so the data has its
permissions and audit events like real data. Each builder returns a complete, frozen
kit: nothing is added to it afterwards.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractUser

from dossiers.models import (
    Agency,
    Batch,
    Commune,
    CriteriaSet,
    Criterion,
    Indicator,
    Province,
    Responsibility,
    Village,
)
from dossiers.services.agencies import agency_add_member, agency_create
from dossiers.services.setup import responsibility_set

K = Agency.Kind


@dataclass(frozen=True)
class Department:
    """A provincial department of the demo, and the criteria it appraises."""

    code: str
    name: str
    # criteria set code -> criterion numbers, or "N.M" strings for single indicators
    owns: dict[str, tuple[int | str, ...]] = field(default_factory=dict)
    confirms_debt: bool = False
    confirms_security: bool = False


@dataclass(frozen=True, kw_only=True)
class ProvinceKit:
    """A province as ``setup_province`` leaves it.

    ``users`` is keyed by username (with the kit's ``prefix``); commune agencies are keyed
    ``"<kind>:<commune code>"``, departments by their code, the provincial agencies by
    role (``front``, ``coordination``, ``committee``, ``audit``, ``council``)."""

    admin: AbstractUser  # the administrator who set the province up
    province: Province
    prefix: str
    communes: list[Commune]
    agencies: dict[str, Agency]
    users: dict[str, AbstractUser]
    council_members: list[AbstractUser]

    def commune_agency(self, commune: Commune, kind: str) -> Agency:
        return self.agencies[f"{kind}:{commune.code}"]

    def account(self, name: str) -> AbstractUser:
        """The demo user called ``name`` in this province (the prefix added)."""
        return self.users[f"{self.prefix}{name}"]


@dataclass(frozen=True, kw_only=True)
class BatchKit(ProvinceKit):
    """A set-up province with the batch its demo dossiers are registered in."""

    batch: Batch

    @classmethod
    def of(cls, kit: ProvinceKit, *, batch: Batch) -> BatchKit:
        return cls(**{f.name: getattr(kit, f.name) for f in fields(ProvinceKit)}, batch=batch)


@functools.cache
def _hashed(password: str) -> str:
    # Demo accounts share one password: hash it once (PBKDF2 costs ~0.5 s a time).
    return make_password(password)


def user(*, username: str, password: str, full_name: str = "", email: str = "") -> AbstractUser:
    """The account called ``username``, created if missing.

    There is no service for accounts (people are created in the admin): the model is
    written directly."""
    model = get_user_model()
    account = model.objects.filter(username=username).first()
    if account is None:
        first, _sep, last = full_name.partition(" ")
        account = model(username=username, email=email or f"{username}@example.invalid",
                        first_name=first[:150], last_name=last[:150])
        account.password = _hashed(password)
        account.save()
    return account


def _agency(*, actor: AbstractUser, province: Province, kind: str, code: str, name: str,
            commune: Commune | None = None, confirms_debt: bool = False,
            confirms_security: bool = False) -> Agency:
    existing = Agency.objects.filter(province=province, code=code).first()
    return existing or agency_create(actor=actor, province=province, kind=kind, code=code,
                                     name=name, commune=commune, confirms_debt=confirms_debt,
                                     confirms_security=confirms_security)


def _member(*, actor: AbstractUser, agency: Agency, username: str, password: str,
            title: str = "", is_head: bool = False, is_delegate: bool = False) -> AbstractUser:
    account = user(username=username, password=password, full_name=title)
    if not agency.memberships.filter(user=account).exists():
        agency_add_member(actor=actor, agency=agency, user=account, title=title,
                          is_head=is_head, is_delegate=is_delegate)
    return account


def _villages(*, commune: Commune, count: int) -> None:
    # No service for villages (they come with the commune's own records): written directly.
    for n in range(1, count + 1):
        Village.objects.get_or_create(commune=commune, name=f"Thôn {n}",
                                      defaults={"households": 100 + 20 * n})


SINGLES: tuple[tuple[str, str, str, str, str | None], ...] = (
    # key, kind, code, name, username
    ("front", K.PROVINCIAL_FRONT, "mttq-tinh", "Ủy ban MTTQ Việt Nam tỉnh", "mttq_tinh"),
    ("coordination", K.COORDINATION_OFFICE, "vpdp", "Văn phòng Điều phối NTM tỉnh", "vpdp"),
    ("committee", K.PROVINCIAL_COMMITTEE, "ubnd-tinh", "UBND tỉnh", "chu_tich"),
    ("audit", K.AUDIT, "thanh-tra", "Thanh tra tỉnh", "thanh_tra"),
    ("council", K.COUNCIL, "hoi-dong", "Hội đồng thẩm định xét công nhận NTM tỉnh", None),
)


def setup_province(*, actor: AbstractUser, province: Province, communes: Sequence[Commune],
                   departments: Iterable[Department], password: str, prefix: str = "",
                   council_size: int = 5, villages: int = 3) -> ProvinceKit:
    """Agencies, one user per agency (more for the council), responsibilities, villages.

    Idempotent: what exists already is kept."""
    agencies: dict[str, Agency] = {}
    users: dict[str, AbstractUser] = {}
    council_members: list[AbstractUser] = []
    p = prefix

    def member(agency: Agency, username: str, title: str, *, is_head: bool = False,
               is_delegate: bool = False) -> AbstractUser:
        account = _member(actor=actor, agency=agency, username=username, password=password,
                          title=title, is_head=is_head, is_delegate=is_delegate)
        users[username] = account
        return account

    for commune in communes:
        for kind, short in ((K.COMMUNE_COMMITTEE, "ubnd"), (K.COMMUNE_FRONT, "mttq")):
            agency = _agency(actor=actor, province=province, kind=kind,
                             code=f"{short}-{commune.code}", commune=commune,
                             name=f"{'UBND' if short == 'ubnd' else 'MTTQ'} {commune.name}")
            agencies[f"{kind}:{commune.code}"] = agency
            member(agency, f"{p}{short}_{commune.code}", f"Cán bộ {agency.name}")
        _villages(commune=commune, count=villages)
    for key, kind, code, name, username in SINGLES:
        agency = agencies[key] = _agency(actor=actor, province=province, kind=kind, code=code,
                                         name=name)
        if key == "committee":
            member(agency, f"{p}chu_tich", "Chủ tịch UBND tỉnh", is_head=True)
            member(agency, f"{p}pho_chu_tich", "Phó Chủ tịch UBND tỉnh (được ủy quyền)",
                   is_delegate=True)
        elif key == "council":
            council_members.extend(
                member(agency, f"{p}hoi_dong_{n}", f"Thành viên Hội đồng {n}", is_head=(n == 1))
                for n in range(1, council_size + 1))
        else:
            member(agency, f"{p}{username}", f"Cán bộ {name}")
    for department in departments:
        agency = agencies[department.code] = _agency(
            actor=actor, province=province, kind=K.DEPARTMENT, code=department.code,
            name=department.name, confirms_debt=department.confirms_debt,
            confirms_security=department.confirms_security)
        member(agency, f"{p}so_{department.code}", f"Chuyên viên {department.name}")
        for set_code, targets in department.owns.items():
            for target in targets:
                _responsibility(actor=actor, province=province, set_code=set_code,
                                target=str(target), agency=agency)
    return ProvinceKit(admin=actor, province=province, prefix=prefix, communes=list(communes),
                       agencies=agencies, users=users, council_members=council_members)


def _responsibility(*, actor: AbstractUser, province: Province, set_code: str, target: str,
                    agency: Agency) -> None:
    criteria_set = CriteriaSet.objects.filter(code=set_code).first()
    if criteria_set is None:
        return
    number, _sep, _rest = target.partition(".")
    criterion = Criterion.objects.get(criteria_set=criteria_set, number=int(number))
    indicator = None
    if "." in target:
        indicator = Indicator.objects.filter(criterion=criterion, code=target).first()
        if indicator is None:
            return  # the indicator is not in the catalogue yet: nothing to map
    if Responsibility.objects.filter(province=province, criterion=criterion, indicator=indicator,
                                     agency=agency).exists():
        return
    responsibility_set(actor=actor, province=province, criterion=criterion, agency=agency,
                       indicator=indicator, reason="default mapping")
