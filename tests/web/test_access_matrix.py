"""The access matrix (issue 12 item 9): every role × every endpoint and page × its own
object, another commune's, another department's, another province's and one that does not
exist.

The endpoints come from the URL configuration (a walk of the resolver; the page actions of a
dossier from ``web.views.dossiers.ACTIONS``; the API's methods from the schema), so a new
URL is in the matrix at once, and fails it until ``EXPECT`` says what the roles get. What
holds, for every request:
- another's object is answered exactly like an absent one (the same status: nobody learns
  it exists), which for a read of a path object is 404;
- a write (an empty POST: the roles' ways in, not their inputs, are what is tested here)
  changes nothing unless ``EXPECT`` marks it as the role's own right (``!``); each request
  runs in a savepoint rolled back afterwards, so every case sees the same data;
- the status of a request on the role's own object is the one ``EXPECT`` gives.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from viewflow.workflow.models import Task

from audit.models import AuditEvent
from demo.files import pdf
from demo.journey import Journey
from dossiers.models import (
    AgendaItem,
    Commune,
    CouncilMeeting,
    CriterionAppraisal,
    Dossier,
    Level,
    Membership,
    RegulationProfile,
    Responsibility,
    Village,
)
from dossiers.services import assessment
from dossiers.services.roadmap import roadmap_target_set
from notifications import services as notification_services
from notifications.models import CalendarFeed, Notification
from web.views.dossiers import ACTIONS
from workflow.services.merger import merger_record

# --- roles and the scopes each is tried in ---------------------------------------------
# role -> the account in the home province (the kit); the other province's has "na_".
ROLES = {
    "commune": "ubnd_42001", "front": "mttq_42001", "dept": "so_xd", "debt": "so_tc",
    "security": "so_ca", "pfront": "mttq_tinh", "vpdp": "vpdp", "council": "hoi_dong_2",
    "chair": "chu_tich", "delegate": "pho_chu_tich", "audit": "thanh_tra",
}
COMMUNE_ROLES = {"commune", "front"}
DEPARTMENT_ROLES = {"dept", "debt", "security"}
OTHERS = ("other_commune", "other_department", "other_province")


def scopes_of(role: str) -> tuple[str, ...]:
    """The scopes that differ from "own" for the role: another commune for the commune's
    people, another department for the departments', another province for everyone."""
    if role in COMMUNE_ROLES:
        return ("own", "other_commune", "other_province", "absent")
    if role in DEPARTMENT_ROLES:
        return ("own", "other_department", "other_province", "absent")
    return ("own", "other_province", "absent")


ABSENT = 2**31 - 1

# --- what each role gets -------------------------------------------------------------------
# EXPECT[endpoint] = {method: "code: roles; code: roles; code: *"}, for the role's own
# object (or, without a path object, for the endpoint itself). "*" is every other role;
# "!" after a code marks a write the role may make (its state change is allowed).
# ``scopes=("own",)`` limits an endpoint to the own case (with a reason).
READERS = "commune front dept debt security pfront vpdp council chair delegate audit"


@dataclasses.dataclass(frozen=True)
class Expect:
    methods: dict[str, str]
    scopes: tuple[str, ...] | None = None
    why: str = ""


def E(scopes: tuple[str, ...] | None = None, why: str = "", **methods: str) -> Expect:  # noqa: N802
    return Expect(methods, scopes, why)


