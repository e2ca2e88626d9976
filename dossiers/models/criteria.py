"""The criteria catalogue: versioned criteria sets, criteria and indicators.

A set is versioned law: a dossier keeps the set in force when it was registered.
Indicators the sources did not yield are absent (listed under ``gaps``); a criterion
with no indicators is self-assessed and appraised as a whole.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .geography import Province


class Level(models.TextChoices):
    """Recognition level; it names the criteria set that applies."""

    NTM = "NTM", _("new rural area (NTM)")
    ADVANCED = "NTM_NANG_CAO", _("advanced new rural area (NTM nâng cao)")
    MODEL = "NTM_KIEU_MAU", _("model new rural area (NTM kiểu mẫu)")
    MODERN = "NTM_HIEN_DAI", _("modern new rural area (NTM hiện đại, pilot)")


class BilingualName(models.Model):
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=500)
    name_en = models.CharField(_("name (English)"), max_length=500, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi


class CriteriaSet(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    province = models.ForeignKey(
        Province, models.PROTECT, null=True, blank=True, related_name="criteria_sets",
        verbose_name=_("province"),
        help_text=_("Empty for a national set. A province may issue its own advanced and model "
                    "sets; for its communes they are chosen before a national one."))
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    period = models.CharField(_("period"), max_length=20, blank=True)
    valid_from = models.DateField(_("in force from"))
    valid_until = models.DateField(_("in force until"), null=True, blank=True,
                                   help_text=_("The last day the set is in force (inclusive)."))
    superseded_by = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="supersedes",
        verbose_name=_("superseded by"),
        help_text=_("The set that replaces this one: this set is no longer in force from the "
                    "day the successor comes into force."))
    fragments = models.BooleanField(
        _("fragments only"), default=False,
        help_text=_("The loaded data holds only fragments of the law: no dossier may be judged "
                    "by this set until it is completed."))
    criteria_count = models.PositiveSmallIntegerField(_("criteria (by law)"), null=True, blank=True)
    indicator_count = models.PositiveSmallIntegerField(_("indicators (by law)"), null=True, blank=True)
    commune_groups = models.JSONField(_("commune groups"), default=list, blank=True)
    gaps = models.JSONField(_("known gaps"), default=list, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    header = models.JSONField(_("other header fields"), default=dict, blank=True)
    source_file = models.CharField(_("loaded from"), max_length=300, blank=True)
    loaded_at = models.DateTimeField(_("last loaded"), null=True, blank=True)

    class Meta:
        ordering = ["-valid_from", "code"]
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")

    def __str__(self) -> str:
        return self.title_vi

    @property
    def uses_commune_groups(self) -> bool:
        return bool(self.commune_groups)

    def clean(self) -> None:
        errors = {}
        if self.province_id and self.level not in (Level.ADVANCED, Level.MODEL):
            errors["province"] = _("Only advanced and model sets may belong to a province; "
                                   "the other levels have one national set.")
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The set cannot end before it comes into force.")
        if self.superseded_by_id:
            successor = self.superseded_by
            if successor.pk == self.pk:
                errors["superseded_by"] = _("A set cannot supersede itself.")
            elif successor.level != self.level:
                errors["superseded_by"] = _("The successor is a set for another level.")
            elif successor.province_id not in (None, self.province_id):
                errors["superseded_by"] = _("The successor belongs to another province.")
        if errors:
            raise ValidationError(errors)

    def last_day(self) -> dt.date | None:
        """The last day in force: ``valid_until``, or the day before the successor starts."""
        ends = [self.valid_until] if self.valid_until else []
        if self.superseded_by_id:
            ends.append(self.superseded_by.valid_from - dt.timedelta(days=1))
        return min(ends) if ends else None

    def in_force_on(self, day: dt.date) -> bool:
        last = self.last_day()
        return self.valid_from <= day and (last is None or day <= last)


class Criterion(BilingualName):
    criteria_set = models.ForeignKey(CriteriaSet, models.CASCADE, related_name="criteria",
                                     verbose_name=_("criteria set"))
    number = models.PositiveSmallIntegerField(_("number"))
    responsible_hint = models.TextField(_("responsible agency (hint from the source)"), blank=True)
    revocation_key = models.BooleanField(
        _("key criterion for revocation"), default=False,
        help_text=_("Income, environment and food safety, living-environment quality, or defence "
                    "and security: losing one of these with 30 per cent of the criteria revokes "
                    "recognition."))
    retired = models.BooleanField(
        _("retired"), default=False,
        help_text=_("No longer in the source file; kept because dossiers refer to it."))

    class Meta:
        ordering = ["criteria_set", "number"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "number"], name="criterion_unique_number"),
        ]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Indicator(BilingualName):
    class Confidence(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        PARTIAL = "partial", _("partial")
        UNCONFIRMED = "unconfirmed", _("unconfirmed")

    criterion = models.ForeignKey(Criterion, models.CASCADE, related_name="indicators",
                                  verbose_name=_("criterion"))
    key = models.CharField(
        _("key"), max_length=120,
        help_text=_("Stable key within the criterion: the code, or the name when the source has no code."))
    code = models.CharField(_("code"), max_length=20, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    threshold = models.JSONField(
        _("threshold"), null=True, blank=True,
        help_text=_("As the law states it: a text, or a mapping of region or commune group to text."))
    class Measure(models.TextChoices):
        QUANTITATIVE = "quantitative", _("quantitative: a value compared with the threshold")
        QUALITATIVE = "qualitative", _("qualitative: judged against the text")

    measure = models.CharField(
        _("measure"), max_length=12, choices=Measure.choices, default=Measure.QUALITATIVE,
        help_text=_("Quantitative: whether it is met is computed from the commune's value and "
                    "the threshold of its group or region. Qualitative: the commune claims it, "
                    "the department judges it."))
    confidence = models.CharField(_("confidence"), max_length=12, choices=Confidence.choices)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    retired = models.BooleanField(_("retired"), default=False)

    class Meta:
        ordering = ["criterion", "position"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "key"], name="indicator_unique_key"),
        ]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code or '-'} {self.name}"


def _number(value: Decimal) -> str:
    """70, 83,3 (Vietnamese) or 83.3 (English): no trailing zeros, the reader's locale."""
    text = format(value.normalize(), "f")
    places = len(text.split(".")[1]) if "." in text else 0
    return number_format(value, decimal_pos=places, use_l10n=True)


