"""Mergers of communes (DOMAIN.md §4): record the merger, decide per level whether the new
commune inherits the recognition, close the predecessors' running dossiers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail
from dossiers import conditions, permissions
from dossiers.exceptions import RuleViolation
from dossiers.models import Commune, Dossier, Level, Merger, MergerOutcome
from dossiers.transitions import transition_apply

from ..flows import RecognitionFlow
from ..kernel import running_process

MERGER_FIELDS = ("province", "new_commune", "legal_act", "effective_on")
HISTORIC_FIELDS = ("abolished_on", "successor")


def recognition_of(commune: Commune, level: str) -> str:
    """How ``commune`` holds a current recognition at ``level`` (empty when it does not):
    a dossier recognised and not revoked, or a level inherited in an earlier merger."""
    dossier = conditions.current_recognition(commune, level)
    if dossier is not None:
        return _("recognised in %(batch)s") % {"batch": dossier.batch}
    inherited = MergerOutcome.objects.filter(merger__new_commune=commune, level=level,
                                             inherited=True).select_related("merger").first()
    if inherited is not None:
        return _("inherited by the merger of %(act)s") % {"act": inherited.merger.legal_act}
    return ""


def inheritance(predecessors: list[Commune]) -> list[tuple[str, bool, str]]:
    """(level, inherited, reason) for every level any predecessor holds: inherited only when
    every predecessor holds a current recognition at that level."""
    outcomes = []
    for level in Level.values:
        held = {c.pk: recognition_of(c, level) for c in predecessors}
        if not any(held.values()):
            continue
        label = Level(level).label
        lacking = [c for c in predecessors if not held[c.pk]]
        if lacking:
            outcomes.append((level, False, _(
                "Not inherited: %(communes)s held no current recognition at %(level)s; the new "
                "commune must go through the process again.") % {
                "communes": ", ".join(str(c) for c in lacking), "level": label}))
        else:
            outcomes.append((level, True, _(
                "Inherited: every predecessor held a current recognition at %(level)s (%(list)s).")
                % {"level": label, "list": "; ".join(f"{c}: {held[c.pk]}" for c in predecessors)}))
    return outcomes


def _problems(*, province: Any, new_commune: Commune, predecessors: list[Commune],
              legal_act: str, effective_on: dt.date) -> list[str]:
    problems = []
    if len({c.pk for c in predecessors}) < 2 or len(set(predecessors)) != len(predecessors):
        problems.append(_("A merger joins at least two different communes."))
    if new_commune in predecessors:
        problems.append(_("The new commune cannot be one of its predecessors."))
    outside = [str(c) for c in [new_commune, *predecessors] if c.province_id != province.pk]
    if outside:
        problems.append(_("These communes are not in %(province)s: %(list)s.")
                        % {"province": province, "list": ", ".join(outside)})
    merged = Commune.objects.filter(
        Q(merged_into__isnull=False) | Q(successor__isnull=False),
        pk__in=[c.pk for c in predecessors]).distinct()
    if merged:
        problems.append(_("Already merged into another commune: %(list)s.")
                        % {"list": ", ".join(str(c) for c in merged)})
    if not legal_act.strip():
        problems.append(_("Name the legal act of the merger (number and date)."))
    if effective_on > timezone.localdate():
        problems.append(_("The merger's effective date cannot lie in the future."))
    return problems


@transaction.atomic
def merger_record(*, actor: Any, new_commune: Commune, predecessors: list[Commune],
                  legal_act: str, effective_on: dt.date) -> Merger:
    """Record a merger (the coordination office or an administrator): for each level held by
    a predecessor, whether the new commune inherits it and why; running dossiers of the
    predecessors are closed with that reason, their process and tasks cancelled."""
    province = new_commune.province
    agency = permissions.require_administrator(actor, province)
    problems = _problems(province=province, new_commune=new_commune, predecessors=predecessors,
                         legal_act=legal_act, effective_on=effective_on)
    if problems:
        raise RuleViolation(problems)
    merger = Merger(province=province, new_commune=new_commune, legal_act=legal_act.strip(),
                    effective_on=effective_on, recorded_by=actor)
    merger.full_clean()
    merger.save()
    merger.predecessors.set(predecessors)
    # The predecessors become historic units of the new commune (as communes abolished in
    # 2025 are when imported from the province's history): the level ladder reads both alike.
    for commune in predecessors:
        before = trail.snapshot(commune, HISTORIC_FIELDS)
        Commune.objects.filter(pk=commune.pk).update(abolished_on=effective_on,
                                                     successor=new_commune)
        commune.refresh_from_db(fields=HISTORIC_FIELDS)
        trail.record(actor=actor, agency=agency, action="commune.merge", obj=commune,
                     province=province, before=before,
                     after=trail.snapshot(commune, HISTORIC_FIELDS))
    outcomes = [MergerOutcome.objects.create(merger=merger, level=level, inherited=inherited,
                                             reason=reason)
                for level, inherited, reason in inheritance(predecessors)]
    trail.record(actor=actor, agency=agency, action="merger.record", obj=merger, province=province,
                 after={**trail.snapshot(merger, MERGER_FIELDS),
                        "predecessors": sorted(c.code for c in predecessors)})
    for outcome in outcomes:
        trail.record(actor=actor, agency=agency,
                     action="merger.inherit" if outcome.inherited else "merger.not_inherited",
                     obj=outcome, province=province, reason=outcome.reason,
                     after={"level": outcome.level, "inherited": outcome.inherited,
                            "new_commune": new_commune.code})
    reason = _("%(commune)s merged into %(new)s (%(act)s, effective %(day)s).")
    for dossier in Dossier.objects.select_for_update(of=("self",)).filter(
            commune__in=predecessors).exclude(
            status__in=conditions.RECOGNISED + conditions.ENDED).select_related("commune"):
        text = reason % {"commune": dossier.commune, "new": new_commune, "act": merger.legal_act,
                         "day": effective_on.strftime("%d/%m/%Y")}
        process = running_process(dossier.pk)
        transition_apply(dossier, "close_by_merger", actor=actor, agency=agency, reason=text,
                         changes={"outcome_reason": text}, extra={"merger": merger.pk})
        if process is not None:
            RecognitionFlow.instance.cancel(process)
    return merger
