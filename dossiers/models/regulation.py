"""Per-province configurable numbers (DOMAIN.md: every *configurable* value), versioned."""

from fractions import Fraction

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .agencies import Agency
from .criteria import Criterion, Indicator
from .geography import Province


def parse_ratio(value: str) -> Fraction:
    """Read "2/3", "90%" or "0.9" exactly (no rounding: 2/3 stays two thirds)."""
    text = str(value).strip().replace(",", ".")
    try:
        if text.endswith("%"):
            result = Fraction(text[:-1].strip()) / 100
        else:
            result = Fraction(text)
    except (ValueError, ZeroDivisionError) as exc:
        raise ValidationError(
            _("“%(value)s” is not a ratio: write it as 2/3, 90%% or 0.9."),
            params={"value": value}) from exc
    if not 0 < result <= 1:
        raise ValidationError(_("A ratio must be above 0 and at most 100%."))
    return result


def validate_ratio(value: str) -> None:
    parse_ratio(value)


class RegulationProfile(models.Model):
    """A version of a province's configurable numbers; pinned on each dossier at registration.

    A version used by a dossier is never edited: publish a new version instead.
    """

    province = models.ForeignKey(Province, models.PROTECT, related_name="regulation_profiles",
                                 verbose_name=_("province"))
    version = models.PositiveIntegerField(_("version"))
    valid_from = models.DateField(_("in force from"))
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    survey_coverage_min = models.CharField(
        _("minimum share of households surveyed"), max_length=16, default="70%",
        validators=[validate_ratio])
    survey_satisfaction_min = models.CharField(
        _("minimum share of surveyed households satisfied"), max_length=16, default="90%",
        validators=[validate_ratio])
    council_quorum = models.CharField(
        _("council quorum (members present)"), max_length=16, default="2/3",
        validators=[validate_ratio])
    council_approval_min = models.CharField(
        _("council approval (votes for, of members present)"), max_length=16, default="90%",
        validators=[validate_ratio])
    survey_households_tolerance = models.PositiveSmallIntegerField(
        _("survey households may differ from the village's registered count by (%)"),
        default=10, validators=[MaxValueValidator(100)],
        help_text=_("Beyond this, the commune Front must write why the figure differs."))
    posting_days = models.PositiveSmallIntegerField(_("public posting (days)"), default=15)
    province_answer_working_days = models.PositiveSmallIntegerField(
        _("province answers a complete dossier within (working days)"), default=15)
    district_verification = models.BooleanField(
        _("district verification step (older variant)"), default=False,
        help_text=_("Before July 2025 a district verified the dossier between submission and appraisal."))

    class Meta:
        ordering = ["province", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["province", "version"], name="regulation_unique_version"),
        ]
        verbose_name = _("regulation profile")
        verbose_name_plural = _("regulation profiles")

    def __str__(self) -> str:
        return _("%(province)s, version %(version)s") % {"province": self.province,
                                                         "version": self.version}

    @property
    def coverage_min(self) -> Fraction:
        return parse_ratio(self.survey_coverage_min)

    @property
    def satisfaction_min(self) -> Fraction:
        return parse_ratio(self.survey_satisfaction_min)

    @property
    def quorum(self) -> Fraction:
        return parse_ratio(self.council_quorum)

    @property
    def approval_min(self) -> Fraction:
        return parse_ratio(self.council_approval_min)


class Responsibility(models.Model):
    """Which agency appraises a criterion (or a single indicator of it) in a province."""

    province = models.ForeignKey(Province, models.PROTECT, related_name="responsibilities",
                                 verbose_name=_("province"))
    criterion = models.ForeignKey(Criterion, models.CASCADE, related_name="responsibilities",
                                  verbose_name=_("criterion"))
    indicator = models.ForeignKey(
        Indicator, models.CASCADE, null=True, blank=True, related_name="responsibilities",
        verbose_name=_("indicator"),
        help_text=_("Leave empty when the agency appraises the whole criterion."))
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="responsibilities",
                               verbose_name=_("agency"))

    class Meta:
        ordering = ["province", "criterion__number"]
        constraints = [
            models.UniqueConstraint(fields=["province", "criterion"],
                                    condition=models.Q(indicator__isnull=True),
                                    name="responsibility_unique_criterion"),
            models.UniqueConstraint(fields=["province", "indicator"],
                                    condition=models.Q(indicator__isnull=False),
                                    name="responsibility_unique_indicator"),
        ]
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")

    def __str__(self) -> str:
        target = self.indicator.code if self.indicator_id else self.criterion.number
        return f"{target} → {self.agency}"

    def clean(self) -> None:
        if self.indicator_id and self.indicator.criterion_id != self.criterion_id:
            raise ValidationError({"indicator": _("The indicator belongs to another criterion.")})
        if self.agency_id and self.agency.province_id != self.province_id:
            raise ValidationError({"agency": _("The agency belongs to another province.")})
