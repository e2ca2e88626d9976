"""Reading what a person typed: every value checked, every error said in their language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from .exceptions import RuleViolation


def text(data: Any, name: str, *, required: bool = False, label: str = "") -> str:
    value = (data.get(name) or "").strip()
    if required and not value:
        raise RuleViolation(_("“%(label)s” is required.") % {"label": label or name})
    return value


def integer(data: Any, name: str, *, label: str, minimum: int = 0) -> int:
    raw = (data.get(name) or "").strip()
    try:
        value = int(raw)
    except ValueError as exc:
        raise RuleViolation(_("“%(label)s” must be a whole number.") % {"label": label}) from exc
    if value < minimum:
        raise RuleViolation(_("“%(label)s” cannot be below %(min)s.") % {"label": label,
                                                                          "min": minimum})
    return value


def date(data: Any, name: str, *, label: str, required: bool = True) -> dt.date | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        if required:
            raise RuleViolation(_("“%(label)s” is required (dd/mm/yyyy).") % {"label": label})
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise RuleViolation(_("“%(value)s” is not a date: write it as dd/mm/yyyy.") % {"value": raw})


def choice(data: Any, name: str, options: dict[str, Any], *, label: str) -> Any:
    raw = (data.get(name) or "").strip()
    if raw not in options:
        raise RuleViolation(_("Choose a value for “%(label)s”.") % {"label": label})
    return options[raw]


def upload(files: Any, name: str, *, label: str) -> Any:
    uploaded = files.get(name)
    if uploaded is None:
        raise RuleViolation(_("Choose the file for “%(label)s”.") % {"label": label})
    return uploaded
