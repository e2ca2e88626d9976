"""Hội đồng thẩm định / xét công nhận: meetings, agenda and votes (bỏ phiếu)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from .agencies import Agency
from .batches import Batch
from .dossier import Dossier


class CouncilMeeting(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_SESSION = "in_session", _("in session")
        CLOSED = "closed", _("closed")

    council = models.ForeignKey(Agency, models.PROTECT, related_name="meetings",
                                verbose_name=_("council"))
    batch = models.ForeignKey(Batch, models.PROTECT, null=True, blank=True,
                              related_name="meetings", verbose_name=_("batch"))
    title = models.CharField(_("title"), max_length=200)
    scheduled_for = models.DateTimeField(_("scheduled for"))
    status = FSMField(_("status"), max_length=16, choices=Status.choices,
                      default=Status.PLANNED, protected=True)
    members_total = models.PositiveSmallIntegerField(
        _("council members"), null=True, blank=True,
        help_text=_("Taken from the council's membership when the meeting opens."))
    present = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                     verbose_name=_("members present"))
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_for"]
        permissions = [
            ("vote_in_meeting", _("Can vote in the meeting")),
            ("manage_meeting", _("Can manage the meeting")),
        ]
        verbose_name = _("council meeting")
        verbose_name_plural = _("council meetings")

    def __str__(self) -> str:
        return self.title

    @property
    def province(self):
        return self.council.province

    audit_fields = ("status",)

    @transition(status, source=Status.PLANNED, target=Status.IN_SESSION)
    def open(self) -> None:
        """Attendance recorded; voting may start."""

    @transition(status, source=Status.IN_SESSION, target=Status.CLOSED)
    def close(self) -> None:
        """Every agenda item is closed."""


class AgendaItem(FSMModelMixin, models.Model):
    class Kind(models.TextChoices):
        RECOGNITION = "recognition", _("recognition")
        REVOCATION = "revocation", _("revocation")

    class Result(models.TextChoices):
        OPEN = "open", _("voting open")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        DEFERRED = "deferred", _("deferred to the commune")
        NO_QUORUM = "no_quorum", _("no quorum")

    meeting = models.ForeignKey(CouncilMeeting, models.PROTECT, related_name="agenda",
                                verbose_name=_("meeting"))
    dossier = models.ForeignKey(Dossier, models.PROTECT, related_name="agenda_items",
                                verbose_name=_("dossier"))
    revocation = models.ForeignKey("dossiers.Revocation", models.PROTECT, null=True, blank=True,
                                   related_name="agenda_items", verbose_name=_("revocation"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices,
                            default=Kind.RECOGNITION)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    result = FSMField(_("result"), max_length=16, choices=Result.choices, default=Result.OPEN,
                      protected=True)
    present_count = models.PositiveSmallIntegerField(_("members present"), null=True, blank=True)
    members_total = models.PositiveSmallIntegerField(_("council members"), null=True, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    remark = models.TextField(_("remark"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return f"{self.meeting}: {self.dossier}"

    audit_fields = ("result",)

    @transition(result, source=Result.OPEN, target=Result.APPROVED)
    def approve(self) -> None:
        pass

    @transition(result, source=Result.OPEN, target=Result.REJECTED)
    def reject(self) -> None:
        pass

    @transition(result, source=Result.OPEN, target=Result.DEFERRED)
    def defer(self) -> None:
        pass

    @transition(result, source=Result.OPEN, target=Result.NO_QUORUM)
    def lack_quorum(self) -> None:
        pass


class Vote(models.Model):
    """One member's vote on one agenda item: a member votes once per dossier per meeting."""

    item = models.ForeignKey(AgendaItem, models.PROTECT, related_name="votes",
                             verbose_name=_("agenda item"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                               verbose_name=_("member"))
    in_favour = models.BooleanField(_("in favour"))
    cast_at = models.DateTimeField(_("cast at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="vote_once_per_item"),
        ]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")

    def __str__(self) -> str:
        return f"{self.member}: {'+' if self.in_favour else '-'}"