EXPECT: dict[str, Expect] = {
    # --- the API (its methods are the schema's) ---
    "dossier-list": E(GET="200: *", POST="400: *"),
    "dossier-detail": E(GET="200: *"),
    "dossier-audit": E(GET="200: vpdp audit; 403: *"),
    "dossier-comments": E(GET="200: *", POST="400: *"),
    "dossier-comment-respond": E(POST="400: *"),
    "dossier-conditions": E(GET="200: *"),
    # Steps without input: the commune's own steps are refused for the dossier's stage.
    "dossier-close-posting": E(POST="400: commune; 403: *"),
    "dossier-finish-survey": E(POST="400: front; 403: *"),
    "dossier-publish": E(POST="400: commune; 403: *"),
    "dossier-submit": E(POST="400: commune; 403: *"),
    **{f"dossier-{name}": E(POST="400: *") for name in (
        "announce", "confirm-debt", "confirm-security", "confirmations", "decision", "decline",
        "district-verification", "documents", "evidence", "refuse", "schedule",
        "self-assessment", "survey", "survey-appraisal")},
    "appraisal-list": E(GET="200: *"),
    "appraisal-record": E(POST="400: *"),
    "appraisal-answer": E(POST="400: *"),
    "meeting-list": E(GET="200: *", POST="400: *"),
    "meeting-detail": E(GET="200: *"),
    "meeting-open": E(POST="400: *"),
    "meeting-close": E(POST="400: vpdp; 403: *"),
    "agenda-item-list": E(GET="200: *"),
    "agenda-item-vote": E(POST="400: *"),
    "agenda-item-close": E(POST="400: vpdp; 403: *"),
    "batch-list": E(GET="200: *"),
    "batch-detail": E(GET="200: *"),
    "batch-deadlines": E(POST="400: *"),
    "task-list": E(GET="200: *"),
    "audit-event-list": E(GET="200: vpdp audit; 403: *"),
    "task-reassign": E(POST="400: *"),
    "evidence-withdraw": E(POST="400: *"),
    "bulk-register": E(POST="400: *"),
    "dossier-criteria": E(GET="200: *"),
    "dossier-villages": E(GET="200: *"),
    "api-documents": E(GET="200: *"),
    "api-document": E(GET="200: *"),
    # The province's set-up, read by its members (a list is of the caller's provinces).
    **{f"{name}-list": E(GET="200: *") for name in (
        "agency", "commune", "village", "criteria-set", "responsibility",
        "regulation-profile")},
    **{f"{name}-detail": E(GET="200: *") for name in (
        "agency", "criteria-set", "responsibility", "regulation-profile")},
    # Another commune of the province is public geography (its name, villages, households):
    # the province's members read it, another province's is hidden.
    **{f"{name}-detail": E(("own", "other_province", "absent"), "a province's communes "
                           "and villages are read by all its members", GET="200: *")
       for name in ("commune", "village")},
    # Set-up (DOMAIN.md section 6): administrators and the province's coordination office;
    # anyone else is answered as if the object did not exist. An empty input is refused.
    **{f"setup-{name}-list": E(GET="200: *", POST="400: *") for name in (
        "agency", "batch", "district", "membership", "person", "province",
        "regulation-profile", "responsibility")},
    "setup-commune-list": E(GET="200: *"),
    "setup-criteria-set-list": E(GET="200: *"),
    "setup-criteria-set-detail": E(GET="200: *"),
    "setup-responsibility-copy": E(POST="400: *"),
    **{f"setup-{name}-detail": E(GET="200: vpdp; 404: *", PATCH="400: vpdp; 404: *")
       for name in ("agency", "batch", "person")},
    **{f"setup-{name}": E(POST="400: vpdp; 404: *") for name in (
        "agency-activate", "agency-deactivate", "batch-deadlines", "commune-classify",
        "person-deactivate", "person-reactivate")},
    **{f"setup-{name}-detail": E(GET="200: vpdp; 404: *") for name in (
        "commune", "province", "regulation-profile")},
    **{f"setup-{name}-detail": E(DELETE="400: vpdp; 404: *") for name in (
        "membership", "responsibility")},
    "setup-commune-villages": E(GET="200: vpdp; 404: *", POST="400: vpdp; 404: *"),
    "setup-province-reminder-policy": E(GET="200: vpdp; 404: *", PUT="400: vpdp; 404: *"),
    # Refreshing the province from the national list of units is the office's right.
    "setup-province-refresh": E(POST="200!: vpdp; 404: *"),
    # Imports: the coordination office (an empty input is refused before anything is read).
    "import-upload": E(("own",), "the kind of sheet, not an object", POST="400: *"),
    "import-template": E(("own",), "the kind of sheet, not an object", GET="400: *"),
    "import-apply": E(POST="400: *"),
    # Reports: the coordination office, the People's Committee and the inspectorate.
    "api-report": E(GET="200: vpdp chair delegate audit; 403: *"),
    "api-report-figure": E(("own",), "a figure's key, not an object",
                           GET="200: vpdp chair delegate audit; 403: *"),
    # The roadmap and mergers: the coordination office writes; lists are of its provinces.
    "roadmap-target-list": E(GET="200: *", POST="400: *"),
    "roadmap-target-import-rows": E(POST="400: *"),
    "roadmap-target-remove": E(POST="400: vpdp; 404: *"),
    "merger-list": E(GET="200: *", POST="400: *"),
    "merger-detail": E(GET="200: vpdp; 404: *"),
    "api-root": E(GET="200: *"),
    "schema": E(GET="200: *"),
    "api-docs": E(GET="200: *"),
    # --- the pages ---
    "home": E(GET="200: *"),
    "dossier_list": E(GET="200: *"),
    "dossier": E(GET="200: *"),
    "evidence": E(GET="200: *"),
    "task_reassign": E(POST="302: *"),
    # A page action refused shows its message on the dossier's page (302); the commune's
    # own steps refused for the stage are 403 for everyone else.
    **{f"dossier_action[{name}]": E(POST="302: *") for name in ACTIONS},
    "dossier_action[close_posting]": E(POST="302: commune; 403: *"),
    "dossier_action[finish_survey]": E(POST="302: front; 403: *"),
    "dossier_action[publish]": E(POST="302: commune; 403: *"),
    "dossier_action[submit]": E(POST="302: commune; 403: *"),
    "meetings": E(GET="200: vpdp council; 403: *", POST="302: vpdp council; 403: *"),
    "batches": E(GET="200: vpdp; 403: *"),
    "batch": E(GET="200: vpdp; 403: *", POST="302: vpdp; 403: *"),
    "appraisal_board": E(GET="200: *", POST="302: *"),
    "dossier_document": E(GET="200: *"),
    "setup": E(GET="200: vpdp; 404: *", POST="404: *"),
    **{name: E(GET="200: vpdp; 404: *", POST="404: *") for name in (
        "setup_province", "setup_communes", "setup_commune", "setup_agencies", "setup_agency",
        "setup_responsibilities", "setup_profiles", "setup_batches")},
    "imports": E(GET="200: vpdp; 403: *", POST="200: vpdp; 403: *"),
    "imports_apply": E(POST="302: *"),
    "imports_template": E(GET="302: vpdp; 403: *"),
    "report": E(GET="200: vpdp chair delegate audit; 403: *"),
    "report_figure": E(("own",), "a figure's key, not an object",
                       GET="200: vpdp chair delegate audit; 403: *"),
    "roadmap": E(GET="200: vpdp; 403: *", POST="200: vpdp; 403: *"),
    "mergers": E(GET="200: vpdp; 403: *", POST="302: vpdp; 403: *"),
    "merger": E(GET="200: vpdp; 403: *"),
    # The public pages need no sign-in: every province's are everyone's.
    "public": E(GET="200: *"),
    "public_province": E(("own", "absent"), "public: anyone reads any province's page",
                         GET="200: *"),
    "public_decision": E(("own",), "public; no decision is published in this world (the "
                                   "published one: tests/web/test_public.py)", GET="404: *"),
    "notifications:preference": E(POST="302!: *"),
    "audit:list": E(GET="200: vpdp audit; 403: *"),
    "audit:detail": E(GET="200: vpdp audit; 403: *"),
    "audit:dossier": E(GET="200: vpdp audit; 403: *"),
    "audit:export_csv": E(GET="200: vpdp audit; 403: *"),
    "audit:export_xlsx": E(GET="200: vpdp audit; 403: *"),
    "notifications:list": E(GET="200: *"),
    "notifications:mark_read": E(POST="302!: *"),
    "notifications:feed_create": E(POST="302!: *"),
    "notifications:feed_revoke": E(POST="302!: *"),
    "notifications:delivery": E(GET="200: vpdp; 403: *"),
    # A capability URL: whoever holds the token reads the calendar.
    "notifications:feed": E(GET="200: *"),
    "login": E(GET="200: *", POST="200: *"),
    "logout": E(GET="405: *", why="signing out (POST) would end the session the matrix "
                                  "runs in: tests/web/test_security.py"),
    "password_change": E(GET="200: *", POST="200: *"),
    "password_change_done": E(GET="200: *"),
    "password_reset": E(GET="200: *", POST="200: *"),
    "password_reset_done": E(GET="200: *"),
    "password_reset_confirm": E(GET="200: *"),
    "password_reset_complete": E(GET="200: *"),
    "set_language": E(POST="302: *"),
    "admin:login": E(GET="200: *"),
}


