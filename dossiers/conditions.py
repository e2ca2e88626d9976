"""The checks that guard the steps of the process, each explaining itself in plain words.

Every ``*_problems`` function returns the list of reasons a step is refused (empty when it
may proceed). The rows of ``dossiers.steps`` name the checks that guard them; the kernel
evaluates them once (``run_checks``) and refuses with every reason, so a refusal always
says which condition failed and why. The four legal conditions of Decision
18/2022/QĐ-TTg are in ``legal_conditions``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import thresholds
from .models import (
    AgendaItem,
    AppraisalStatus,
    Commune,
    Confirmation,
    Decision,
    Dossier,
    DossierDocument,
    DossierStatus,
    Level,
    MergerOutcome,
    Responsibility,
    Revocation,
    SurveyAppraisal,
)
from .services.catalogue import criteria_set_problems


def pct(value: Fraction) -> str:
    """A share as a percentage in the active language: 83,3% in Vietnamese, 83.3% in English."""
    tenths = round(float(value) * 1000)
    places = 0 if tenths % 10 == 0 else 1
    return f"{formats.number_format(tenths / 10, decimal_pos=places)}%"


def criteria_of(dossier: Dossier):
    return dossier.criteria_set.criteria.filter(retired=False).prefetch_related("indicators")


def self_assessment_items(dossier: Dossier) -> list[tuple]:
    """(criterion, indicator or None) for every line the commune must self-assess."""
    items = []
    for criterion in criteria_of(dossier):
        indicators = [i for i in criterion.indicators.all() if not i.retired]
        if indicators:
            items.extend((criterion, indicator) for indicator in indicators)
        else:
            items.append((criterion, None))
    return items


def self_assessment_problems(dossier: Dossier) -> list[str]:
    answered = {
        (a.criterion_id, a.indicator_id)
        for a in dossier.self_assessments.filter(met__isnull=False)
    }
    missing = [
        (indicator.code or indicator.name) if indicator else str(criterion.number)
        for criterion, indicator in self_assessment_items(dossier)
        if (criterion.pk, indicator.pk if indicator else None) not in answered
    ]
    if missing:
        return [_("The self-assessment is not finished: %(count)s line(s) have no answer "
                  "(%(items)s).") % {"count": len(missing), "items": ", ".join(missing)}]
    return []


def posting_problems(dossier: Dossier, today: dt.date | None = None) -> list[str]:
    problems = []
    today = today or timezone.localdate()
    days = dossier.regulation.posting_days
    if dossier.posting_started_on is None:
        problems.append(_("The public posting has not started."))
    else:
        ends = dossier.posting_started_on + dt.timedelta(days=days)
        if today < ends:
            problems.append(_("The public posting must last %(days)s days: it started on "
                              "%(start)s and can close on %(end)s.") % {
                "days": days, "start": dossier.posting_started_on.strftime("%d/%m/%Y"),
                "end": ends.strftime("%d/%m/%Y")})
    unanswered = dossier.comments.filter(response="").count()
    if unanswered:
        problems.append(_("%(count)s public comment(s) have no response from the commune.")
                        % {"count": unanswered})
    return problems


def survey_entry_problems(dossier: Dossier) -> list[str]:
    results = dossier.survey_results.all()
    if not results.exists():
        return [_("No survey result has been logged for any village.")]
    missing = dossier.commune.villages.exclude(
        pk__in=results.values("village_id")).values_list("name", flat=True)
    if missing:
        return [_("The survey has no result for village(s): %(names)s.")
                % {"names": ", ".join(missing)}]
    return []


def submission_problems(dossier: Dossier) -> list[str]:
    present = set(dossier.documents.values_list("kind", flat=True))
    missing = [str(DossierDocument.Kind(kind).label)
               for kind in DossierDocument.REQUIRED_FOR_SUBMISSION if kind not in present]
    if missing:
        return [_("Documents missing for submission: %(kinds)s.") % {"kinds": ", ".join(missing)}]
    return []


# --- the level ladder (DOMAIN.md section 3) ------------------------------------------
# A level and the recognition a commune must hold to register for it. A model dossier may
# also be registered while the commune's advanced dossier is under way: it is then held at
# submission (``level_ladder_problems`` guards the ``submit`` step) until the chairman signs
# the advanced recognition. Advanced is not allowed to wait for a running NTM dossier: the
# rule lets only the model dossier wait (DOMAIN.md §3).
LADDER: dict[str, str] = {Level.ADVANCED: Level.NTM, Level.MODEL: Level.ADVANCED}
MAY_WAIT: frozenset[str] = frozenset({Level.MODEL})
RECOGNISED = (DossierStatus.RECOGNISED, DossierStatus.ANNOUNCED)
ENDED = (DossierStatus.NOT_RECOGNISED, DossierStatus.REVOKED, DossierStatus.CLOSED_BY_MERGER)


def current_recognition(commune: Any, level: str) -> Dossier | None:
    """The commune's dossier recognised at ``level`` and not revoked, if any; for a commune
    formed by a merger without one of its own, the level it inherits (``inherited_recognition``).
    Recognitions imported from the province's history are dossiers like the others."""
    own = (Dossier.objects.filter(commune=commune, level=level, status__in=RECOGNISED)
           .order_by("-pk").first())
    return own if own is not None else inherited_recognition(commune, level)


