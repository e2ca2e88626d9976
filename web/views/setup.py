"""The set-up workspace (``/setup/...``): an administrator sets up any province, a
coordination office its own. Each page is a filterable list and the forms that change it;
each form calls one set-up service (which checks the right again and audits the change)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers.models import (
    Agency,
    Batch,
    Commune,
    CriteriaSet,
    Criterion,
    Indicator,
    Province,
    Responsibility,
)
from dossiers.permissions import administered_provinces
from dossiers.services import agencies, geography, people, setup
from notifications.policy import reminder_policy_of, reminder_policy_set
from workflow.services import member_deactivate

from .. import setup_forms as f
from ..refusals import refusals_shown

Action = tuple[Any, Callable[[dict[str, Any]], Any], str]

# The heading of each form; forms of one row (a person, a batch) are drawn in their row.
TITLES = {
    "import": gettext_lazy("Import a province"),
    "refresh": gettext_lazy("Import the official list again"),
    "district": gettext_lazy("Add a historic district"),
    "classify": gettext_lazy("Group, region and historic district"),
    "village": gettext_lazy("Add or update a village"),
    "create": gettext_lazy("Create"),
    "edit": gettext_lazy("Edit"),
    "invite": gettext_lazy("Add a member (an invitation e-mail is sent)"),
    "active": gettext_lazy("Deactivate or reactivate the agency"),
    "set": gettext_lazy("Set the agency responsible"),
    "copy": gettext_lazy("Copy a mapping as a starting point"),
    "publish": gettext_lazy("Publish a new version"),
    "policy": gettext_lazy("Reminder policy"),
}
ROW_FORMS = {"deactivate", "reactivate"}


def _province(request: HttpRequest, pk: int) -> Province:
    return get_object_or_404(administered_provinces(request.user), pk=pk)


def _page(request: HttpRequest, province: Province | None, title: str, *,
          actions: dict[str, Action] | None = None, **context: Any) -> HttpResponse:
    """Render a set-up page; on POST run the named action's form through its service."""
    actions = actions or {}
    forms = {name: form for name, (form, _run, _done) in actions.items()}
    if request.method == "POST":
        name = request.POST.get("action", "")
        if name not in actions:
            raise Http404
        form, run, done = actions[name]
        if form.is_valid():
            with refusals_shown(request):
                run(form.cleaned_data)
                messages.success(request, done)
                return redirect(request.get_full_path())
    shown = [(name, TITLES[name], form) for name, form in forms.items()
             if name not in ROW_FORMS and not (name == "edit" and "batches" in context)]
    return render(request, "setup/page.html", {
        "province": province, "title": title, "forms": shown, "all_forms": forms, **context})


def _bound(request: HttpRequest, name: str, form_class: type, **kwargs: Any) -> Any:
    data = request.POST if request.method == "POST" and request.POST.get("action") == name \
        else None
    return form_class(data, prefix=name, **kwargs)


@login_required
def provinces(request: HttpRequest) -> HttpResponse:
    rows = administered_provinces(request.user).order_by("code")
    if not request.user.is_superuser and not rows.exists():
        raise Http404
    actions = {}
    if request.user.is_superuser:
        actions["import"] = (_bound(request, "import", f.ProvinceImportForm),
                             lambda d: geography.province_import(actor=request.user,
                                                                 code=d["code"]),
                             _("The province and its communes and wards are imported."))
    return _page(request, None, _("Set-up"), actions=actions,
                 columns=[_("Code"), _("Province"), _("Communes and wards")],
                 rows=[[(p.code, None), (p.name, reverse("setup_province", args=[p.pk])),
                        (str(p.communes.count()), None)] for p in rows])


@login_required
def province(request: HttpRequest, pk: int) -> HttpResponse:
    p = _province(request, pk)
    actions = {"refresh": (_bound(request, "refresh", f.SetupForm),
                           lambda d: geography.province_import(actor=request.user,
                                                               code=int(p.code)),
                           _("The official list is imported again.")),
               "district": (_bound(request, "district", f.DistrictForm),
                            lambda d: geography.district_record(actor=request.user, province=p,
                                                                **d),
                            _("The historic district is recorded."))}
    return _page(request, p, str(p), actions=actions,
                 columns=[_("Historic district"), _("Abolished on")],
                 rows=[[(d.name, None), (d.abolished_on.strftime("%d/%m/%Y")
                                         if d.abolished_on else "", None)]
                       for d in p.districts.order_by("name")])


@login_required
def communes(request: HttpRequest, pk: int) -> HttpResponse:
    p = _province(request, pk)
    filters = f.CommuneFilter(request.GET or None)
    rows = p.communes.order_by("name")
    if filters.is_valid():
        d = filters.cleaned_data
        if d["q"]:
            rows = rows.filter(Q(name__icontains=d["q"]) | Q(code__icontains=d["q"]))
        rows = rows.filter(**{k: d[k] for k in ("kind", "group", "region") if d[k]})
    return _page(request, p, _("Communes and wards"), filters=filters,
                 columns=[_("Code"), _("Commune"), _("Commune group"), _("Region")],
                 rows=[[(c.code, None), (c.name, reverse("setup_commune", args=[p.pk, c.pk])),
                        (c.get_group_display() if c.group else "—", None),
                        (c.get_region_display() or "—", None)] for c in rows])


