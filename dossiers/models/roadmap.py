"""Lộ trình: which commune a province plans to bring to which level in which year
(DOMAIN.md section 5; seeds 000 and 004). Progress is read against it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .criteria import Level
from .geography import Commune, Province


class RoadmapTarget(models.Model):
    """One line of a province's roadmap: ``commune`` aims at ``level`` in ``year``."""

    province = models.ForeignKey(Province, models.PROTECT, related_name="roadmap_targets",
                                 verbose_name=_("province"))
    commune = models.ForeignKey(Commune, models.PROTECT, related_name="roadmap_targets",
                                verbose_name=_("commune"))
    level = models.CharField(_("target level"), max_length=16, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("target year"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["province", "year", "level", "commune__name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "level"], name="roadmap_unique_level"),
        ]
        permissions = [
            ("view_national_report", _("Can read every province's report figures")),
        ]
        verbose_name = _("roadmap target")
        verbose_name_plural = _("roadmap targets")

    def __str__(self) -> str:
        return f"{self.commune} – {self.get_level_display()} – {self.year}"

    audit_fields = ("commune", "level", "year", "note")