def inherited_recognition(commune: Any, level: str) -> Dossier | None:
    """DOMAIN.md §4, mergers: a commune whose every predecessor holds a current recognition at
    ``level`` inherits that level (the latest of those recognitions stands for it); if one
    predecessor lacks it, none is inherited."""
    predecessors = list(Commune.objects.filter(successor=commune).order_by("pk"))
    if not predecessors:
        return None
    held = [current_recognition(p, level) for p in predecessors]
    if any(d is None for d in held):
        return None
    return max(held, key=lambda d: d.pk)


def holds_recognition(commune: Any, level: str) -> bool:
    """A current recognition at ``level``: its own dossier, or inherited in a merger whose
    predecessors all held it (DOMAIN.md §4)."""
    return current_recognition(commune, level) is not None or MergerOutcome.objects.filter(
        merger__new_commune=commune, level=level, inherited=True).exists()


def running_dossier(commune: Any, level: str) -> Dossier | None:
    """The commune's dossier at ``level`` still on its way to a decision, if any."""
    return (Dossier.objects.filter(commune=commune, level=level)
            .exclude(status__in=RECOGNISED + ENDED).select_related("batch").order_by("-pk")
            .first())


def _level_label(level: str) -> str:
    return str(Level(level).label)


def registration_ladder_problems(commune: Any, level: str) -> list[str]:
    """Why ``commune`` may not register for ``level`` (empty when it may)."""
    required = LADDER.get(level)
    if required is None or holds_recognition(commune, required):
        return []
    if level in MAY_WAIT and running_dossier(commune, required) is not None:
        return []
    if level in MAY_WAIT:
        return [_("%(commune)s holds no current recognition at %(required)s and has no "
                  "%(required)s dossier under way: it may register for %(level)s only while "
                  "it holds that recognition, or while its dossier for it awaits the "
                  "decision.") % {"commune": commune, "required": _level_label(required),
                                  "level": _level_label(level)}]
    return [_("%(commune)s holds no current recognition at %(required)s: it may register for "
              "%(level)s only while it holds one.") % {
        "commune": commune, "required": _level_label(required), "level": _level_label(level)}]


def level_ladder_problems(dossier: Dossier) -> list[str]:
    """Guard of the submission: the recognition the dossier's level builds on must be current.

    A model dossier registered while the advanced dossier was under way waits here, and
    the message says for what."""
    required = LADDER.get(dossier.level)
    if required is None or holds_recognition(dossier.commune, required):
        return []
    running = running_dossier(dossier.commune, required)
    if running is not None:
        return [_("Waiting for the %(required)s recognition: the %(required)s dossier of "
                  "%(batch)s is at “%(status)s”. This dossier can be submitted once the "
                  "chairman has signed that recognition.") % {
            "required": _level_label(required), "batch": running.batch,
            "status": running.get_status_display()}]
    return [_("%(commune)s no longer holds a current recognition at %(required)s (none, "
              "refused or revoked): this %(level)s dossier cannot be submitted.") % {
        "commune": dossier.commune, "required": _level_label(required),
        "level": _level_label(dossier.level)}]


