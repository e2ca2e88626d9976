"""Does a value fit its database column? One answer for forms, serializers and services.

* text: no control characters (NUL, escape, vertical tab… — tab and line breaks are fine)
  and no more than the column's ``max_length``;
* integers: within the column's range *as PostgreSQL stores it* (SQLite would store more,
  and the product must refuse the same input on both).

``guard_columns`` is connected to ``pre_save`` of every model of this app: whatever a
service writes is checked once more, and a value that does not fit is a ``RuleViolation``
with its message (so a transaction is rolled back and nothing is written), never a
database error.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import RuleViolation

# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges  # PostgreSQL's ranges
INT_MAX = INTEGER_RANGES["IntegerField"][1]
BIGINT_MAX = INTEGER_RANGES["BigIntegerField"][1]


def control_characters(value: str) -> list[str]:
    """The control characters in ``value``, written as U+XXXX."""
    return list(dict.fromkeys(f"U+{ord(c):04X}" for c in CONTROL.findall(value)))


@deconstructible
class NoControlCharacters:
    """A validator for forms and serializers."""

    message = gettext_lazy("contains a control character (%(chars)s): remove it.")

    def __call__(self, value: Any) -> None:
        # NUL is refused already by every Django and DRF CharField, with its own message.
        found = [c for c in control_characters(value) if c != "U+0000"] \
            if isinstance(value, str) else []
        if found:
            raise ValidationError(self.message, code="control_characters",
                                  params={"chars": ", ".join(found)})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters)


no_control_characters = NoControlCharacters()


def column_length(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


def integer_range(field: models.Field) -> tuple[int, int] | None:
    """The range PostgreSQL stores for an integer column (a relation: its target's)."""
    internal = field.get_internal_type()
    if isinstance(field, models.ForeignKey):
        internal = field.target_field.get_internal_type()
    internal = {"AutoField": "IntegerField", "BigAutoField": "BigIntegerField",
                "SmallAutoField": "SmallIntegerField"}.get(internal, internal)
    return INTEGER_RANGES.get(internal)


def instance_problems(instance: models.Model) -> list[str]:
    """Every value of ``instance`` that its column cannot take, as a message."""
    problems = []
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.FileField | models.JSONField):
            continue
        value = getattr(instance, field.attname)
        if value is None:
            continue
        label = str(field.verbose_name)
        label = label[:1].upper() + label[1:]
        if isinstance(value, str):
            if found := control_characters(value):
                problems.append(_("%(field)s contains a control character (%(chars)s): "
                                  "remove it.") % {"field": label, "chars": ", ".join(found)})
            if field.max_length and len(value) > field.max_length:
                problems.append(_("%(field)s is longer than %(n)s characters.")
                                % {"field": label, "n": field.max_length})
        elif isinstance(value, int) and not isinstance(value, bool):
            bounds = integer_range(field)
            if bounds and not bounds[0] <= value <= bounds[1]:
                problems.append(_("%(field)s must be between %(low)s and %(high)s.")
                                % {"field": label, "low": bounds[0], "high": bounds[1]})
    return problems


def require_fits(instance: models.Model) -> None:
    problems = instance_problems(instance)
    if problems:
        raise RuleViolation(problems)


def guard_columns(sender: type[models.Model], instance: models.Model, raw: bool = False,
                  **kwargs: Any) -> None:
    """pre_save of this app's models (fixtures, loaded raw, are not checked)."""
    if not raw and sender._meta.app_label == "dossiers":
        require_fits(instance)