# --- the endpoints, from the URL configuration ---------------------------------------------
@dataclasses.dataclass(frozen=True)
class Endpoint:
    key: str  # the URL's name (namespace:name), with the page action in brackets
    route: str  # the route, with its parameters as {name}
    params: tuple[str, ...]
    api_methods: tuple[str, ...] = ()  # for the API: from the URL's viewset

    def url(self, values: dict[str, Any]) -> str:
        return "/" + re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), self.route)


def _route(pattern: Any) -> str:
    text = str(pattern).lstrip("^").rstrip("$")
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)  # regex groups
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)  # path converters


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[tuple]:
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + _route(p.pattern), inner)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}".strip(":") if p.name else prefix + _route(p.pattern)
            yield prefix + _route(p.pattern), name, p.callback


def endpoints() -> list[Endpoint]:
    """Every URL of the product, once (the API's format-suffix twins left out: the same
    views), with the page actions of a dossier one by one."""
    found: dict[str, Endpoint] = {}
    for route, name, callback in _walk(get_resolver().url_patterns):
        if "{format}" in route:
            continue
        params = tuple(re.findall(r"\{(\w+)\}", route))
        # DRF adds HEAD (GET's twin) to a viewset's actions at its first request: left out.
        methods = tuple(m.upper() for m in getattr(callback, "actions", {}) or {}
                        if m != "head")
        if name == "dossier_action":
            for action in ACTIONS:
                found[f"{name}[{action}]"] = Endpoint(
                    f"{name}[{action}]", route.replace("{action}", action),
                    tuple(p for p in params if p != "action"))
            continue
        found.setdefault(name, Endpoint(name, route, params, methods))
    return sorted(found.values(), key=lambda e: e.key)


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(path, method.upper()) for path, item in schema["paths"].items()
            for method in item}


