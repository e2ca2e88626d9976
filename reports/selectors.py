"""The figures of the periodic reports (DOMAIN.md section 5), for one province or many.

``ReportData`` reads what the figures need, each kind of row in one query, only when a
figure asks for it; each figure is a selector over it, so a report costs a fixed number
of queries however many communes, dossiers and tasks there are. Every figure carries the
dossiers (and, for roadmap targets, the communes) behind it, so it can be opened.

Recognitions and revocations are counted by the dates of their decisions, so they hold for
any past period. Where a dossier stands, its criteria and late steps are as they are on the
day the report is made.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.models import Task

from dossiers.models import (
    AgendaItem,
    Commune,
    Criterion,
    CriterionAppraisal,
    Decision,
    Dossier,
    DossierStatus,
    Level,
    Province,
    Revocation,
    RoadmapTarget,
    SelfAssessment,
)
from notifications.deadlines import open_task_deadlines
from workflow.kernel import OPEN_TASK
from workflow.models import DossierProcess

from .periods import Period

S = DossierStatus
FINISHED = (S.RECOGNISED, S.ANNOUNCED, S.NOT_RECOGNISED, S.REVOKED)
UNDER_CRITERIA = 15  # the national indicator: communes under 15 criteria (2021-2025 set)
SET_2021_2025 = "2021-2025"


@dataclass
class Figure:
    """One number of the report and what is behind it."""

    key: str
    label: str
    value: Any
    dossiers: frozenset[int] = frozenset()
    communes: frozenset[int] = frozenset()
    note: str = ""
    group: str = ""


@dataclass
class Standing:
    """Where one commune stands on the NTM criteria: the dossier that says it."""

    dossier: Dossier
    met: int
    total: int
    not_met: list[int] = field(default_factory=list)  # criterion ids


class ReportData:
    """What the figures of ``provinces`` over ``period`` read, loaded once each."""

    def __init__(self, *, provinces: list[Province], period: Period) -> None:
        self.provinces = provinces
        self.period = period
        self.province_ids = [p.pk for p in provinces]

    # --- rows, one query each ------------------------------------------------------------
    @cached_property
    def communes(self) -> list[Commune]:
        return list(Commune.objects.filter(province_id__in=self.province_ids,
                                           kind=Commune.Kind.COMMUNE).order_by("name"))

    @cached_property
    def dossiers(self) -> dict[int, Dossier]:
        return {d.pk: d for d in Dossier.objects.filter(
            commune__province_id__in=self.province_ids,
            registered_at__date__lte=self.period.end).select_related(
            "commune", "criteria_set", "batch").order_by("registered_at", "pk")}

    @cached_property
    def decisions(self) -> dict[tuple[int, str], Any]:
        """(dossier id, kind) → the day the decision was signed, up to the period's end."""
        return {(d["dossier_id"], d["kind"]): d["signed_on"] for d in Decision.objects.filter(
            dossier_id__in=list(self.dossiers), signed_on__lte=self.period.end).values(
            "dossier_id", "kind", "signed_on")}

    @cached_property
    def revoked_criteria(self) -> dict[int, list[int]]:
        """Dossier → the criteria its (decided) revocation found no longer met."""
        through = Revocation.criteria_not_met.through
        result: dict[int, list[int]] = defaultdict(list)
        for row in through.objects.filter(
                revocation__dossier_id__in=list(self.dossiers),
                revocation__status=Revocation.Status.DECIDED).values(
                "revocation__dossier_id", "criterion_id"):
            result[row["revocation__dossier_id"]].append(row["criterion_id"])
        return result

    @cached_property
    def criteria(self) -> dict[int, list[Criterion]]:
        """Criteria set → its criteria in order."""
        result: dict[int, list[Criterion]] = defaultdict(list)
        for c in Criterion.objects.filter(
                criteria_set_id__in={d.criteria_set_id for d in self.dossiers.values()},
                retired=False).select_related("criteria_set").order_by("criteria_set_id",
                                                                       "number"):
            result[c.criteria_set_id].append(c)
        return result

    @cached_property
    def appraised(self) -> dict[int, dict[int, list[str]]]:
        """Dossier → criterion → the statuses of its items in the dossier's current round."""
        rounds = {pk: d.round for pk, d in self.dossiers.items()}
        result: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        for row in CriterionAppraisal.objects.filter(dossier_id__in=list(self.dossiers)).values(
                "dossier_id", "round", "criterion_id", "status"):
            if row["round"] == rounds[row["dossier_id"]]:
                result[row["dossier_id"]][row["criterion_id"]].append(row["status"])
        return result

    @cached_property
    def self_assessed(self) -> dict[int, dict[int, list[bool | None]]]:
        result: dict[int, dict[int, list[bool | None]]] = defaultdict(lambda: defaultdict(list))
        for row in SelfAssessment.objects.filter(dossier_id__in=list(self.dossiers)).values(
                "dossier_id", "criterion_id", "met"):
            result[row["dossier_id"]][row["criterion_id"]].append(row["met"])
        return result

    @cached_property
    def targets(self) -> list[RoadmapTarget]:
        return list(RoadmapTarget.objects.filter(
            province_id__in=self.province_ids, year__gte=self.period.start.year,
            year__lte=self.period.end.year).select_related("commune").order_by(
            "year", "level", "commune__name"))

    @cached_property
    def council_results(self) -> list[dict]:
        return list(AgendaItem.objects.filter(
            dossier_id__in=list(self.dossiers), kind=AgendaItem.Kind.RECOGNITION,
            closed_at__date__gte=self.period.start, closed_at__date__lte=self.period.end,
        ).values("dossier_id", "result"))

    @cached_property
    def open_tasks(self) -> list:
        tasks = Task.objects.filter(
            process__in=DossierProcess.objects.filter(dossier_id__in=list(self.dossiers)),
            flow_task_type="HUMAN", status__in=OPEN_TASK)
        return open_task_deadlines(tasks=tasks)

    # --- derived, no query ----------------------------------------------------------------
    def in_scope(self, province_id: int | None) -> list[Dossier]:
        return [d for d in self.dossiers.values()
                if province_id is None or d.commune.province_id == province_id]

    def recognised_on(self, dossier: Dossier):
        return self.decisions.get((dossier.pk, "recognition"))

    def revoked_on(self, dossier: Dossier):
        return self.decisions.get((dossier.pk, "revocation"))

    def holds(self, dossier: Dossier) -> bool:
        """Recognised by the period's end and not revoked by then."""
        return self.recognised_on(dossier) is not None and self.revoked_on(dossier) is None

    def standing(self, dossier: Dossier) -> Standing:
        criteria = self.criteria.get(dossier.criteria_set_id, [])
        ids = [c.pk for c in criteria]
        if self.revoked_on(dossier) is not None:
            lost = [c for c in ids if c in set(self.revoked_criteria.get(dossier.pk, []))]
            return Standing(dossier, len(ids) - len(lost), len(ids), lost)
        if self.holds(dossier):
            return Standing(dossier, len(ids), len(ids))
        appraised = self.appraised.get(dossier.pk)
        answers = appraised if appraised else self.self_assessed.get(dossier.pk, {})
        good = ("met",) if appraised else (True,)
        not_met = [c for c in ids if not answers.get(c) or any(a not in good for a in answers[c])]
        return Standing(dossier, len(ids) - len(not_met), len(ids), not_met)

    def standings(self, province_id: int | None) -> list[Standing]:
        """Each commune's NTM standing: its recognition that holds, else its latest dossier."""
        best: dict[int, Dossier] = {}
        for dossier in self.in_scope(province_id):
            if dossier.level != Level.NTM:
                continue
            current = best.get(dossier.commune_id)
            if current is None or not self.holds(current):
                best[dossier.commune_id] = dossier
        return [self.standing(d) for d in best.values()]