def _mapping(dossier: Dossier) -> dict[tuple[int, int | None], Any]:
    rows = Responsibility.objects.filter(
        province_id=dossier.commune.province_id,
        criterion__criteria_set_id=dossier.criteria_set_id,
        agency__active=True).select_related("agency__group")
    return {(r.criterion_id, r.indicator_id): r.agency for r in rows}


def appraisal_plan(dossier: Dossier) -> tuple[list[tuple], list[str]]:
    """The (criterion, indicator or None, agency) items to appraise, and the criteria no agency
    is responsible for."""
    mapping = _mapping(dossier)
    plan, unowned = [], []
    for criterion in criteria_of(dossier):
        indicators = [i for i in criterion.indicators.all() if not i.retired]
        own = [(criterion, i, mapping[(criterion.pk, i.pk)]) for i in indicators
               if (criterion.pk, i.pk) in mapping]
        whole = mapping.get((criterion.pk, None))
        if whole is not None and (not indicators or len(own) < len(indicators)):
            own.insert(0, (criterion, None, whole))
        if whole is None and (not indicators or len(own) < len(indicators)):
            unowned.append(f"{criterion.number}. {criterion.name}")
        plan.extend(own)
    return plan, unowned


def appraisal_mapping_problems(dossier: Dossier) -> list[str]:
    _plan, unowned = appraisal_plan(dossier)
    if unowned:
        return [_("No agency of %(province)s is responsible for criteria: %(list)s. The "
                  "coordination office must complete the responsibility mapping.") % {
            "province": dossier.commune.province, "list": "; ".join(unowned)}]
    return []


def appraisal_open_problems(dossier: Dossier) -> list[str]:
    problems = []
    open_items = dossier.appraisals.filter(round=dossier.round).exclude(
        status__in=[AppraisalStatus.MET, AppraisalStatus.NOT_MET]).select_related("agency")
    agencies = sorted({str(item.agency) for item in open_items})
    if agencies:
        problems.append(_("Appraisals are still open at: %(agencies)s.")
                        % {"agencies": ", ".join(agencies)})
    if not dossier.survey_appraisals.filter(round=dossier.round).exists():
        problems.append(_("The provincial Fatherland Front has not appraised the survey."))
    kinds = set(dossier.confirmations.filter(round=dossier.round).values_list("kind", flat=True))
    for kind in Confirmation.Kind:
        if kind not in kinds:
            problems.append(_("Confirmation missing: %(kind)s.") % {"kind": kind.label})
    return problems


# --- the four legal conditions ------------------------------------------------
@dataclass(frozen=True)
class LegalCondition:
    key: str
    title: str
    met: bool
    explanation: str


def criteria_condition(dossier: Dossier) -> LegalCondition:
    title = _("Every criterion of the set is met")
    incomplete = criteria_set_problems(dossier.criteria_set)
    if incomplete:
        # A dossier registered before the completeness check: "every criterion" of a set
        # holding 3 of its 19 criteria would mean three.
        return LegalCondition("criteria", title, False, " ".join(incomplete))
    items = list(dossier.appraisals.filter(round=dossier.round).select_related(
        "criterion", "indicator"))
    by_criterion: dict[int, list] = {}
    for item in items:
        by_criterion.setdefault(item.criterion_id, []).append(item)
    not_met, not_appraised = [], []
    for criterion in criteria_of(dossier):
        mine = by_criterion.get(criterion.pk, [])
        label = f"{criterion.number}. {criterion.name}"
        if not mine or any(i.status in (AppraisalStatus.PENDING, AppraisalStatus.RETURNED,
                                        AppraisalStatus.RESUBMITTED) for i in mine):
            not_appraised.append(label)
        elif any(i.status == AppraisalStatus.NOT_MET for i in mine):
            below = thresholds.shortfalls(dossier, criterion.pk)
            not_met.append(f"{label} ({'; '.join(below)})" if below else label)
    parts = []
    if not_met:
        parts.append(_("not met: %(list)s") % {"list": "; ".join(not_met)})
    if not_appraised:
        parts.append(_("not yet appraised: %(list)s") % {"list": "; ".join(not_appraised)})
    if parts:
        return LegalCondition("criteria", title, False,
                              _("Criteria %(parts)s.") % {"parts": " — ".join(parts)})
    return LegalCondition("criteria", title, True,
                          _("All %(count)s criteria are met.") % {"count": len(by_criterion)})