# --- the data: the home province (two communes) and another province ----------------------
@dataclasses.dataclass
class World:
    """URL parameters per object kind and scope, and the calendar feeds per user."""

    objects: dict[str, dict[str, dict[str, Any]]]
    feeds: dict[str, Any]


def _dossier_with_everything(kit, commune) -> Journey:
    """A dossier on the council's agenda: evidence, a comment, appraisals, confirmations,
    a meeting and an agenda item, and its audit events."""
    journey = Journey.register(kit, commune, Level.NTM)
    criterion = journey.dossier.criteria_set.criteria.order_by("number").first()
    assessment.evidence_add(actor=journey.commune_officer, dossier=journey.dossier,
                            criterion=criterion, upload=pdf(), name="minh-chung.pdf")
    journey.to_consolidation()
    journey.schedule()
    return journey


def _merger(kit):
    """Two new communes of ``kit``'s province merged into a third (no dossier touched)."""
    new, *old = [Commune.objects.create(
        province=kit.province, code=f"{kit.province.code}9{n:02d}", name=f"Xã Gộp {n}",
        group=2, region=kit.communes[0].region) for n in range(3)]
    return merger_record(actor=kit.account("vpdp"), new_commune=new, predecessors=old,
                         legal_act="Nghị quyết 1/NQ-UBTVQH15", effective_on=dt.date(2026, 1, 1))