# --- the figures ------------------------------------------------------------------------------

LEVELS = [Level.NTM, Level.ADVANCED, Level.MODEL, Level.MODERN]


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def recognitions(data: ReportData, province_id: int | None = None) -> list[Figure]:
    """Per level: communes recognised in the period, revoked in it, holding a recognition
    at its end, and their share of all communes."""
    period = data.period
    communes = [c for c in data.communes if province_id is None or c.province_id == province_id]
    figures = []
    for level in LEVELS:
        mine = [d for d in data.in_scope(province_id) if d.level == level]
        new = [d for d in mine if (on := data.recognised_on(d)) and period.start <= on]
        revoked = [d for d in mine if (on := data.revoked_on(d)) and period.start <= on]
        held = [d for d in mine if data.holds(d)]
        label = Level(level).label
        held_communes = frozenset(d.commune_id for d in held)
        figures += [
            Figure(f"recognised.{level}", _("Recognised in the period"),
                   len({d.commune_id for d in new}), frozenset(d.pk for d in new), group=label),
            Figure(f"revoked.{level}", _("Recognition revoked in the period"),
                   len({d.commune_id for d in revoked}), frozenset(d.pk for d in revoked),
                   group=label),
            Figure(f"holding.{level}", _("Recognised in total at the end of the period"),
                   len(held_communes), frozenset(d.pk for d in held), held_communes, group=label),
            Figure(f"share.{level}", _("Share of all communes (%)"),
                   _pct(len(held_communes), len(communes)), frozenset(d.pk for d in held),
                   held_communes, group=label,
                   note=_("out of %(n)s communes") % {"n": len(communes)}),
        ]
    return figures