@login_required
def commune(request: HttpRequest, pk: int, commune_pk: int) -> HttpResponse:
    p = _province(request, pk)
    c = get_object_or_404(Commune, pk=commune_pk, province=p)
    initial = {"group": c.group, "group_decided_on": c.group_decided_on, "region": c.region,
               "region_decided_on": c.region_decided_on, "district": c.district_id}
    classify = _bound(request, "classify", f.ClassifyForm, province=p, initial=initial)
    actions = {"classify": (classify, lambda d: geography.commune_classify(
                   actor=request.user, commune=c, **d), _("The commune's group and region are "
                                                          "saved.")),
               "village": (_bound(request, "village", f.VillageForm),
                           lambda d: geography.village_set(actor=request.user, commune=c, **d),
                           _("The village is saved."))}
    return _page(request, p, str(c), actions=actions,
                 columns=[_("Village"), _("Households")],
                 rows=[[(v.name, None), (str(v.households), None)]
                       for v in c.villages.order_by("name")])


@login_required
def agency_list(request: HttpRequest, pk: int) -> HttpResponse:
    p = _province(request, pk)
    filters = f.AgencyFilter(request.GET or None)
    rows = p.agencies.select_related("commune").order_by("kind", "name")
    if filters.is_valid():
        d = filters.cleaned_data
        if d["q"]:
            rows = rows.filter(Q(name__icontains=d["q"]) | Q(code__icontains=d["q"]))
        if d["kind"]:
            rows = rows.filter(kind=d["kind"])
        if d["active"]:
            rows = rows.filter(active=d["active"] == "yes")
    actions = {"create": (_bound(request, "create", f.AgencyForm, province=p),
                          lambda d: agencies.agency_create(actor=request.user, province=p, **d),
                          _("The agency is created."))}
    return _page(request, p, _("Agencies"), filters=filters, actions=actions,
                 columns=[_("Agency"), _("Kind"), _("Status")],
                 rows=[[(a.name, reverse("setup_agency", args=[p.pk, a.pk])),
                        (a.get_kind_display(), None),
                        (_("active") if a.active else _("deactivated"), None)] for a in rows])


@login_required
def agency(request: HttpRequest, pk: int, agency_pk: int) -> HttpResponse:
    p = _province(request, pk)
    a = get_object_or_404(Agency, pk=agency_pk, province=p)
    members = a.memberships.select_related("user").order_by("user__last_name")
    people_here = get_user_model().objects.filter(memberships__agency=a)

    def person(d: dict[str, Any]) -> Any:
        return get_object_or_404(people_here, pk=d["person"])

    actions = {
        "edit": (_bound(request, "edit", f.AgencyEditForm, initial={
            "name": a.name, "confirms_debt": a.confirms_debt,
            "confirms_security": a.confirms_security}),
            lambda d: agencies.agency_update(actor=request.user, agency=a, **d),
            _("The agency is saved.")),
        "invite": (_bound(request, "invite", f.InviteForm),
                   lambda d: people.person_invite(actor=request.user, agency=a, **d),
                   _("The account is created and the invitation e-mail sent.")),
        "deactivate": (_bound(request, "deactivate", f.PersonForm),
                       lambda d: member_deactivate(actor=request.user, person=person(d),
                                                   reason=d["reason"]),
                       _("The person is deactivated; their open tasks are back in the "
                         "agency's queue.")),
        "reactivate": (_bound(request, "reactivate", f.PersonForm),
                       lambda d: people.account_set_active(actor=request.user, person=person(d),
                                                           active=True, reason=d["reason"]),
                       _("The person is active again.")),
        "active": (_bound(request, "active", f.ReasonForm),
                   lambda d: agencies.agency_set_active(actor=request.user, agency=a,
                                                        active=not a.active, **d),
                   _("The agency is reactivated.") if not a.active
                   else _("The agency is deactivated.")),
    }
    return _page(request, p, str(a), actions=actions, agency=a, members=members,
                 columns=[], rows=[])


def _targets(criteria_set: CriteriaSet) -> list[tuple[str, str]]:
    choices = []
    for criterion in criteria_set.criteria.prefetch_related("indicators").order_by("number"):
        choices.append((f"c{criterion.pk}", f"{criterion.number}. {criterion.name}"))
        choices += [(f"i{i.pk}", f"  {i.code} {i.name}") for i in criterion.indicators.all()]
    return choices