class Threshold(models.Model):
    """Structured threshold of a quantitative indicator for one commune group or region
    (or for all of them): a number, a unit and a comparison."""

    class Comparison(models.TextChoices):
        AT_LEAST = "gte", "≥"
        AT_MOST = "lte", "≤"
        EQUAL = "eq", "="
        BETWEEN = "between", pgettext_lazy("threshold", "between")

    class Kind(models.TextChoices):
        PERCENT = "percent", _("percentage")
        ABSOLUTE = "absolute", _("absolute value")

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="thresholds",
                                  verbose_name=_("indicator"))
    applies_to = models.CharField(
        _("group or region"), max_length=40, blank=True,
        help_text=_("The commune group (1, 2, 3) or the region this threshold is for; empty: "
                    "every group and region."))
    comparison = models.CharField(_("comparison"), max_length=8, choices=Comparison.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=3)
    value_max = models.DecimalField(_("upper value (between)"), max_digits=14,
                                    decimal_places=3, null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    unit = models.CharField(_("unit (absolute values)"), max_length=60, blank=True)

    class Meta:
        ordering = ["indicator", "applies_to"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "applies_to"],
                                    name="threshold_unique_place"),
        ]
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")

    def __str__(self) -> str:
        return self.describe()

    def clean(self) -> None:
        errors = {}
        if self.comparison == self.Comparison.BETWEEN:
            if self.value_max is None:
                errors["value_max"] = _("A range needs its upper value.")
            elif self.value is not None and self.value_max < self.value:
                errors["value_max"] = _("The upper value cannot be below the lower value.")
        elif self.value_max is not None:
            errors["value_max"] = _("Only a range (between) has an upper value.")
        if self.kind == self.Kind.PERCENT:
            for name in ("value", "value_max"):
                number = getattr(self, name)
                if number is not None and not 0 <= number <= 100:
                    errors[name] = _("A percentage lies between 0 and 100.")
        if errors:
            raise ValidationError(errors)

    def met_by(self, value: Decimal) -> bool:
        c = self.Comparison
        if self.comparison == c.AT_LEAST:
            return value >= self.value
        if self.comparison == c.AT_MOST:
            return value <= self.value
        if self.comparison == c.EQUAL:
            return value == self.value
        return self.value <= value <= self.value_max

    def amount(self, value: Decimal) -> str:
        if self.kind == self.Kind.PERCENT:
            return f"{_number(value)}%"
        return f"{_number(value)} {self.unit}".strip()

    def place_label(self) -> str:
        if not self.applies_to:
            return str(_("every group and region"))
        if self.applies_to.isdigit():
            return str(_("group %(n)s") % {"n": self.applies_to})
        return self.applies_to

    def describe(self) -> str:
        """How the threshold reads: “≥ 70% (nhóm 2)”, “từ 10 đến 20 triệu đồng (…)”."""
        if self.comparison == self.Comparison.BETWEEN:
            rule = _("%(low)s to %(high)s") % {"low": self.amount(self.value),
                                                "high": self.amount(self.value_max)}
        else:
            rule = f"{self.get_comparison_display()} {self.amount(self.value)}"
        return f"{rule} ({self.place_label()})"
