"""The recognition dossier (hồ sơ xét, công nhận) and its legal status."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, transition

from .batches import Batch
from .criteria import CriteriaSet, Level
from .geography import Commune, Region
from .regulation import RegulationProfile


class DossierStatus(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("self-assessment")
    PUBLIC_POSTING = "public_posting", _("public posting for comments")
    SURVEY = "survey", _("satisfaction survey")
    READY_TO_SUBMIT = "ready_to_submit", _("ready to submit")
    DISTRICT_VERIFICATION = "district_verification", _("district verification")
    APPRAISAL = "appraisal", _("appraisal by the province")
    CONSOLIDATION = "consolidation", _("consolidation")
    COUNCIL = "council", _("before the council")
    AWAITING_DECISION = "awaiting_decision", _("awaiting the decision")
    RECOGNISED = "recognised", _("recognised")
    ANNOUNCED = "announced", _("recognised and announced")
    NOT_RECOGNISED = "not_recognised", _("not recognised")
    REVOKED = "revoked", _("recognition revoked")
    CLOSED_BY_MERGER = "closed_by_merger", _("closed: the commune was merged")


S = DossierStatus


def _after_submission(dossier: "Dossier") -> str:
    return S.DISTRICT_VERIFICATION if dossier.regulation.district_verification else S.APPRAISAL


class Dossier(ConcurrentTransitionMixin, models.Model):
    """One commune, one target level, one batch.

    ``status`` is the single source of truth for where the dossier stands. It only changes
    through the transitions below, and those are applied only by
    ``dossiers.transitions.transition_apply`` (which audits them): the steps of
    ``dossiers.steps`` evaluate their checks once, in ``workflow.kernel``, before it.
    """

    commune = models.ForeignKey(Commune, models.PROTECT, related_name="dossiers",
                                verbose_name=_("commune"))
    level = models.CharField(_("target level"), max_length=16, choices=Level.choices)
    criteria_set = models.ForeignKey(CriteriaSet, models.PROTECT, related_name="dossiers",
                                     verbose_name=_("criteria set"))
    regulation = models.ForeignKey(RegulationProfile, models.PROTECT, related_name="dossiers",
                                   verbose_name=_("regulation profile"))
    batch = models.ForeignKey(Batch, models.PROTECT, related_name="dossiers",
                              verbose_name=_("batch"))
    status = FSMField(_("status"), max_length=32, choices=DossierStatus.choices,
                      default=S.SELF_ASSESSMENT, protected=True)
    commune_group = models.PositiveSmallIntegerField(
        _("commune group"), choices=Commune.Group.choices, null=True, blank=True,
        help_text=_("The commune's group (2026-2030 set), fixed at registration: its "
                    "thresholds apply to this dossier."))
    region = models.CharField(
        _("region"), max_length=40, choices=Region.choices, blank=True,
        help_text=_("The commune's region (2021-2025 set), fixed at registration: its "
                    "thresholds apply to this dossier."))
    round = models.PositiveSmallIntegerField(
        _("round"), default=1,
        help_text=_("Increases when the council defers the dossier back to the commune."))
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT,
                                      related_name="+", verbose_name=_("registered by"))
    posting_started_on = models.DateField(_("public posting started on"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    province_received_at = models.DateTimeField(
        _("received complete by the province at"), null=True, blank=True,
        help_text=_("The province's legal time limit runs from this day: the submission, or "
                    "in the older variant the district's verification."))
    consolidation_report = models.TextField(_("consolidated appraisal report"), blank=True)
    outcome_reason = models.TextField(_("reason of the outcome"), blank=True)
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)

    class Meta:
        ordering = ["batch", "commune__name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "level", "batch"],
                                    name="dossier_unique_per_batch"),
        ]
        permissions = [
            ("edit_self_assessment", _("Can edit the self-assessment and answer returns")),
            ("log_survey", _("Can log the satisfaction survey")),
            ("appraise_survey", _("Can appraise the satisfaction survey")),
            ("verify_district", _("Can record the district verification")),
            ("confirm_debt", _("Can confirm capital-construction debt")),
            ("confirm_security", _("Can confirm the security condition")),
            ("coordinate_dossier", _("Can consolidate and schedule the dossier")),
            ("record_decision", _("Can record the recognition decision")),
            ("audit_dossier", _("Can read the dossier's audit trail")),
        ]
        verbose_name = _("recognition dossier")
        verbose_name_plural = _("recognition dossiers")

    def __str__(self) -> str:
        return f"{self.commune} – {self.get_level_display()} – {self.batch}"

    @property
    def province(self):
        return self.commune.province

    # Fields every transition's audit event shows before and after.
    audit_fields = ("status", "round")

    # --- transitions: each is applied by one row of ``dossiers.steps`` (or, for the automatic
    # close of the appraisal and the council's outcome, by the flow) --------------------------
    @transition(status, source=S.SELF_ASSESSMENT, target=S.PUBLIC_POSTING)
    def publish_for_comments(self) -> None:
        """Tự đánh giá xong: post the result publicly for comments."""

    @transition(status, source=S.PUBLIC_POSTING, target=S.SURVEY)
    def close_posting(self) -> None:
        """The posting period is over; comments are recorded with responses."""

    @transition(status, source=S.SURVEY, target=S.READY_TO_SUBMIT)
    def finish_survey(self) -> None:
        """The commune Front has logged the survey of every village."""

    @transition(status, source=S.READY_TO_SUBMIT,
                target=GET_STATE(_after_submission, states=[S.DISTRICT_VERIFICATION, S.APPRAISAL]))
    def submit(self) -> None:
        """The commune submits the dossier to the province (or the district, older variant)."""

    @transition(status, source=S.DISTRICT_VERIFICATION, target=S.APPRAISAL)
    def verify_by_district(self) -> None:
        """Thẩm tra: the district verified and proposes the commune (older variant)."""

    @transition(status, source=S.APPRAISAL, target=S.CONSOLIDATION)
    def close_appraisal(self) -> None:
        """Every parallel appraisal and confirmation is in."""

    @transition(status, source=S.CONSOLIDATION, target=S.COUNCIL)
    def schedule_for_council(self) -> None:
        """The four legal conditions hold: the dossier goes on a council agenda."""

    @transition(status, source=S.CONSOLIDATION, target=S.NOT_RECOGNISED)
    def refuse(self) -> None:
        """The coordination office concludes the dossier cannot be recognised."""

    @transition(status, source=S.COUNCIL, target=S.CONSOLIDATION)
    def unschedule(self) -> None:
        """The council had no quorum: the dossier waits for another meeting."""

    @transition(status, source=S.COUNCIL, target=S.AWAITING_DECISION)
    def council_approve(self) -> None:
        """Quorum present and enough votes for."""

    @transition(status, source=S.COUNCIL, target=S.NOT_RECOGNISED)
    def council_reject(self) -> None:
        """Quorum present and votes for under the approval threshold."""

    @transition(status, source=S.COUNCIL, target=S.SELF_ASSESSMENT)
    def defer(self) -> None:
        """The council sends the dossier back to the commune: a new round starts."""
        self.round += 1
        self.posting_started_on = None
        self.submitted_at = None
        self.province_received_at = None

    @transition(status, source=S.AWAITING_DECISION, target=S.RECOGNISED)
    def recognise(self) -> None:
        """The chairman signed the recognition decision."""

    @transition(status, source=S.AWAITING_DECISION, target=S.NOT_RECOGNISED)
    def decline(self) -> None:
        """The chairman declines to sign."""

    @transition(status, source=S.RECOGNISED, target=S.ANNOUNCED)
    def announce(self) -> None:
        """Công bố: public announcement and certificate."""

    @transition(status, source=[S.SELF_ASSESSMENT, S.PUBLIC_POSTING, S.SURVEY,
                                S.READY_TO_SUBMIT, S.DISTRICT_VERIFICATION, S.APPRAISAL,
                                S.CONSOLIDATION, S.COUNCIL, S.AWAITING_DECISION],
                target=S.CLOSED_BY_MERGER)
    def close_by_merger(self) -> None:
        """The commune merged into a new one before a decision: the dossier ends unjudged."""

    @transition(status, source=[S.RECOGNISED, S.ANNOUNCED], target=S.REVOKED)
    def revoke(self) -> None:
        """Thu hồi: the recognition no longer holds and the chairman signed its revocation."""