def build_world(kit, other_kit) -> World:
    home = _dossier_with_everything(kit, kit.communes[0])
    there = _dossier_with_everything(other_kit, other_kit.communes[0])
    neighbour = Journey.register(kit, kit.communes[1], Level.NTM)
    neighbour.to_appraisal()

    def item(journey: Journey, code: str) -> int:
        return CriterionAppraisal.objects.filter(
            dossier=journey.dossier, agency__code=code).order_by("pk").first().pk

    def event(journey: Journey) -> int:
        return AuditEvent.objects.filter(dossier_id=journey.dossier.pk).order_by("seq").first().pk

    def task(journey: Journey) -> int:
        return Task.objects.filter(process__dossierprocess__dossier=journey.dossier).exclude(
            status__in=("DONE", "CANCELED")).order_by("pk").first().pk

    def per_province(make) -> dict[str, dict[str, Any]]:
        return {"own": make(kit), "other_province": make(other_kit)}

    def per_agency(make) -> dict[str, dict[str, Any]]:
        return {"own": make(kit, "xd"), "other_department": make(kit, "nn"),
                "other_province": make(other_kit, "xd")}

    def per_commune(make) -> dict[str, dict[str, Any]]:
        return {"own": make(kit.communes[0]), "other_commune": make(kit.communes[1]),
                "other_province": make(other_kit.communes[0])}

    def per_dossier(make) -> dict[str, dict[str, Any]]:
        return {"own": make(home), "other_commune": make(neighbour),
                "other_province": make(there)}

    objects = {
        "pk": per_dossier(lambda j: {"pk": j.dossier.pk}),
        "evidence": per_dossier(lambda j: {"pk": j.dossier.pk, "evidence_pk": (
            j.dossier.evidence.order_by("pk").first() or home.dossier.evidence.first()).pk}),
        "comment": per_dossier(lambda j: {"pk": j.dossier.pk,
                                          "comment_pk": j.dossier.comments.first().pk}),
        "appraisal": {"own": {"pk": item(home, "xd")}, "other_commune": {"pk": item(
            neighbour, "xd")}, "other_department": {"pk": item(home, "nn")},
            "other_province": {"pk": item(there, "xd")}},
        "meeting": {"own": {"pk": home.meeting.pk}, "other_province": {"pk": there.meeting.pk}},
        "agenda": {"own": {"pk": home.item.pk}, "other_province": {"pk": there.item.pk}},
        "batch": {"own": {"pk": kit.batch.pk}, "other_province": {"pk": other_kit.batch.pk}},
        "event": per_dossier(lambda j: {"pk": event(j)}),
        "task": per_dossier(lambda j: {"pk": task(j)}),
        "document": per_dossier(lambda j: {"pk": j.dossier.pk, "kind": "submission_letter"}),
        "province": per_province(lambda k: {"pk": k.province.pk}),
        "province_code": {"own": {"code": kit.province.code}},
        "decision": {"own": {"code": kit.province.code, "decision_id": ABSENT}},
        "agency": per_agency(lambda k, code: {"pk": k.agencies[code].pk}),
        "setup_agency": per_agency(lambda k, code: {"pk": k.province.pk,
                                                    "agency_pk": k.agencies[code].pk}),
        "commune": per_commune(lambda c: {"pk": c.pk}),
        "setup_commune": per_commune(lambda c: {"pk": c.province_id, "commune_pk": c.pk}),
        "village": per_commune(lambda c: {"pk": Village.objects.filter(
            commune=c).order_by("pk").first().pk}),
        # The national sets are everyone's: there is no other province's set.
        "criteria_set": {"own": {"pk": home.dossier.criteria_set_id}},
        "responsibility": per_province(lambda k: {"pk": Responsibility.objects.filter(
            province=k.province).order_by("pk").first().pk}),
        "profile": per_province(lambda k: {"pk": RegulationProfile.objects.filter(
            province=k.province).order_by("pk").first().pk}),
        "membership": per_agency(lambda k, code: {"pk": Membership.objects.filter(
            agency=k.agencies[code]).order_by("pk").first().pk}),
        "person": per_agency(lambda k, code: {"pk": Membership.objects.filter(
            agency=k.agencies[code]).order_by("pk").first().user_id}),
        "target": per_province(lambda k: {"pk": roadmap_target_set(
            actor=k.account("vpdp"), province=k.province, commune=k.communes[0],
            level=Level.ADVANCED, year=2030, reason="matrix").pk}),
        "merger": per_province(lambda k: {"pk": _merger(k).pk}),
        "figure": {"own": {"key": "criteria.average"}},
        "import_kind": {"own": {"kind": "registrations"}},
    }
    feeds = {}
    for role, username in ROLES.items():
        feeds[role] = notification_services.calendar_feed_create(actor=kit.users[username])
    feeds["other_commune"] = notification_services.calendar_feed_create(
        actor=kit.users["ubnd_42002"])
    feeds["other_province"] = notification_services.calendar_feed_create(
        actor=other_kit.users["na_vpdp"])
    return World(objects, feeds)


