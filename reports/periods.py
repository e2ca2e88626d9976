"""Report periods: a month, a quarter, a half-year, a year, or any date range."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers.exceptions import RuleViolation

KINDS = {
    "month": gettext_lazy("month"),
    "quarter": gettext_lazy("quarter"),
    "half": gettext_lazy("half-year"),
    "year": gettext_lazy("year"),
    "range": gettext_lazy("date range"),
}
# How many of each kind a year holds, and how many months each lasts.
PARTS = {"month": (12, 1), "quarter": (4, 3), "half": (2, 6), "year": (1, 12)}
YEAR_MIN, YEAR_MAX = 2010, 2040


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date
    number: int = 0

    @property
    def title(self) -> str:
        year = self.start.year
        if self.kind == "month":
            return _("Month %(n)s/%(year)s") % {"n": self.number, "year": year}
        if self.kind == "quarter":
            return _("Quarter %(n)s/%(year)s") % {"n": self.number, "year": year}
        if self.kind == "half":
            return (_("First half of %(year)s") if self.number == 1
                    else _("Second half of %(year)s")) % {"year": year}
        if self.kind == "year":
            return _("Year %(year)s") % {"year": year}
        return _("From %(start)s to %(end)s") % {"start": f"{self.start:%d/%m/%Y}",
                                                 "end": f"{self.end:%d/%m/%Y}"}

    @property
    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)


def period_of(*, kind: str, year: int | None = None, number: int | None = None,
              start: dt.date | None = None, end: dt.date | None = None) -> Period:
    """The period a reader asked for, or a refusal that says what is wrong."""
    if kind not in KINDS:
        raise RuleViolation(_("Unknown kind of period."))
    if kind == "range":
        if start is None or end is None:
            raise RuleViolation(_("Give the first and the last day of the range."))
        if end < start:
            raise RuleViolation(_("The last day comes before the first."))
        if not (YEAR_MIN <= start.year and end.year <= YEAR_MAX):
            raise RuleViolation(_("The dates must fall between %(min)s and %(max)s.")
                                % {"min": YEAR_MIN, "max": YEAR_MAX})
        return Period(kind, start, end)
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        raise RuleViolation(_("The year must be from %(min)s to %(max)s.")
                            % {"min": YEAR_MIN, "max": YEAR_MAX})
    count, months = PARTS[kind]
    number = 1 if kind == "year" else number
    if number is None or not 1 <= number <= count:
        raise RuleViolation(_("The number must be from 1 to %(max)s.") % {"max": count})
    first_month = (number - 1) * months + 1
    last_month = first_month + months - 1
    return Period(kind, dt.date(year, first_month, 1),
                  dt.date(year, last_month, calendar.monthrange(year, last_month)[1]), number)
