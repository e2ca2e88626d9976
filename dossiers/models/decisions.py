"""Quyết định công nhận / thu hồi: the chairman's decisions, and revocations."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from .assessment import StoredFile
from .criteria import Criterion
from .dossier import Dossier


class Decision(StoredFile):
    class Kind(models.TextChoices):
        RECOGNITION = "recognition", _("recognition")
        REVOCATION = "revocation", _("revocation")

    dossier = models.ForeignKey(Dossier, models.PROTECT, related_name="decisions",
                                verbose_name=_("dossier"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("decision number"), max_length=60)
    signed_on = models.DateField(_("signed on"))
    signer_name = models.CharField(_("signed by"), max_length=200)
    signer_title = models.CharField(_("signer's title"), max_length=200)

    class Meta:
        ordering = ["-signed_on"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "kind"], name="decision_unique_kind"),
        ]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.number} ({self.signed_on:%d/%m/%Y})"


class Revocation(FSMModelMixin, models.Model):
    """Thu hồi: a recognition that no longer holds goes through council and decision again."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ON_AGENDA = "on_agenda", _("before the council")
        APPROVED = "approved", _("approved by the council")
        REJECTED = "rejected", _("rejected by the council")
        DECIDED = "decided", _("recognition revoked")

    dossier = models.ForeignKey(Dossier, models.PROTECT, related_name="revocations",
                                verbose_name=_("dossier"))
    criteria_not_met = models.ManyToManyField(Criterion, related_name="+",
                                              verbose_name=_("criteria no longer met"))
    reason = models.TextField(_("reason"))
    status = FSMField(_("status"), max_length=16, choices=Status.choices,
                      default=Status.PROPOSED, protected=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("revocation")
        verbose_name_plural = _("revocations")

    def __str__(self) -> str:
        return f"{self.dossier} ({self.get_status_display()})"

    audit_fields = ("status",)

    @transition(status, source=Status.PROPOSED, target=Status.ON_AGENDA)
    def put_on_agenda(self) -> None:
        pass

    @transition(status, source=Status.ON_AGENDA, target=Status.APPROVED)
    def council_approve(self) -> None:
        pass

    @transition(status, source=Status.ON_AGENDA, target=Status.REJECTED)
    def council_reject(self) -> None:
        pass

    @transition(status, source=Status.ON_AGENDA, target=Status.PROPOSED)
    def back_to_proposed(self) -> None:
        """No quorum: wait for another meeting."""

    @transition(status, source=Status.APPROVED, target=Status.DECIDED)
    def decide(self) -> None:
        pass
