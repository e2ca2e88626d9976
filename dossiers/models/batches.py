"""Batches (đợt) of a province's recognition year, each step with its due date."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .geography import Province


class Step(models.TextChoices):
    """The steps of the process (DOMAIN.md section 4) that can carry a due date."""

    SELF_ASSESSMENT = "self_assessment", _("self-assessment")
    PUBLIC_POSTING = "public_posting", _("public posting and comments")
    SURVEY = "survey", _("satisfaction survey")
    SUBMISSION = "submission", _("submission")
    DISTRICT_VERIFICATION = "district_verification", _("district verification")
    DEPARTMENT_APPRAISAL = "department_appraisal", _("sector departments' appraisal")
    ANSWER_RETURNS = "answer_returns", _("answers to returned criteria")
    SURVEY_APPRAISAL = "survey_appraisal", _("Fatherland Front's survey appraisal")
    DEBT_CONFIRMATION = "debt_confirmation", _("capital-construction debt confirmation")
    SECURITY_CONFIRMATION = "security_confirmation", _("security confirmation")
    CONSOLIDATION = "consolidation", _("consolidation and agenda")
    COUNCIL_VOTE = "council_vote", _("council vote")
    DECISION = "decision", _("decision")
    ANNOUNCEMENT = "announcement", _("announcement")


class Batch(models.Model):
    """A recognition round; its recognition year and its meeting dates are separate."""

    province = models.ForeignKey(Province, models.PROTECT, related_name="batches",
                                 verbose_name=_("province"))
    recognition_year = models.PositiveSmallIntegerField(_("recognition year"))
    number = models.PositiveSmallIntegerField(_("batch number"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    closed = models.BooleanField(_("closed"), default=False)

    class Meta:
        ordering = ["province", "-recognition_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["province", "recognition_year", "number"],
                                    name="batch_unique_number"),
        ]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")

    def __str__(self) -> str:
        return self.title or _("Batch %(number)s/%(year)s") % {
            "number": self.number, "year": self.recognition_year}

    def due_on(self, step: str):
        for deadline in self.deadlines.all():
            if deadline.step == step:
                return deadline.due_on
        return None


class BatchDeadline(models.Model):
    batch = models.ForeignKey(Batch, models.CASCADE, related_name="deadlines",
                              verbose_name=_("batch"))
    step = models.CharField(_("step"), max_length=32, choices=Step.choices)
    due_on = models.DateField(_("due on"))

    class Meta:
        ordering = ["batch", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "step"], name="deadline_unique_step"),
        ]
        verbose_name = _("batch deadline")
        verbose_name_plural = _("batch deadlines")

    def __str__(self) -> str:
        return f"{self.batch}: {self.get_step_display()} {self.due_on:%d/%m/%Y}"