def criteria_figures(data: ReportData, province_id: int | None = None) -> list[Figure]:
    """Average criteria met per commune, communes under 15 criteria (2021–2025 set), and the
    communes that have not met each criterion yet."""
    standings = data.standings(province_id)
    group = str(_("Criteria"))
    total_met = sum(s.met for s in standings)
    average = (Decimal(total_met) / len(standings)).quantize(Decimal("0.1"), ROUND_HALF_UP) \
        if standings else None
    old = [s for s in standings if s.dossier.criteria_set.period == SET_2021_2025]
    under = [s for s in old if s.met < UNDER_CRITERIA]
    figures = [
        Figure("criteria.average", _("Average criteria met per commune"), average,
               frozenset(s.dossier.pk for s in standings), group=group,
               note=_("over the %(n)s communes with an NTM dossier") % {"n": len(standings)}),
        Figure("criteria.under15", _("Communes under 15 criteria (2021–2025 set)"), len(under),
               frozenset(s.dossier.pk for s in under), group=group,
               note=_("out of %(n)s communes judged by that set") % {"n": len(old)}),
    ]
    missing: dict[int, list[int]] = defaultdict(list)
    for s in standings:
        for criterion_id in s.not_met:
            missing[criterion_id].append(s.dossier.pk)
    for set_id, criteria in sorted(data.criteria.items()):
        if not any(s.dossier.criteria_set_id == set_id for s in standings):
            continue
        for c in criteria:
            behind = missing.get(c.pk, [])
            figures.append(Figure(
                f"criterion.{c.criteria_set.code}.{c.number}", _("Criterion %(n)s: %(name)s") % {"n": c.number,
                                                                        "name": c.name},
                len(behind), frozenset(behind),
                group=_("Communes that have not met the criterion yet — %(set)s")
                % {"set": c.criteria_set.period or c.criteria_set.code}))
    return figures


