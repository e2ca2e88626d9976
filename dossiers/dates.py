"""Plausible dates and figures: what a person types must fit the step it belongs to.

A date of an act already done (a posting that started, a comment received, a decision
signed, an announcement made) lies neither before the dossier was registered nor in the
future; a batch's due date lies near its recognition year, not centuries away. Survey
households must match the village's registered count within the regulation profile's
tolerance, or the commune Front writes why. Each function returns the reasons a value is
refused (empty when it is plausible), so a refusal says what is wrong and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AgendaItem, Dossier


def fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def registered_on(dossier: Dossier) -> dt.date:
    return timezone.localdate(dossier.registered_at)


def past_act_problems(*, dossier: Dossier, day: dt.date, what: str,
                      today: dt.date | None = None) -> list[str]:
    """``what`` (e.g. "The posting") happened on ``day``: not before the registration of the
    dossier, not after today."""
    today = today or timezone.localdate()
    registered = registered_on(dossier)
    if day < registered:
        return [_("%(what)s cannot be dated %(day)s: the dossier was registered on "
                  "%(registered)s.") % {"what": what, "day": fmt(day),
                                        "registered": fmt(registered)}]
    if day > today:
        return [_("%(what)s cannot be dated %(day)s: that is in the future (today is "
                  "%(today)s).") % {"what": what, "day": fmt(day), "today": fmt(today)}]
    return []


def posting_start_problems(*, dossier: Dossier, starts_on: dt.date,
                           today: dt.date | None = None) -> list[str]:
    return past_act_problems(dossier=dossier, day=starts_on, today=today,
                             what=_("The start of the public posting"))


def comment_date_problems(*, dossier: Dossier, received_on: dt.date,
                          today: dt.date | None = None) -> list[str]:
    """A comment is received during the posting: not before it started, not in the future."""
    problems = past_act_problems(dossier=dossier, day=received_on, today=today,
                                 what=_("A public comment"))
    started = dossier.posting_started_on
    if not problems and started and received_on < started:
        problems.append(_("A public comment cannot be dated %(day)s: the posting started on "
                          "%(start)s.") % {"day": fmt(received_on), "start": fmt(started)})
    return problems


def decision_date_problems(*, dossier: Dossier, signed_on: dt.date, kind: str = "recognition",
                           today: dt.date | None = None) -> list[str]:
    """A decision is signed after the council voted on the dossier, and not in the future."""
    problems = past_act_problems(dossier=dossier, day=signed_on, today=today,
                                 what=_("The decision"))
    if problems:
        return problems
    item_kind = AgendaItem.Kind.RECOGNITION if kind == "recognition" else AgendaItem.Kind.REVOCATION
    voted = dossier.agenda_items.filter(kind=item_kind, result=AgendaItem.Result.APPROVED,
                                        closed_at__isnull=False).order_by("-closed_at").first()
    if voted is not None and signed_on < timezone.localdate(voted.closed_at):
        problems.append(_("The decision cannot be dated %(day)s: the council approved the "
                          "dossier on %(voted)s.") % {
            "day": fmt(signed_on), "voted": fmt(timezone.localdate(voted.closed_at))})
    return problems


def announcement_date_problems(*, dossier: Dossier, announced_on: dt.date,
                               today: dt.date | None = None) -> list[str]:
    return past_act_problems(dossier=dossier, day=announced_on, today=today,
                             what=_("The announcement"))


# A batch's calendar lies within a year around its recognition year (votes may slip into
# the next calendar year, DOMAIN.md section 5).
BATCH_YEARS_BEFORE = 1
BATCH_YEARS_AFTER = 1


def batch_deadline_problems(*, batch: Any, due_on: dt.date) -> list[str]:
    first = dt.date(batch.recognition_year - BATCH_YEARS_BEFORE, 1, 1)
    last = dt.date(batch.recognition_year + BATCH_YEARS_AFTER, 12, 31)
    if not first <= due_on <= last:
        return [_("A due date of the %(year)s batch must lie between %(first)s and %(last)s, "
                  "not on %(day)s.") % {"year": batch.recognition_year, "first": fmt(first),
                                        "last": fmt(last), "day": fmt(due_on)}]
    return []


def survey_households_problems(*, village: Any, households: int, tolerance_pct: int,
                               reason: str) -> list[str]:
    """The households a village's survey counts against its registered count: beyond the
    tolerance (a percentage of the registered count) a written reason is required."""
    registered = village.households
    if not registered or reason.strip():
        return []
    if abs(Fraction(households - registered, registered)) > Fraction(tolerance_pct, 100):
        return [_("%(village)s has %(registered)s registered households, but the survey counts "
                  "%(households)s (more than %(tolerance)s%% apart): correct the figure or write "
                  "why it differs.") % {"village": village.name, "registered": registered,
                                        "households": households, "tolerance": tolerance_pct}]
    return []