# Which object a path parameter names, by the endpoint's URL (the API's router gives every
# object ``pk``).
KIND_BY_PREFIX = [
    ("api/dossiers/{pk}/comments/{comment_pk}", "comment"),
    ("dossiers/{pk}/evidence/{evidence_pk}", "evidence"),
    ("api/appraisals/", "appraisal"), ("api/meetings/", "meeting"),
    ("api/agenda-items/", "agenda"), ("api/batches/", "batch"), ("batches/", "batch"),
    ("api/dossiers/{pk}/evidence/{evidence_pk}", "evidence"),
    ("api/dossiers/{pk}/generated-documents/{kind}", "document"),
    ("dossiers/{pk}/documents/{kind}", "document"),
    ("audit/dossier/", "pk"), ("audit/{pk}", "event"), ("api/tasks/", "task"),
    ("notifications/calendar/{pk}", "feed"), ("notifications/calendar/{token}", "token"),
    ("api/dossiers/", "pk"), ("dossiers/", "pk"),
    ("accounts/reset/", "uidb64"),
    ("api/agencies/", "agency"), ("api/setup/agencies/", "agency"),
    ("setup/{pk}/agencies/{agency_pk}", "setup_agency"),
    ("api/communes/", "commune"), ("api/setup/communes/", "commune"),
    ("setup/{pk}/communes/{commune_pk}", "setup_commune"),
    ("api/villages/", "village"),
    ("api/criteria-sets/", "criteria_set"), ("api/setup/criteria-sets/", "criteria_set"),
    ("api/responsibilities/", "responsibility"),
    ("api/setup/responsibilities/", "responsibility"),
    ("api/regulation-profiles/", "profile"), ("api/setup/regulation-profiles/", "profile"),
    ("api/setup/batches/", "batch"), ("api/setup/memberships/", "membership"),
    ("api/setup/people/", "person"), ("api/setup/provinces/", "province"),
    ("setup/", "province"),
    ("api/roadmap-targets/", "target"), ("api/mergers/", "merger"), ("mergers/", "merger"),
    ("api/reports/figures/", "figure"), ("reports/figures/", "figure"),
    ("api/imports/", "import_kind"),
    ("public/{code}/decisions/", "decision"), ("public/", "province_code"),
]


def kind_of(endpoint: Endpoint) -> str | None:
    if not endpoint.params:
        return None
    for prefix, kind in KIND_BY_PREFIX:
        if endpoint.route.startswith(prefix):
            return kind
    return "unknown"


