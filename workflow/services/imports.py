"""Bulk registration: a sheet of (commune, target level, year) registers tens of dossiers into
a batch at once, each row through ``dossier_register`` with every check it makes; the whole
sheet or nothing (``dossiers.imports.engine``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers.imports.engine import CellProblem, Kind, Scope, cell_date, cell_year, register
from dossiers.imports.kinds import level_choices, level_of
from dossiers.imports.sheets import Column
from dossiers.models import Commune, Dossier
from dossiers.services.catalogue import criteria_set_in_force
from dossiers.services.setup import regulation_profile_current

from .registration import dossier_register


def _register_row(*, actor: Any, scope: Scope, values: dict[str, str]) -> str:
    batch = scope.batch
    commune = Commune.objects.filter(code=values["commune"], province=scope.province).first()
    if commune is None:
        raise CellProblem("commune", _("%(province)s has no commune with code “%(code)s”.")
                          % {"province": scope.province, "code": values["commune"]})
    if commune.abolished_on is not None:
        raise CellProblem("commune", _("%(commune)s was abolished on %(day)s: register the "
                                       "commune it merged into.")
                          % {"commune": commune, "day": commune.abolished_on.strftime("%d/%m/%Y")})
    level = level_of(values["level"])
    year = cell_year(values["year"], REGISTRATIONS.column("year"))
    if year != batch.recognition_year:
        raise CellProblem("year", _("%(batch)s recognises for %(batch_year)s, not %(year)s.")
                          % {"batch": batch, "batch_year": batch.recognition_year, "year": year})
    as_of = cell_date(values["as_of"], REGISTRATIONS.column("as_of"))
    criteria_set = regulation = None
    if as_of is not None:
        criteria_set = criteria_set_in_force(level=level, province=scope.province, on=as_of)
        if criteria_set is None:
            raise CellProblem("as_of", _("No criteria set for this level was in force on "
                                         "%(day)s.") % {"day": as_of.strftime("%d/%m/%Y")})
        regulation = regulation_profile_current(province=scope.province, on=as_of)
    dossier = dossier_register(actor=actor, commune=commune, level=level, batch=batch,
                               criteria_set=criteria_set, regulation=regulation)
    return _("%(commune)s registered for %(level)s (criteria set %(set)s).") % {
        "commune": commune, "level": dossier.get_level_display(),
        "set": dossier.criteria_set.code}


def _register_export(scope: Scope) -> Iterable[list[Any]]:
    for d in (Dossier.objects.filter(batch=scope.batch).select_related("commune")
              .order_by("commune__code", "level")):
        yield [d.commune.code, d.commune.name, d.get_level_display(),
               str(scope.batch.recognition_year), ""]


def _communes(scope: Scope) -> list[str]:
    return list(Commune.objects.filter(province=scope.province, abolished_on__isnull=True)
                .order_by("code").values_list("code", flat=True))


REGISTRATIONS = register(Kind(
    name="registrations",
    title=gettext_lazy("Registrations"),
    needs=("batch",),
    guide=gettext_lazy("One row per commune and target level: every row is registered in the "
                       "chosen batch with every check a registration makes, or none is."),
    columns=(
        Column("commune", gettext_lazy("Commune code"), 14, max_length=8, kind="code",
               example="18070", note=gettext_lazy("official code of the commune"),
               choices=True),
        Column("commune_name", gettext_lazy("Commune name (for reading, not imported)"), 28,
               required=False, max_length=120, example="Xã Sơn Kim 1"),
        Column("level", gettext_lazy("Target level"), 34, max_length=80,
               example=str(level_choices(None)[0]), choices=True),
        Column("year", gettext_lazy("Recognition year"), 12, max_length=4, kind="year",
               example="2026", note=gettext_lazy("the batch's recognition year")),
        Column("as_of", gettext_lazy("Rules of the day (historic dossier, dd/mm/yyyy)"), 22,
               required=False, max_length=10, kind="date", example="",
               note=gettext_lazy("empty: the criteria set and regulation profile in force "
                                 "today; a date: those in force that day (coordination office "
                                 "only)")),
    ),
    apply_row=_register_row,
    export_rows=_register_export,
    choices=lambda scope: {"commune": _communes(scope), "level": level_choices(scope)},
))
