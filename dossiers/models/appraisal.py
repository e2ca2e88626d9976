"""What the province records: appraisals, survey results and appraisal, confirmations."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .agencies import Agency
from .criteria import Criterion, Indicator
from .dossier import Dossier
from .geography import Village


class AppraisalStatus(models.TextChoices):
    PENDING = "pending", _("awaiting appraisal")
    RETURNED = "returned", _("returned for supplement")
    RESUBMITTED = "resubmitted", _("supplemented, awaiting re-appraisal")
    MET = "met", _("met")
    NOT_MET = "not_met", _("not met")


A = AppraisalStatus


class CriterionAppraisal(ConcurrentTransitionMixin, models.Model):
    """Thẩm định: one responsible agency's appraisal of a criterion (or one indicator of it)."""

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="appraisals",
                                verbose_name=_("dossier"))
    round = models.PositiveSmallIntegerField(_("round"))
    criterion = models.ForeignKey(Criterion, models.PROTECT, related_name="+",
                                  verbose_name=_("criterion"))
    indicator = models.ForeignKey(Indicator, models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("indicator"))
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="appraisals",
                               verbose_name=_("appraising agency"))
    status = FSMField(_("status"), max_length=16, choices=AppraisalStatus.choices,
                      default=A.PENDING, protected=True)
    remark = models.TextField(_("remark"), blank=True)
    return_reason = models.TextField(_("reason for the return"), blank=True)
    commune_response = models.TextField(_("commune's answer"), blank=True)
    returns = models.PositiveSmallIntegerField(_("times returned"), default=0)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                   blank=True, related_name="+", verbose_name=_("appraised by"))
    decided_at = models.DateTimeField(_("appraised at"), null=True, blank=True)

    class Meta:
        ordering = ["dossier", "round", "criterion__number", "indicator__position"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "round", "criterion"],
                                    condition=models.Q(indicator__isnull=True),
                                    name="appraisal_unique_criterion"),
            models.UniqueConstraint(fields=["dossier", "round", "indicator"],
                                    condition=models.Q(indicator__isnull=False),
                                    name="appraisal_unique_indicator"),
        ]
        permissions = [("appraise_criterion", _("Can appraise the criterion"))]
        verbose_name = _("criterion appraisal")
        verbose_name_plural = _("criterion appraisals")

    def __str__(self) -> str:
        target = self.indicator.code if self.indicator_id else self.criterion.number
        return f"{self.dossier} – {target}: {self.get_status_display()}"

    @property
    def decided(self) -> bool:
        return self.status in (A.MET, A.NOT_MET)

    audit_fields = ("status", "remark", "return_reason", "commune_response", "returns")

    @transition(status, source=[A.PENDING, A.RESUBMITTED], target=A.MET)
    def mark_met(self) -> None:
        """Đạt."""

    @transition(status, source=[A.PENDING, A.RESUBMITTED], target=A.NOT_MET)
    def mark_not_met(self) -> None:
        """Không đạt."""

    @transition(status, source=[A.PENDING, A.RESUBMITTED], target=A.RETURNED)
    def return_for_supplement(self) -> None:
        """Bổ sung hồ sơ: back to the commune for more evidence."""
        self.returns += 1

    @transition(status, source=A.RETURNED, target=A.RESUBMITTED)
    def resubmit(self) -> None:
        """The commune answered the return."""


class SurveyResult(models.Model):
    """Lấy ý kiến sự hài lòng: one village's figures, logged by the commune Front."""

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="survey_results",
                                verbose_name=_("dossier"))
    village = models.ForeignKey(Village, models.PROTECT, related_name="+",
                                verbose_name=_("village"))
    households = models.PositiveIntegerField(_("households"))
    surveyed = models.PositiveIntegerField(_("households surveyed"))
    satisfied = models.PositiveIntegerField(_("households satisfied"))
    households_reason = models.TextField(
        _("why the households differ from the village's registered count"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        ordering = ["dossier", "village__name"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "village"], name="survey_unique_village"),
            models.CheckConstraint(condition=models.Q(surveyed__lte=models.F("households")),
                                   name="survey_surveyed_lte_households"),
            models.CheckConstraint(condition=models.Q(satisfied__lte=models.F("surveyed")),
                                   name="survey_satisfied_lte_surveyed"),
        ]
        verbose_name = _("survey result")
        verbose_name_plural = _("survey results")

    def __str__(self) -> str:
        return f"{self.village}: {self.satisfied}/{self.surveyed}/{self.households}"


class SurveyAppraisal(models.Model):
    """The provincial Front's appraisal of how the survey was run, with its own sample."""

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="survey_appraisals",
                                verbose_name=_("dossier"))
    round = models.PositiveSmallIntegerField(_("round"))
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="+", verbose_name=_("agency"))
    process_sound = models.BooleanField(_("the survey was run properly"))
    sample_surveyed = models.PositiveIntegerField(_("households sampled directly"), default=0)
    sample_satisfied = models.PositiveIntegerField(_("sampled households satisfied"), default=0)
    remark = models.TextField(_("remark"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "round"], name="survey_appraisal_unique"),
            models.CheckConstraint(condition=models.Q(sample_satisfied__lte=models.F("sample_surveyed")),
                                   name="survey_sample_satisfied_lte_surveyed"),
        ]
        verbose_name = _("survey appraisal")
        verbose_name_plural = _("survey appraisals")

    def __str__(self) -> str:
        return f"{self.dossier} ({self.round})"


class Confirmation(models.Model):
    """No outstanding capital-construction debt; no complex security situation."""

    class Kind(models.TextChoices):
        DEBT = "debt", _("no outstanding capital-construction debt")
        SECURITY = "security", _("no complex security situation")

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="confirmations",
                                verbose_name=_("dossier"))
    round = models.PositiveSmallIntegerField(_("round"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="+", verbose_name=_("agency"))
    holds = models.BooleanField(_("the condition holds"))
    remark = models.TextField(_("remark"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "round", "kind"],
                                    name="confirmation_unique_kind"),
        ]
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")

    def __str__(self) -> str:
        return f"{self.dossier}: {self.get_kind_display()} = {self.holds}"


class DistrictVerification(models.Model):
    """Thẩm tra (older variant): the district's report and its steering committee's vote."""

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="district_verifications",
                                verbose_name=_("dossier"))
    round = models.PositiveSmallIntegerField(_("round"))
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="+", verbose_name=_("agency"))
    report = models.TextField(_("verification report"))
    votes_for = models.PositiveSmallIntegerField(_("steering committee votes for"))
    members = models.PositiveSmallIntegerField(_("steering committee members"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "round"], name="district_verification_unique"),
        ]
        verbose_name = _("district verification")
        verbose_name_plural = _("district verifications")

    def __str__(self) -> str:
        return f"{self.dossier} ({self.round})"
