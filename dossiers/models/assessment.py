"""What the commune records: self-assessment, evidence, documents, public comments."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .criteria import Criterion, Indicator
from .dossier import Dossier


class StoredFile(models.Model):
    """A file kept with its hash, so the audit trail can prove what was uploaded."""

    file = models.FileField(_("file"), upload_to="dossiers/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True


class SelfAssessment(models.Model):
    """Tự đánh giá: per indicator (or per criterion when it has no indicators yet)."""

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="self_assessments",
                                verbose_name=_("dossier"))
    criterion = models.ForeignKey(Criterion, models.PROTECT, related_name="+",
                                  verbose_name=_("criterion"))
    indicator = models.ForeignKey(Indicator, models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("indicator"))
    value = models.CharField(_("value"), max_length=500, blank=True)
    met = models.BooleanField(_("met"), null=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                   related_name="+", verbose_name=_("updated by"))

    class Meta:
        ordering = ["dossier", "criterion__number", "indicator__position"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "criterion"],
                                    condition=models.Q(indicator__isnull=True),
                                    name="selfassessment_unique_criterion"),
            models.UniqueConstraint(fields=["dossier", "indicator"],
                                    condition=models.Q(indicator__isnull=False),
                                    name="selfassessment_unique_indicator"),
        ]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")

    def __str__(self) -> str:
        return f"{self.dossier}: {self.indicator or self.criterion}"


class Evidence(StoredFile):
    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="evidence",
                                verbose_name=_("dossier"))
    criterion = models.ForeignKey(Criterion, models.PROTECT, related_name="+",
                                  verbose_name=_("criterion"))
    indicator = models.ForeignKey(Indicator, models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("indicator"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                     blank=True, related_name="+", verbose_name=_("withdrawn by"))
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        ordering = ["dossier", "criterion__number", "uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class DossierDocument(StoredFile):
    """The documents submitted with the dossier."""

    class Kind(models.TextChoices):
        SUBMISSION_LETTER = "submission_letter", _("submission letter")
        SELF_ASSESSMENT_REPORT = "self_assessment_report", _("self-assessment report")
        COMMENT_SUMMARY = "comment_summary", _("summary of public comments")
        MEETING_MINUTES = "meeting_minutes", _("meeting minutes")
        DISTRICT_REPORT = "district_report", _("district verification report")
        APPRAISAL_REPORT = "appraisal_report", _("consolidated appraisal report")
        OTHER = "other", _("other")

    REQUIRED_FOR_SUBMISSION = (Kind.SUBMISSION_LETTER, Kind.SELF_ASSESSMENT_REPORT,
                               Kind.COMMENT_SUMMARY, Kind.MEETING_MINUTES)

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="documents",
                                verbose_name=_("dossier"))
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)

    class Meta:
        ordering = ["dossier", "kind", "uploaded_at"]
        verbose_name = _("dossier document")
        verbose_name_plural = _("dossier documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class PublicComment(models.Model):
    """A comment received during the public posting, with the commune's response."""

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="comments",
                                verbose_name=_("dossier"))
    author = models.CharField(_("from"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    received_on = models.DateField(_("received on"))
    content = models.TextField(_("comment"))
    response = models.TextField(_("commune's response"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))

    class Meta:
        ordering = ["dossier", "received_on", "pk"]
        verbose_name = _("public comment")
        verbose_name_plural = _("public comments")

    def __str__(self) -> str:
        return f"{self.author}: {self.content[:40]}"
