"""Chữ ký số: what the signature of an uploaded decision says, and the certificates the
administrator trusts to vouch for signers."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .decisions import Decision


class TrustRoot(models.Model):
    """A root (or intermediate) certificate of a certification authority whose signers'
    decisions are reported as verified (e.g. the government CA's root)."""

    name = models.CharField(_("name"), max_length=200)
    certificate = models.TextField(
        _("certificate (PEM)"),
        help_text=_("The certificate in PEM form: -----BEGIN CERTIFICATE----- …"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("trusted root certificate")
        verbose_name_plural = _("trusted root certificates")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from ..signatures import load_certificates

        try:
            load_certificates(self.certificate.encode())
        except (ValueError, TypeError) as exc:
            raise ValidationError(
                {"certificate": _("This is not a certificate in PEM form.")}) from exc


class DecisionSignature(models.Model):
    """The check of a decision file's digital signature, made when it was uploaded."""

    class Status(models.TextChoices):
        UNSIGNED = "unsigned", _("not digitally signed")
        INTACT = "intact", _("signed, unchanged since signing")
        CHANGED = "changed", _("signed, but changed after signing")

    decision = models.OneToOneField(Decision, models.PROTECT, related_name="signature",
                                    verbose_name=_("decision"))
    status = models.CharField(_("signature"), max_length=16, choices=Status.choices)
    signatures = models.PositiveSmallIntegerField(_("signatures"), default=0)
    signer_name = models.CharField(_("signer (certificate)"), max_length=200, blank=True)
    signer_organisation = models.CharField(_("signer's organisation (certificate)"),
                                           max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signing time reported"), null=True, blank=True)
    coverage = models.CharField(_("coverage"), max_length=32, blank=True)
    trusted = models.BooleanField(
        _("verified against a trusted root"), default=False,
        help_text=_("Unverified when no trusted root is configured or the signer's "
                    "certificate does not chain to one."))
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision signature")
        verbose_name_plural = _("decision signatures")

    def __str__(self) -> str:
        return f"{self.decision}: {self.get_status_display()}"