def survey_rates(dossier: Dossier) -> tuple[int, int, int]:
    totals = dossier.survey_results.aggregate(h=Sum("households"), s=Sum("surveyed"),
                                              k=Sum("satisfied"))
    return totals["h"] or 0, totals["s"] or 0, totals["k"] or 0


def satisfaction_condition(dossier: Dossier) -> LegalCondition:
    title = _("Residents' satisfaction meets the threshold")
    regulation = dossier.regulation
    households, surveyed, satisfied = survey_rates(dossier)
    problems = []
    if not households:
        problems.append(_("no survey result is logged"))
    else:
        coverage = Fraction(surveyed, households)
        if coverage < regulation.coverage_min:
            problems.append(_("%(rate)s of households were surveyed (%(n)s of %(total)s), under "
                              "the required %(min)s") % {
                "rate": pct(coverage), "n": surveyed, "total": households,
                "min": pct(regulation.coverage_min)})
        if surveyed:
            rate = Fraction(satisfied, surveyed)
            if rate < regulation.satisfaction_min:
                problems.append(_("%(rate)s of surveyed households are satisfied (%(n)s of "
                                  "%(total)s), under the required %(min)s") % {
                    "rate": pct(rate), "n": satisfied, "total": surveyed,
                    "min": pct(regulation.satisfaction_min)})
    appraisal = SurveyAppraisal.objects.filter(dossier=dossier, round=dossier.round).first()
    if appraisal is None:
        problems.append(_("the provincial Fatherland Front has not appraised the survey"))
    elif not appraisal.process_sound:
        problems.append(_("the provincial Fatherland Front found the survey was not run "
                          "properly: %(remark)s") % {"remark": appraisal.remark or "-"})
    if problems:
        return LegalCondition("satisfaction", title, False,
                              _("Satisfaction: %(list)s.") % {"list": "; ".join(problems)})
    return LegalCondition("satisfaction", title, True, _(
        "%(surveyed)s of %(households)s households surveyed, %(satisfied)s satisfied.") % {
        "surveyed": surveyed, "households": households, "satisfied": satisfied})


def _confirmation_condition(dossier: Dossier, kind: str, title: str, missing: str,
                            failed: str, ok: str) -> LegalCondition:
    confirmation = Confirmation.objects.filter(dossier=dossier, round=dossier.round,
                                               kind=kind).select_related("agency").first()
    if confirmation is None:
        return LegalCondition(kind, title, False, missing)
    if not confirmation.holds:
        return LegalCondition(kind, title, False, failed % {
            "agency": confirmation.agency, "remark": confirmation.remark or "-"})
    return LegalCondition(kind, title, True, ok % {"agency": confirmation.agency})


def debt_condition(dossier: Dossier) -> LegalCondition:
    return _confirmation_condition(
        dossier, Confirmation.Kind.DEBT, _("No outstanding capital-construction debt"),
        _("Finance / planning has not confirmed the absence of capital-construction debt."),
        _("%(agency)s reports outstanding capital-construction debt: %(remark)s."),
        _("%(agency)s confirmed there is no outstanding debt."))


def security_condition(dossier: Dossier) -> LegalCondition:
    return _confirmation_condition(
        dossier, Confirmation.Kind.SECURITY, _("No complex security situation"),
        _("The police have not confirmed the security condition."),
        _("%(agency)s reports a complex security situation: %(remark)s."),
        _("%(agency)s confirmed there is no complex security situation."))


def legal_conditions(dossier: Dossier) -> list[LegalCondition]:
    return [criteria_condition(dossier), satisfaction_condition(dossier),
            debt_condition(dossier), security_condition(dossier)]


def legal_condition_problems(dossier: Dossier) -> list[str]:
    return [c.explanation for c in legal_conditions(dossier) if not c.met]


# --- council ------------------------------------------------------------------
@dataclass(frozen=True)
class Tally:
    members: int
    present: int
    votes_for: int
    votes_against: int
    quorum: bool
    approved: bool
    explanation: str