def params_for(world: World, kind: str, role: str, scope: str,
               endpoint: Endpoint) -> dict[str, Any] | None:
    """The URL parameters of ``scope``'s object for ``role``, or None where the scope means
    nothing for that object (a meeting has no commune)."""
    if scope == "absent":
        return {name: ("x" * 20 if name in ("token", "uidb64") else ABSENT)
                for name in endpoint.params}
    if kind == "feed":
        feed = world.feeds.get(role if scope == "own" else scope)
        return {"pk": feed.pk} if feed else None
    if kind == "token":
        return {"token": world.feeds[role].token} if scope == "own" else None
    if kind == "uidb64":
        return {"uidb64": "MQ", "token": "set-password"} if scope == "own" else None
    return world.objects[kind].get(scope)


# --- the state a write must leave alone ---------------------------------------------------
def _tables() -> list[str]:
    labels = ("audit", "dossiers", "workflow", "notifications", "viewflow", "guardian", "auth",
              "authtoken", "otp_totp", "axes")
    return sorted({m._meta.db_table for m in apps.get_models()
                   if m._meta.app_label in labels and not m._meta.proxy and m._meta.managed})


def fingerprint(tables: list[str]) -> tuple:
    """Row counts of every table of the product, the newest audit event, and the statuses
    of the objects that move (one query each)."""
    with connection.cursor() as cursor:
        quoted = [connection.ops.quote_name(t) for t in tables]
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in quoted))
        counts = cursor.fetchone()
    moving = (
        AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first(),
        list(Dossier.objects.order_by("pk").values_list("status", "round")),
        list(CriterionAppraisal.objects.order_by("pk").values_list("status", flat=True)),
        list(CouncilMeeting.objects.order_by("pk").values_list("status", flat=True)),
        list(AgendaItem.objects.order_by("pk").values_list("result", flat=True)),
        Notification.objects.filter(read_at__isnull=True).count(),
        CalendarFeed.objects.filter(revoked_at__isnull=True).count(),
    )
    return counts, moving


# --- reading the table ------------------------------------------------------------------
def expected(spec: str, role: str) -> tuple[int | None, bool]:
    """The code ``spec`` gives ``role``, and whether its write may change the state."""
    fallback: tuple[int | None, bool] = (None, False)
    for part in spec.split(";"):
        code, _sep, roles = part.partition(":")
        code = code.strip()
        value = (int(code.rstrip("!")), code.endswith("!"))
        names = roles.split()
        if role in names:
            return value
        if "*" in names:
            fallback = value
    return fallback


@dataclasses.dataclass(frozen=True)
class Case:
    role: str
    endpoint: Endpoint
    method: str
    scope: str
    url: str


def cases(world: World, table: dict[str, Expect]) -> Iterator[Case]:
    for endpoint in endpoints():
        entry = table[endpoint.key]
        kind = kind_of(endpoint)
        if kind == "unknown":  # the admin's object pages (see GROUPS)
            continue
        for method in entry.methods:
            for role in ROLES:
                for scope in (entry.scopes or scopes_of(role)) if kind else ("own",):
                    params = params_for(world, kind, role, scope, endpoint) if kind else {}
                    if params is not None:
                        yield Case(role, endpoint, method, scope, endpoint.url(params))


def missing_entries() -> list[str]:
    return [e.key for e in endpoints() if entry_for(e.key) is None]


def unknown_objects() -> list[str]:
    return [e.route for e in endpoints() if kind_of(e) == "unknown"
            and not e.key.startswith(tuple(GROUPS))]


# The admin (staff only, behind one check) and the e-mail provider's webhooks (no session;
# signed, tests/web/test_security.py) by their namespace; admin pages with a path object are
# behind the same check as those without.
GROUPS = {
    "admin:": E(("own",), "staff only", GET="302: *"),
    "admin/": E(("own",), "staff only", GET="302: *"),
    "anymail:": E(("own",), "webhooks: signed by the provider, tested in test_security"),
}