def step_figures(data: ReportData, province_id: int | None = None) -> list[Figure]:
    """Dossiers per step today, late steps, and the council's outcomes in the period."""
    dossiers = data.in_scope(province_id)
    ids = {d.pk for d in dossiers}
    figures = []
    by_status: dict[str, list[int]] = defaultdict(list)
    for d in dossiers:
        by_status[d.status].append(d.pk)
    group = str(_("Dossiers per step (today)"))
    for status, label in S.choices:
        if status in by_status:
            figures.append(Figure(f"status.{status}", str(label), len(by_status[status]),
                                  frozenset(by_status[status]), group=group))
    late: dict[str, list[int]] = defaultdict(list)
    titles: dict[str, str] = {}
    for deadline in data.open_tasks:
        if deadline.dossier.pk in ids and deadline.overdue:
            name = deadline.task.flow_task.name
            titles[name] = str(deadline.task.flow_task.task_title)
            if deadline.dossier.pk not in late[name]:
                late[name].append(deadline.dossier.pk)
    late_group = str(_("Late steps (today)"))
    for name in sorted(late, key=lambda n: titles[n]):
        figures.append(Figure(f"late.{name}", titles[name], len(late[name]),
                              frozenset(late[name]), group=late_group))
    if not late:
        figures.append(Figure("late.none", _("No step is late"), 0, group=late_group))
    council_group = str(_("Council outcomes in the period"))
    results: dict[str, list[int]] = defaultdict(list)
    for row in data.council_results:
        if row["dossier_id"] in ids:
            results[row["result"]].append(row["dossier_id"])
    for result in (AgendaItem.Result.APPROVED, AgendaItem.Result.REJECTED,
                   AgendaItem.Result.DEFERRED):
        figures.append(Figure(f"council.{result}", str(result.label), len(results[result]),
                              frozenset(results[result]), group=council_group))
    return figures


def roadmap_figures(data: ReportData, province_id: int | None = None) -> list[Figure]:
    """Roadmap targets of the period's years against what was achieved by its end."""
    targets = [t for t in data.targets if province_id is None or t.province_id == province_id]
    held: dict[tuple[int, str], Dossier] = {}
    for d in data.in_scope(province_id):
        if data.holds(d):
            held[(d.commune_id, d.level)] = d
    dossiers_of: dict[tuple[int, str], list[int]] = defaultdict(list)
    for d in data.in_scope(province_id):
        dossiers_of[(d.commune_id, d.level)].append(d.pk)
    groups: dict[tuple[int, str], list[RoadmapTarget]] = defaultdict(list)
    for t in targets:
        groups[(t.year, t.level)].append(t)
    figures = []
    for (year, level), rows in sorted(groups.items()):
        group = _("Roadmap %(year)s — %(level)s") % {"year": year, "level": Level(level).label}
        done = [t for t in rows if (t.commune_id, level) in held]
        behind = frozenset(pk for t in rows for pk in dossiers_of[(t.commune_id, level)])
        figures += [
            Figure(f"roadmap.{year}.{level}.planned", _("Planned"), len(rows), behind,
                   frozenset(t.commune_id for t in rows), group=group),
            Figure(f"roadmap.{year}.{level}.achieved", _("Achieved"), len(done),
                   frozenset(held[(t.commune_id, level)].pk for t in done),
                   frozenset(t.commune_id for t in done), group=group),
            Figure(f"roadmap.{year}.{level}.missing", _("Not achieved yet"),
                   len(rows) - len(done),
                   frozenset(pk for t in rows if t not in done
                             for pk in dossiers_of[(t.commune_id, level)]),
                   frozenset(t.commune_id for t in rows if t not in done), group=group),
        ]
    if not figures:
        figures.append(Figure("roadmap.none", _("No roadmap target in the period's years"), 0,
                              group=str(_("Roadmap"))))
    return figures


def village_figures(data: ReportData, province_id: int | None = None) -> list[Figure]:
    return [Figure("villages.model", _("Villages recognised as model villages"), 0,
                   group=str(_("Model villages")),
                   note=_("The product does not record model-village recognitions yet."))]


SECTIONS = [
    ("recognitions", gettext_lazy("Communes recognised"), recognitions),
    ("criteria", gettext_lazy("Criteria"), criteria_figures),
    ("steps", gettext_lazy("Dossiers and steps"), step_figures),
    ("roadmap", gettext_lazy("Roadmap targets against actual"), roadmap_figures),
    ("villages", gettext_lazy("Model villages"), village_figures),
]


