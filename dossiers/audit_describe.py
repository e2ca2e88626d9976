"""Audit events as people read them: field labels, object names and values in the reader's
language, instead of the stored keys, ids and JSON.

The trail stores what a service wrote (``before``/``after``: field names, primary keys, ISO
dates, choice codes). Reading it, each key is labelled by its model field's verbose name (or
by the labels below for keys that are not fields), and each value is shown the way the pages
show it: a choice by its label, a yes/no in words, a date as dd/mm/yyyy, a reference by the
name of what it refers to. References are resolved for a whole page of events at once: one
query per referenced model, whatever the number of events (``describe_events``).

The stored values are never changed: the technical form stays available beside this one."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent

from .models import Agency

EMPTY = "—"

# Keys services write that are not fields of the event's model: their labels, and for those
# that name another row, the model whose names they carry.
EXTRA_LABELS = {
    "agency_name": gettext_lazy("agency"),
    "against": gettext_lazy("votes against"),
    "content_type": gettext_lazy("file type"),
    "data_version": gettext_lazy("data version"),
    "for": gettext_lazy("votes for"),
    "gaps": gettext_lazy("known gaps"),
    "group": gettext_lazy("agency"),
    "members": gettext_lazy("members"),
    "members_total": gettext_lazy("members of the council"),
    "new": gettext_lazy("units added"),
    "original_name": gettext_lazy("file name"),
    "permission": gettext_lazy("right"),
    "present": gettext_lazy("present"),
    "renamed": gettext_lazy("units renamed"),
    "round": gettext_lazy("round"),
    "sha256": gettext_lazy("SHA-256 fingerprint"),
    "size": gettext_lazy("size (bytes)"),
    "to": gettext_lazy("granted to"),
}
EXTRA_REFERENCES: dict[str, tuple[str, str]] = {
    # key: (app label.model, of which model's field the key is, "" for any)
    "present": ("auth.user", ""),
    "group": ("auth.group", ""),
}


@dataclass(frozen=True)
class Line:
    """One described key of an event: its label, the value before and after, and whether it
    changed (for highlighting)."""

    key: str
    label: str
    before: str
    after: str
    changed: bool


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist, or a reverse relation
        return None
    return field if isinstance(field, models.Field) else None


def _target(model: type[models.Model] | None, key: str) -> type[models.Model] | None:
    """The model a key refers to (a foreign key or many-to-many field, or a known extra key)."""
    field = _field(model, key)
    if field is not None and field.is_relation and field.related_model is not None:
        return field.related_model
    if key in EXTRA_REFERENCES:
        return apps.get_model(EXTRA_REFERENCES[key][0])
    return None


def _ids(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _name(obj: models.Model) -> str:
    if isinstance(obj, get_user_model()):
        return obj.get_full_name() or obj.get_username()
    return str(obj)


def _names(events: Iterable[AuditEvent]) -> dict[type[models.Model], dict[int, str]]:
    """Every referenced row of these events, named: one query per referenced model."""
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for event in events:
        model = _model(event.object_type)
        for payload in (event.before, event.after):
            if not isinstance(payload, dict):
                continue
            for key, value in payload.items():
                target = _target(model, key)
                if target is not None:
                    wanted[target].update(_ids(value))
    names: dict[type[models.Model], dict[int, str]] = {}
    for target, ids in wanted.items():
        if target is Group:  # an agency's own group: people know it by the agency's name
            names[target] = dict(Agency.objects.filter(group_id__in=ids)
                                 .values_list("group_id", "name"))
            continue
        names[target] = {obj.pk: _name(obj) for obj in target._default_manager.filter(pk__in=ids)}
    return names


def _permission_name(codename: str, permissions: dict[str, str]) -> str:
    return permissions.get(codename, codename)


def _value(model: type[models.Model] | None, key: str, value: Any,
           names: dict[type[models.Model], dict[int, str]], permissions: dict[str, str]) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    target = _target(model, key)
    if target is not None and _ids(value):
        known = names.get(target, {})
        return ", ".join(known.get(pk, f"#{pk}") for pk in _ids(value))
    if key == "permission" and isinstance(value, str):
        return _permission_name(value, permissions)
    field = _field(model, key)
    if field is not None and field.choices and not isinstance(value, (list, dict)):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str):
        return _text(field, value)
    if isinstance(value, (int, float)):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, list):
        return ", ".join(_value(None, "", item, names, permissions) for item in value)
    return json.dumps(value, ensure_ascii=False)


def _text(field: models.Field | None, value: str) -> str:
    """ISO dates and times as the pages show them; other text as written."""
    if isinstance(field, models.DateTimeField) or (field is None and "T" in value[:20]):
        moment = _parse(parse_datetime, value)
        if isinstance(moment, dt.datetime):
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return moment.strftime("%d/%m/%Y %H:%M")
    if isinstance(field, models.DateField) or field is None:
        day = _parse(parse_date, value)
        if isinstance(day, dt.date):
            return day.strftime("%d/%m/%Y")
    return value


def _parse(parser: Any, value: str) -> Any:
    try:
        return parser(value)
    except ValueError:
        return None


def _label(model: type[models.Model] | None, key: str) -> str:
    field = _field(model, key)
    if field is not None:
        return str(field.verbose_name)
    if key in EXTRA_LABELS:
        return str(EXTRA_LABELS[key])
    return key.replace("_", " ")


def object_label(object_type: str) -> str:
    """What kind of object an event is about, in the reader's language."""
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def describe_events(events: Iterable[AuditEvent]) -> dict[int, list[Line]]:
    """Each event's before/after as labelled lines, keyed by the event's primary key. The number
    of queries depends on the kinds of objects referenced, not on the number of events."""
    events = list(events)
    names = _names(events)
    codenames = {payload.get("permission") for event in events
                 for payload in (event.before, event.after)
                 if isinstance(payload, dict) and isinstance(payload.get("permission"), str)}
    permissions: dict[str, str] = {}
    if codenames:
        for app_label, codename, name in Permission.objects.filter(
                codename__in=[c.split(".", 1)[-1] for c in codenames]).values_list(
                "content_type__app_label", "codename", "name"):
            permissions[f"{app_label}.{codename}"] = _(name)
    described: dict[int, list[Line]] = {}
    for event in events:
        model = _model(event.object_type)
        before = event.before if isinstance(event.before, dict) else {}
        after = event.after if isinstance(event.after, dict) else {}
        lines = []
        for key in dict.fromkeys([*before.keys(), *after.keys()]):
            old, new = before.get(key), after.get(key)
            lines.append(Line(
                key=key, label=_label(model, key),
                before=_value(model, key, old, names, permissions) if key in before else EMPTY,
                after=_value(model, key, new, names, permissions) if key in after else EMPTY,
                changed=event.before is not None and old != new))
        described[event.pk] = lines
    return described