def entry_for(key: str) -> Expect | None:
    if key in EXPECT:
        return EXPECT[key]
    return next((rule for prefix, rule in GROUPS.items() if key.startswith(prefix)), None)


def run_matrix(world: World, clients: dict[str, APIClient]) -> tuple[int, list[str], dict]:
    """Every case, each in a savepoint rolled back afterwards. Returns the number of
    requests, what went wrong, and the statuses seen (by endpoint, method, role, scope)."""
    tables = _tables()
    baseline = fingerprint(tables)
    table = {e.key: entry_for(e.key) for e in endpoints()}
    seen: dict[tuple[str, str, str, str], int] = {}
    problems: list[str] = []
    sent = 0
    for case in cases(world, table):
        client = clients[case.role]
        with transaction.atomic():
            response = client.generic(case.method, case.url)
            sent += 1
            changed = case.method != "GET" and fingerprint(tables) != baseline
            transaction.set_rollback(True)
        seen[case.endpoint.key, case.method, case.role, case.scope] = response.status_code
        code, may_write = expected(table[case.endpoint.key].methods[case.method], case.role)
        where = f"{case.method} {case.url} ({case.endpoint.key}) as {case.role}, {case.scope}"
        if changed and not (case.scope == "own" and may_write):
            problems.append(f"unauthorised write: {where} changed the data "
                            f"(answered {response.status_code})")
        # Another department's item is in a dossier the department sees: answered as its own
        # (but never written).
        if case.scope in ("own", "other_department") and response.status_code != code:
            problems.append(f"{where}: {response.status_code}, expected {code}")
    for (key, method, role, scope), status in seen.items():
        if scope in ("own", "absent", "other_department"):
            continue
        absent = seen.get((key, method, role, "absent"))
        if status != absent:
            problems.append(f"leak: {method} {key} as {role}: {scope}'s object answered "
                            f"{status}, an absent one {absent}")
    return sent, problems, seen


@pytest.fixture
def clients(kit) -> dict[str, APIClient]:
    made = {}
    for role, username in ROLES.items():
        made[role] = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        made[role].force_login(kit.users[username])
    return made


def test_every_url_has_an_entry_in_the_expectations():
    missing = missing_entries()
    assert not missing, (
        "These URLs are not in the access matrix: add to EXPECT in "
        "tests/web/test_access_matrix.py, for each, the methods and the status every role "
        "gets on its own object, e.g. EXPECT['name'] = E(GET='200: vpdp audit; 404: *'):\n"
        + "\n".join(missing))


def test_every_path_object_is_known():
    unknown = unknown_objects()
    assert not unknown, (
        "The matrix does not know which object these URLs' parameters name: add the route's "
        "prefix and the kind of object to KIND_BY_PREFIX (and the objects to build_world):\n"
        + "\n".join(unknown))


def test_every_operation_of_the_schema_is_in_the_matrix():
    """The schema's operations and the matrix's API endpoints are the same set."""
    in_matrix = set()
    for endpoint in endpoints():
        entry = entry_for(endpoint.key)
        if endpoint.route.startswith("api/") and entry:
            # The schema names the router's ``pk`` after the model's field, ``id``.
            path = "/" + endpoint.route.replace("{pk}", "{id}")
            in_matrix |= {(path, m) for m in entry.methods}
    assert schema_operations() - in_matrix == set()
    # And a viewset's URL is tried with every method it answers.
    assert [(e.key, e.api_methods) for e in endpoints() if e.api_methods
            and set(e.api_methods) != set(EXPECT[e.key].methods)] == []


def test_access_matrix(kit, other_kit, clients):
    world = build_world(kit, other_kit)
    sent, problems, _seen = run_matrix(world, clients)
    assert sent > 1000
    assert problems == [], f"{len(problems)} of {sent} requests:\n" + "\n".join(problems[:80])
