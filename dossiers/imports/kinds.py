"""The imports of the domain layer: members, the responsibility mapping, historic
recognitions. (Registrations, a step of the process, are ``workflow.services.imports``.)"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import (
    Agency,
    CriteriaSet,
    Criterion,
    Decision,
    Indicator,
    Level,
    Membership,
    Responsibility,
)
from ..services.agencies import agency_add_member
from ..services.history import recognition_import
from ..services.people import invitation_send, person_find_or_create
from ..services.setup import responsibility_set
from .engine import CellProblem, Kind, Scope, cell_date, register
from .sheets import Column

COMMUNE_LEVEL = (Agency.Kind.COMMUNE_COMMITTEE, Agency.Kind.COMMUNE_FRONT)


def _labels(value: Any) -> set[str]:
    names = {str(value).casefold()}
    for language in ("vi", "en"):
        with translation.override(language):
            names.add(str(value.label).casefold())
    return names


def parse_choice(text: str, choices: Iterable[Any], column: str) -> Any:
    """The choice whose value or label (Vietnamese or English) the cell holds."""
    for choice in choices:
        if text.casefold() in _labels(choice):
            return choice
    raise CellProblem(column, _("“%(value)s” is not one of: %(choices)s.") % {
        "value": text, "choices": ", ".join(str(c.label) for c in choices)})


def level_of(text: str, column: str = "level") -> str:
    return parse_choice(text, list(Level), column).value


def level_choices(scope: Scope) -> list[str]:
    return [str(level.label) for level in Level]


def agency_of(scope: Scope, code: str, column: str = "agency") -> Agency:
    agency = Agency.objects.filter(province=scope.province, code=code).first()
    if agency is None:
        raise CellProblem(column, _("%(province)s has no agency with code “%(code)s”.")
                          % {"province": scope.province, "code": code})
    return agency


# --- users and memberships ---------------------------------------------------------
class Role:
    """The role of a member in an agency, as a sheet writes it."""

    class Choice(str):
        label: Any

    MEMBER = "member"
    HEAD = "head"
    DELEGATE = "delegate"
    LABELS = {MEMBER: gettext_lazy("member"), HEAD: gettext_lazy("head of the agency"),
              DELEGATE: gettext_lazy("delegate of the chairman")}

    @classmethod
    def choices(cls) -> list[Any]:
        out = []
        for value, label in cls.LABELS.items():
            choice = cls.Choice(value)
            choice.label = label
            out.append(choice)
        return out


def _member_row(*, actor: Any, scope: Scope, values: dict[str, str]) -> str:
    agency = agency_of(scope, values["agency"])
    role = str(parse_choice(values["role"], Role.choices(), "role")) if values["role"] \
        else Role.MEMBER
    phone = values["phone"]
    if phone and not all(c.isdigit() or c in "+ .-()" for c in phone):
        raise CellProblem("phone", _("“%(value)s” is not a phone number.") % {"value": phone})
    user, created = person_find_or_create(actor=actor, province=scope.province,
                                          full_name=values["full_name"], email=values["email"],
                                          username=values["username"])
    agency_add_member(actor=actor, agency=agency, user=user, title=values["title"],
                      phone=phone, is_head=role == Role.HEAD,
                      is_delegate=role == Role.DELEGATE)
    if created:  # the invitation to set a password, once the whole sheet is applied
        transaction.on_commit(lambda: invitation_send(person=user, agency=agency))
    message = (_("New account %(user)s, member of %(agency)s.") if created
               else _("%(user)s: member of %(agency)s."))
    return message % {"user": user.get_username(), "agency": agency}


def _member_export(scope: Scope) -> Iterable[list[Any]]:
    rows = (Membership.objects.filter(agency__province=scope.province)
            .select_related("agency", "user").order_by("agency__code", "user__username"))
    for m in rows:
        role = Role.DELEGATE if m.is_delegate else Role.HEAD if m.is_head else Role.MEMBER
        yield [m.user.get_full_name(), m.title, m.user.email, m.phone, m.agency.code,
               str(Role.LABELS[role]), m.user.get_username()]


def _agency_codes(scope: Scope) -> list[str]:
    return list(Agency.objects.filter(province=scope.province, active=True)
                .order_by("code").values_list("code", flat=True))


MEMBERS = register(Kind(
    name="members",
    title=gettext_lazy("Users and memberships"),
    guide=gettext_lazy("One row per person and agency: the account is created when no account "
                       "has this username (or e-mail), and the person becomes a member of the "
                       "agency with this position and role."),
    columns=(
        Column("full_name", gettext_lazy("Full name"), 28, max_length=150,
               example="Nguyễn Thị Lan", note=gettext_lazy("as it is shown on the pages")),
        Column("title", gettext_lazy("Position"), 28, max_length=120,
               example="Chuyên viên", note=gettext_lazy("position in the agency")),
        Column("email", gettext_lazy("E-mail"), 30, max_length=254,
               example="lan.nt@hatinh.gov.vn", note=gettext_lazy("for the invitation and "
                                                                 "reminders")),
        Column("phone", gettext_lazy("Phone"), 16, required=False, max_length=20,
               example="0912345678"),
        Column("agency", gettext_lazy("Agency code"), 18, max_length=64, example="vpdp",
               note=gettext_lazy("the code of one of the province's agencies"),
               choices=True),
        Column("role", gettext_lazy("Role"), 24, required=False, max_length=60,
               example=str(gettext_lazy("member")),
               note=gettext_lazy("member (empty), head of the agency, or delegate of the "
                                 "chairman (provincial committee only)"), choices=True),
        Column("username", gettext_lazy("Username"), 20, required=False, max_length=150,
               example="lan.nt", note=gettext_lazy("empty: the e-mail address")),
    ),
    apply_row=_member_row,
    export_rows=_member_export,
    choices=lambda scope: {"agency": _agency_codes(scope),
                           "role": [str(label) for label in Role.LABELS.values()]},
))


# --- the responsibility mapping ---------------------------------------------------------
def target_of(criteria_set: CriteriaSet, code: str) -> tuple[Criterion, Indicator | None]:
    number, dot, _rest = code.partition(".")
    criterion = (Criterion.objects.filter(criteria_set=criteria_set, number=int(number)).first()
                 if number.isascii() and number.isdigit() and len(number) <= 3 else None)
    if criterion is None:
        raise CellProblem("target", _("The criteria set %(set)s has no criterion “%(code)s”.")
                          % {"set": criteria_set.code, "code": code})
    if not dot:
        return criterion, None
    indicator = Indicator.objects.filter(criterion=criterion, code=code).first()
    if indicator is None:
        raise CellProblem("target", _("Criterion %(number)s has no indicator “%(code)s”.")
                          % {"number": criterion.number, "code": code})
    return criterion, indicator


def _mapping_row(*, actor: Any, scope: Scope, values: dict[str, str]) -> str:
    criterion, indicator = target_of(scope.criteria_set, values["target"])
    agency = agency_of(scope, values["agency"])
    if agency.kind in COMMUNE_LEVEL:
        raise CellProblem("agency", _("%(agency)s is a commune's agency: it appraises nothing.")
                          % {"agency": agency})
    responsibility_set(actor=actor, province=scope.province, criterion=criterion,
                       indicator=indicator, agency=agency, reason=_("imported from a sheet"))
    return _("%(target)s → %(agency)s") % {"target": values["target"], "agency": agency}


def _mapping_export(scope: Scope) -> Iterable[list[Any]]:
    rows = (Responsibility.objects.filter(province=scope.province,
                                          criterion__criteria_set=scope.criteria_set)
            .select_related("criterion", "indicator", "agency")
            .order_by("criterion__number", "indicator__code"))
    for r in rows:
        target = r.indicator or r.criterion
        code = r.indicator.code if r.indicator else str(r.criterion.number)
        yield [code, target.name, r.agency.code]


def _targets(scope: Scope) -> list[str]:
    out = []
    for criterion in (Criterion.objects.filter(criteria_set=scope.criteria_set, retired=False)
                      .prefetch_related("indicators").order_by("number")):
        out.append(str(criterion.number))
        out.extend(i.code for i in criterion.indicators.all() if not i.retired)
    return out


MAPPING = register(Kind(
    name="mapping",
    title=gettext_lazy("Responsibility mapping"),
    needs=("criteria_set",),
    guide=gettext_lazy("One row per criterion (its number) or single indicator (its code, "
                       "e.g. 17.8): the agency that appraises it for this criteria set."),
    columns=(
        Column("target", gettext_lazy("Criterion or indicator code"), 18, max_length=20,
               example="17.8", note=gettext_lazy("a criterion's number or an indicator's code"),
               choices=True),
        Column("name", gettext_lazy("Name (for reading, not imported)"), 50, required=False,
               max_length=500, example="Tỷ lệ hộ gia đình và cơ sở sản xuất kinh doanh..."),
        Column("agency", gettext_lazy("Agency code"), 18, max_length=64, example="nn",
               note=gettext_lazy("the code of the province's agency"), choices=True),
    ),
    apply_row=_mapping_row,
    export_rows=_mapping_export,
    choices=lambda scope: {"target": _targets(scope), "agency": list(
        Agency.objects.filter(province=scope.province, active=True)
        .exclude(kind__in=COMMUNE_LEVEL).order_by("code").values_list("code", flat=True))},
))


# --- historic recognitions -----------------------------------------------------------
def _recognition_row(*, actor: Any, scope: Scope, values: dict[str, str]) -> str:
    signed_on = cell_date(values["signed_on"], RECOGNITIONS.column("signed_on"))
    dossier = recognition_import(
        actor=actor, province=scope.province, commune_code=values["commune"],
        commune_name=values["commune_name"], successor_code=values["successor"],
        level=level_of(values["level"]), decision_number=values["decision_number"],
        signed_on=signed_on, signer_name=values["signer_name"],
        signer_title=values["signer_title"], criteria_set_code=values["criteria_set"])
    return _("%(commune)s recognised %(level)s by %(number)s of %(day)s.") % {
        "commune": dossier.commune, "level": dossier.get_level_display(),
        "number": values["decision_number"], "day": signed_on.strftime("%d/%m/%Y")}


def _recognition_export(scope: Scope) -> Iterable[list[Any]]:
    rows = (Decision.objects.filter(dossier__commune__province=scope.province,
                                    kind=Decision.Kind.RECOGNITION)
            .select_related("dossier__commune__successor", "dossier__criteria_set")
            .order_by("signed_on", "pk"))
    for d in rows:
        commune = d.dossier.commune
        yield [commune.code, commune.name, commune.successor.code if commune.successor else "",
               d.dossier.get_level_display(), d.number, d.signed_on, d.signer_name,
               d.signer_title, d.dossier.criteria_set.code]


RECOGNITIONS = register(Kind(
    name="recognitions",
    title=gettext_lazy("Historic recognitions"),
    guide=gettext_lazy("One row per recognition decided before the product. A commune "
                       "abolished by the 2025 mergers is kept as a historic unit: give its "
                       "old code, its name and the code of the commune it merged into."),
    columns=(
        Column("commune", gettext_lazy("Commune code"), 14, max_length=8, kind="code",
               example="18073", note=gettext_lazy("official code (the old code for an "
                                                  "abolished commune)")),
        Column("commune_name", gettext_lazy("Commune name"), 24, required=False,
               max_length=120, example="Xã Sơn Kim 1",
               note=gettext_lazy("needed for an abolished commune")),
        Column("successor", gettext_lazy("Merged into (commune code)"), 18, required=False,
               max_length=8, kind="code", example="18070",
               note=gettext_lazy("for a commune abolished by the 2025 mergers")),
        Column("level", gettext_lazy("Level"), 30, max_length=80,
               example=str(Level.NTM.label), choices=True),
        Column("decision_number", gettext_lazy("Decision number"), 20, max_length=60,
               example="1234/QĐ-UBND"),
        Column("signed_on", gettext_lazy("Signed on (dd/mm/yyyy)"), 16, max_length=10,
               kind="date", example="15/12/2019"),
        Column("signer_name", gettext_lazy("Signed by"), 24, max_length=200,
               example="Nguyễn Văn A"),
        Column("signer_title", gettext_lazy("Signer's title"), 24, required=False,
               max_length=200, example="Phó Chủ tịch UBND tỉnh"),
        Column("criteria_set", gettext_lazy("Criteria set code"), 22, required=False,
               max_length=60, example="QD318-2022-NTM-XA",
               note=gettext_lazy("empty: the set in force on the day of the decision"),
               choices=True),
    ),
    apply_row=_recognition_row,
    export_rows=_recognition_export,
    choices=lambda scope: {"level": level_choices(scope), "criteria_set": list(
        CriteriaSet.objects.order_by("code").values_list("code", flat=True))},
))
