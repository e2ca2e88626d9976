"""Batches (đợt) of a province's recognition year, each step with its due date.

The steps a calendar can date (``Step``) come from the step table, ``dossiers.steps``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..steps import Step
from .geography import Province


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
