"""The process instance of a dossier."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class DossierProcess(Process):
    """One pass of a dossier through the recognition flow (a new one per round)."""

    dossier = models.ForeignKey("dossiers.Dossier", models.PROTECT, related_name="processes",
                                verbose_name=_("dossier"))
    round = models.PositiveSmallIntegerField(_("round"), default=1)

    class Meta:
        verbose_name = _("dossier process")
        verbose_name_plural = _("dossier processes")
