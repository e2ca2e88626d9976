"""Mergers of communes (sáp nhập): the predecessors, the new commune, the legal act, and
for each level whether the new commune inherits the recognition (DOMAIN.md §4)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .criteria import Level
from .geography import Commune, Province


class Merger(models.Model):
    province = models.ForeignKey(Province, models.PROTECT, related_name="mergers",
                                 verbose_name=_("province"))
    new_commune = models.ForeignKey(Commune, models.PROTECT, related_name="merged_from",
                                    verbose_name=_("new commune"))
    predecessors = models.ManyToManyField(Commune, related_name="merged_into",
                                          verbose_name=_("predecessor communes"))
    legal_act = models.CharField(_("legal act"), max_length=200)
    effective_on = models.DateField(_("effective on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-effective_on", "-pk"]
        verbose_name = _("merger of communes")
        verbose_name_plural = _("mergers of communes")

    def __str__(self) -> str:
        return f"{self.new_commune} ({self.legal_act})"


class MergerOutcome(models.Model):
    """For one level: does the new commune inherit it, and why (or why not)."""

    merger = models.ForeignKey(Merger, models.CASCADE, related_name="outcomes",
                               verbose_name=_("merger"))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    inherited = models.BooleanField(_("inherited"))
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["merger", "level"]
        constraints = [models.UniqueConstraint(fields=["merger", "level"],
                                               name="merger_outcome_unique_level")]
        verbose_name = _("merger outcome")
        verbose_name_plural = _("merger outcomes")

    def __str__(self) -> str:
        return f"{self.merger}: {self.get_level_display()}"
