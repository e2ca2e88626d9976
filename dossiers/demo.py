"""Building a province's set-up through the services (used by ``seed_demo`` and the tests).

Everything here goes through the same services as people do, so the demo data has
its permissions and audit events like real data.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from .models import (
    Agency,
    Commune,
    CriteriaSet,
    Criterion,
    Indicator,
    Province,
    Responsibility,
    Village,
)
from .services.agencies import agency_add_member, agency_create
from .services.setup import responsibility_set

K = Agency.Kind


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    # criteria set code -> criterion numbers, or "N.M" strings for single indicators
    owns: dict[str, tuple] = field(default_factory=dict)
    confirms_debt: bool = False
    confirms_security: bool = False


@dataclass
class ProvinceKit:
    province: Province
    agencies: dict[str, Agency] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    council_members: list[Any] = field(default_factory=list)

    def commune_agency(self, commune: Commune, kind: str) -> Agency:
        return self.agencies[f"{kind}:{commune.code}"]


@functools.cache
def _hashed(password: str) -> str:
    # Demo accounts share one password: hash it once (PBKDF2 costs ~0.5 s a time).
    return make_password(password)


def user(username: str, password: str, full_name: str = "", email: str = "") -> Any:
    model = get_user_model()
    account = model.objects.filter(username=username).first()
    if account is None:
        first, _sep, last = full_name.partition(" ")
        account = model(username=username, email=email or f"{username}@example.invalid",
                        first_name=first[:150], last_name=last[:150])
        account.password = _hashed(password)
        account.save()
    return account


def _agency(kit: ProvinceKit, actor: Any, key: str, **kwargs: Any) -> Agency:
    existing = Agency.objects.filter(province=kit.province, code=kwargs["code"]).first()
    agency = existing or agency_create(actor=actor, province=kit.province, **kwargs)
    kit.agencies[key] = agency
    return agency


def _member(kit: ProvinceKit, actor: Any, agency: Agency, username: str, password: str,
            title: str = "", **flags: Any) -> Any:
    account = user(username, password, title)
    if not agency.memberships.filter(user=account).exists():
        agency_add_member(actor=actor, agency=agency, user=account, title=title, **flags)
    kit.users[username] = account
    return account


def setup_province(*, actor: Any, province: Province, communes: list[Commune],
                   departments: list[Department], password: str, prefix: str = "",
                   council_size: int = 5, villages: int = 3) -> ProvinceKit:
    """Agencies, one user per agency (more for the council), responsibilities, villages."""
    kit = ProvinceKit(province)
    p = prefix
    for commune in communes:
        for kind, short in ((K.COMMUNE_COMMITTEE, "ubnd"), (K.COMMUNE_FRONT, "mttq")):
            agency = _agency(kit, actor, f"{kind}:{commune.code}", kind=kind,
                             code=f"{short}-{commune.code}", commune=commune,
                             name=f"{'UBND' if short == 'ubnd' else 'MTTQ'} {commune.name}")
            _member(kit, actor, agency, f"{p}{short}_{commune.code}", password,
                    f"Cán bộ {agency.name}")
        for n in range(1, villages + 1):
            Village.objects.get_or_create(commune=commune, name=f"Thôn {n}",
                                          defaults={"households": 100 + 20 * n})
    singles = [
        ("front", K.PROVINCIAL_FRONT, "mttq-tinh", "Ủy ban MTTQ Việt Nam tỉnh", "mttq_tinh"),
        ("coordination", K.COORDINATION_OFFICE, "vpdp", "Văn phòng Điều phối NTM tỉnh", "vpdp"),
        ("committee", K.PROVINCIAL_COMMITTEE, "ubnd-tinh", "UBND tỉnh", "chu_tich"),
        ("audit", K.AUDIT, "thanh-tra", "Thanh tra tỉnh", "thanh_tra"),
        ("council", K.COUNCIL, "hoi-dong", "Hội đồng thẩm định xét công nhận NTM tỉnh", None),
    ]
    for key, kind, code, name, username in singles:
        agency = _agency(kit, actor, key, kind=kind, code=code, name=name)
        if key == "committee":
            _member(kit, actor, agency, f"{p}chu_tich", password, "Chủ tịch UBND tỉnh",
                    is_head=True)
            _member(kit, actor, agency, f"{p}pho_chu_tich", password,
                    "Phó Chủ tịch UBND tỉnh (được ủy quyền)", is_delegate=True)
        elif key == "council":
            for n in range(1, council_size + 1):
                member = _member(kit, actor, agency, f"{p}hoi_dong_{n}", password,
                                 f"Thành viên Hội đồng {n}", is_head=(n == 1))
                kit.council_members.append(member)
        else:
            _member(kit, actor, agency, f"{p}{username}", password, f"Cán bộ {name}")
    for department in departments:
        agency = _agency(kit, actor, department.code, kind=K.DEPARTMENT, code=department.code,
                         name=department.name, confirms_debt=department.confirms_debt,
                         confirms_security=department.confirms_security)
        _member(kit, actor, agency, f"{p}so_{department.code}", password,
                f"Chuyên viên {department.name}")
        for set_code, targets in department.owns.items():
            for target in targets:
                _responsibility(actor, province, set_code, str(target), agency)
    return kit


def _responsibility(actor: Any, province: Province, set_code: str, target: str,
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