@dataclass
class ProvinceRow:
    province: Province
    communes: int
    holding: dict[str, int]
    share_ntm: Decimal | None
    average: Decimal | None
    under15: int
    recognised_in_period: int

    @property
    def cells(self) -> list:
        return [self.province.name, self.communes, *[self.holding[lv] for lv in LEVELS],
                self.share_ntm, self.average, self.under15, self.recognised_in_period]


def province_headings() -> list[str]:
    """The columns of the table by province, in the reader's language."""
    return [_("Province"), _("Number of communes"),
            *[str(Level(level).label) for level in LEVELS],
            _("Share NTM (%)"), _("Average criteria met"), _("Under 15 criteria (2021–2025)"),
            _("Recognised in the period")]


@dataclass
class Report:
    data: ReportData
    sections: list[tuple[str, str, list[Figure]]]
    by_province: list[ProvinceRow]
    made_at: Any

    @property
    def period(self) -> Period:
        return self.data.period

    @property
    def provinces(self) -> list[Province]:
        return self.data.provinces

    def figure(self, key: str) -> Figure | None:
        for _name, _title, figures in self.sections:
            for f in figures:
                if f.key == key:
                    return f
        return None


def province_table(data: ReportData) -> list[ProvinceRow]:
    """The national roll-up: one row per province, from the same selectors."""
    rows = []
    counts = Counter(c.province_id for c in data.communes)
    for province in data.provinces:
        recs = {f.key: f for f in recognitions(data, province.pk)}
        crit = {f.key: f for f in criteria_figures(data, province.pk)}
        rows.append(ProvinceRow(
            province, counts[province.pk],
            {level: recs[f"holding.{level}"].value for level in LEVELS},
            recs[f"share.{Level.NTM}"].value, crit["criteria.average"].value,
            crit["criteria.under15"].value,
            sum(recs[f"recognised.{level}"].value for level in LEVELS)))
    return rows


def report_build(*, provinces: list[Province], period: Period,
                 by_province: bool | None = None) -> Report:
    """The whole report over ``provinces`` (one, or every province for the national office);
    the table by province when asked (by default, for more than one province)."""
    data = ReportData(provinces=provinces, period=period)
    sections = [(name, str(title), selector(data)) for name, title, selector in SECTIONS]
    if by_province is None:
        by_province = len(provinces) > 1
    table = province_table(data) if by_province else []
    return Report(data, sections, table, timezone.now())


def communes_named(ids: frozenset[int]) -> list[Commune]:
    return list(Commune.objects.filter(pk__in=ids).order_by("name"))



def report_title(provinces: list[Province], *, national: bool) -> str:
    if national:
        return _("Progress report of the New Rural Development programme — all provinces")
    return _("Progress report of the New Rural Development programme — %(province)s") % {
        "province": ", ".join(p.name for p in provinces)}


@dataclass
class RoadmapRow:
    target: RoadmapTarget
    dossier: Dossier | None
    achieved: bool


def roadmap_progress(*, province: Province, year: int | None = None) -> list[RoadmapRow]:
    """The province's targets (of ``year``, or all) with the commune's latest dossier at the
    target level and whether a recognition at that level holds today. Three queries."""
    targets = RoadmapTarget.objects.filter(province=province).select_related("commune")
    if year is not None:
        targets = targets.filter(year=year)
    targets = list(targets.order_by("year", "level", "commune__name"))
    dossiers = Dossier.objects.filter(commune_id__in={t.commune_id for t in targets}).order_by(
        "registered_at", "pk")
    latest = {(d.commune_id, d.level): d for d in dossiers}
    decided = {(d["dossier_id"], d["kind"]) for d in Decision.objects.filter(
        dossier_id__in=[d.pk for d in latest.values()]).values("dossier_id", "kind")}
    rows = []
    for t in targets:
        d = latest.get((t.commune_id, t.level))
        held = d is not None and (d.pk, "recognition") in decided and \
            (d.pk, "revocation") not in decided
        rows.append(RoadmapRow(t, d, held))
    return rows