def tally(item: AgendaItem) -> Tally:
    regulation = item.dossier.regulation
    meeting = item.meeting
    members = meeting.members_total or 0
    present = meeting.present.count()
    votes = list(item.votes.values_list("in_favour", flat=True))
    votes_for = sum(1 for v in votes if v)
    votes_against = len(votes) - votes_for
    quorum = bool(members) and Fraction(present, members) >= regulation.quorum
    approved = quorum and present > 0 and Fraction(votes_for, present) >= regulation.approval_min
    if not quorum:
        explanation = _("No quorum: %(present)s of %(members)s members present, at least %(min)s "
                        "required.") % {"present": present, "members": members,
                                        "min": pct(regulation.quorum)}
    elif not approved:
        explanation = _("Not approved: %(for)s of %(present)s members present voted for "
                        "(%(rate)s), at least %(min)s required.") % {
            "for": votes_for, "present": present, "rate": pct(Fraction(votes_for, present)),
            "min": pct(regulation.approval_min)}
    else:
        explanation = _("Approved: %(for)s of %(present)s members present voted for.") % {
            "for": votes_for, "present": present}
    return Tally(members, present, votes_for, votes_against, quorum, approved, explanation)


def _last_item(dossier: Dossier) -> AgendaItem | None:
    return dossier.agenda_items.filter(kind=AgendaItem.Kind.RECOGNITION).order_by("-pk").first()


def _item_result_problems(dossier: Dossier, result: str) -> list[str]:
    item = _last_item(dossier)
    if item is None or item.result != result:
        return [_("The council's vote on this dossier has not come out as “%(result)s”.")
                % {"result": AgendaItem.Result(result).label}]
    return []


def council_approval_problems(dossier: Dossier) -> list[str]:
    return _item_result_problems(dossier, AgendaItem.Result.APPROVED)


def council_rejection_problems(dossier: Dossier) -> list[str]:
    return _item_result_problems(dossier, AgendaItem.Result.REJECTED)


def quorum_missed_problems(dossier: Dossier) -> list[str]:
    return _item_result_problems(dossier, AgendaItem.Result.NO_QUORUM)


def decision_problems(dossier: Dossier) -> list[str]:
    if not Decision.objects.filter(dossier=dossier, kind=Decision.Kind.RECOGNITION).exists():
        return [_("No signed recognition decision is recorded.")]
    return []


# --- revocation -----------------------------------------------------------------
def revocation_rule_problems(dossier: Dossier, criteria: list) -> list[str]:
    """DOMAIN.md section 4: from 30% to under 50% of criteria no longer met and one of them a
    key criterion (income, environment and food safety, living environment, defence and
    security); or 50% or more no longer met."""
    total = criteria_of(dossier).count()
    count = len(criteria)
    if not total:
        return [_("The criteria set has no criteria.")]
    share = Fraction(count, total)
    if share >= Fraction(1, 2):
        return []
    if share >= Fraction(3, 10):
        if any(c.revocation_key for c in criteria):
            return []
        return [_("%(count)s of %(total)s criteria (%(rate)s) are no longer met, but none of them "
                  "is a key criterion (income, environment and food safety, living environment, "
                  "defence and security); revocation needs one, or at least 50%%.") % {
            "count": count, "total": total, "rate": pct(share)}]
    return [_("Only %(count)s of %(total)s criteria (%(rate)s) are no longer met; revocation needs "
              "at least 30%% with a key criterion, or at least 50%%.") % {
        "count": count, "total": total, "rate": pct(share)}]


def revocation_problems(dossier: Dossier) -> list[str]:
    revocation = dossier.revocations.filter(status=Revocation.Status.APPROVED).order_by("-pk").first()
    if revocation is None:
        return [_("No revocation approved by the council is pending for this dossier.")]
    problems = revocation_rule_problems(dossier, list(revocation.criteria_not_met.all()))
    if not Decision.objects.filter(dossier=dossier, kind=Decision.Kind.REVOCATION).exists():
        problems.append(_("No signed revocation decision is recorded."))
    return problems


def run_checks(names: tuple[str, ...], dossier: Dossier) -> list[str]:
    """Every problem the named checks of this module find, in order."""
    problems: list[str] = []
    for name in names:
        check = globals().get(name)
        if not name.endswith("_problems") or not callable(check):
            raise LookupError(f"dossiers.conditions has no check {name!r}")
        problems.extend(check(dossier))
    return problems