def _set_mapping(request: HttpRequest, p: Province, d: dict[str, Any]) -> Any:
    target = d["target"]
    if target.startswith("i"):
        indicator = get_object_or_404(Indicator, pk=int(target[1:]))
        criterion = indicator.criterion
    else:
        indicator, criterion = None, get_object_or_404(Criterion, pk=int(target[1:]))
    return setup.responsibility_set(actor=request.user, province=p, criterion=criterion,
                                    indicator=indicator, agency=d["agency"], reason=d["reason"])


@login_required
def responsibilities(request: HttpRequest, pk: int) -> HttpResponse:
    p = _province(request, pk)
    sets = CriteriaSet.objects.filter(Q(province__isnull=True) | Q(province=p))
    filters = f.MappingFilter(request.GET or None, sets=sets)
    chosen = filters.cleaned_data["criteria_set"] if filters.is_valid() else None
    chosen = chosen or sets.order_by("-valid_from").first()
    rows = Responsibility.objects.filter(province=p, criterion__criteria_set=chosen) \
        .select_related("criterion", "indicator", "agency") \
        .order_by("criterion__number", "indicator__position")
    appraisers = p.agencies.filter(kind__in=setup.APPRAISING_KINDS, active=True)
    actions = {}
    if chosen is not None:
        actions = {
            "set": (_bound(request, "set", f.MappingForm, targets=_targets(chosen),
                           agencies=appraisers),
                    lambda d: _set_mapping(request, p, d), _("The responsibility is saved.")),
            "copy": (_bound(request, "copy", f.CopyForm, sets=sets),
                     lambda d: messages.info(request, _("Copied: %(n)s; already mapped: %(k)s; "
                                                        "not copied: %(s)s") % _copy_counts(
                         setup.responsibility_copy(actor=request.user, province=p,
                                                   criteria_set=chosen, **d))),
                     _("The mapping was copied where nothing was mapped yet.")),
        }
    return _page(request, p, _("Responsibilities"), filters=filters, actions=actions,
                 subtitle=str(chosen or ""),
                 columns=[_("Criterion or indicator"), _("Agency")],
                 rows=[[(r.indicator.code if r.indicator_id else str(r.criterion.number), None),
                        (r.agency.name, None)] for r in rows])


def _copy_counts(report: dict[str, list[str]]) -> dict[str, Any]:
    return {"n": len(report["copied"]), "k": len(report["kept"]),
            "s": "; ".join(report["skipped"]) or "0"}


@login_required
def profiles(request: HttpRequest, pk: int) -> HttpResponse:
    p = _province(request, pk)
    latest = p.regulation_profiles.order_by("-version").first()
    initial = {name: getattr(latest, name) for name in setup.PROFILE_FIELDS
               if name not in ("version", "valid_from")} if latest else {}
    actions = {"publish": (_bound(request, "publish", f.ProfileForm, initial=initial),
                           lambda d: setup.regulation_profile_publish(actor=request.user,
                                                                      province=p, **d),
                           _("A new version is published; running dossiers keep theirs."))}
    return _page(request, p, _("Regulation profiles"), actions=actions,
                 columns=[_("Version"), _("In force from"), _("Legal basis"),
                          _("Dossiers using it")],
                 rows=[[(str(r.version), None), (r.valid_from.strftime("%d/%m/%Y"), None),
                        (r.legal_basis, None), (str(r.dossiers.count()), None)]
                       for r in p.regulation_profiles.order_by("-version")])


def _batch_edit(request: HttpRequest, p: Province, d: dict[str, Any]) -> Any:
    batch = get_object_or_404(Batch, pk=d.pop("batch"), province=p)
    return setup.batch_update(actor=request.user, batch=batch, **d)


@login_required
def batches(request: HttpRequest, pk: int) -> HttpResponse:
    p = _province(request, pk)
    filters = f.BatchFilter(request.GET or None)
    rows = p.batches.order_by("-recognition_year", "number")
    if filters.is_valid():
        d = filters.cleaned_data
        if d["recognition_year"]:
            rows = rows.filter(recognition_year=d["recognition_year"])
        if d["closed"]:
            rows = rows.filter(closed=d["closed"] == "yes")
    policy = reminder_policy_of(p)
    actions = {
        "create": (_bound(request, "create", f.BatchForm),
                   lambda d: setup.batch_create(actor=request.user, province=p, **d),
                   _("The batch is created: set its calendar on its page.")),
        "edit": (_bound(request, "edit", f.BatchEditForm),
                 lambda d: _batch_edit(request, p, d), _("The batch is saved.")),
        "policy": (_bound(request, "policy", f.PolicyForm, initial={
            "days_before": policy.days_before, "overdue_every_days": policy.overdue_every_days,
            "escalate_after_days": policy.escalate_after_days}),
            lambda d: reminder_policy_set(actor=request.user, province=p, **d),
            _("The reminder policy is saved.")),
    }
    return _page(request, p, _("Batches and reminders"), filters=filters, actions=actions,
                 batches=rows, columns=[], rows=[])
