"""What the REST API reads and writes. Input serializers only validate shapes; every rule
and right is checked by the services the views call."""

import datetime as dt

from django.core.validators import MaxLengthValidator, MaxValueValidator
from rest_framework import serializers

from dossiers.columns import BIGINT_MAX, INT_MAX, column_length, no_control_characters
from dossiers.models import (
    AgendaItem,
    Batch,
    BatchDeadline,
    CouncilMeeting,
    CriterionAppraisal,
    Decision,
    Dossier,
    DossierDocument,
    Evidence,
    PublicComment,
    SelfAssessment,
)
from dossiers.selectors import waiting_for
from notifications.deadlines import LegalLimit, legal_limit

# Free text of the TextField columns: bounded all the same.
TEXT_MAX = 20000


def _strict(field: serializers.Field) -> None:
    """No control characters in text; integers within what their column can store."""
    if isinstance(field, serializers.ListField):
        _strict(field.child)
    if isinstance(field, serializers.CharField):
        if no_control_characters not in field.validators:
            field.validators.append(no_control_characters)
        if field.max_length is None:
            field.max_length = TEXT_MAX
            field.validators.append(MaxLengthValidator(TEXT_MAX, message=field.error_messages[
                "max_length"].format(max_length=TEXT_MAX)))
    if isinstance(field, serializers.IntegerField) and field.max_value is None:
        field.max_value = INT_MAX
        field.validators.append(MaxValueValidator(INT_MAX, message=field.error_messages[
            "max_value"].format(max_value=INT_MAX)))


class Input(serializers.Serializer):
    """An input: every field strict (``_strict``), so nothing typed reaches the database
    that its column cannot take. Ids are integers within the range of their column."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            _strict(field)
        return fields


def Id(**kwargs):  # noqa: N802 - reads as a field type
    """The id of a row (a BigAutoField)."""
    return serializers.IntegerField(min_value=1, max_value=BIGINT_MAX, **kwargs)


class BatchDeadlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BatchDeadline
        fields = ["step", "due_on"]


class BatchSerializer(serializers.ModelSerializer):
    deadlines = BatchDeadlineSerializer(many=True, read_only=True)

    class Meta:
        model = Batch
        fields = ["id", "province", "recognition_year", "number", "title", "closed", "deadlines"]


class DossierSerializer(serializers.ModelSerializer):
    """``legal_due_on`` and ``legally_late``: the province's legal time limit (null before it
    received the complete dossier); a list passes the limits in its context (``legal``)."""

    commune_name = serializers.CharField(source="commune.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    waiting_for = serializers.SerializerMethodField(
        help_text="Why the dossier is held before submission: the recognition its level builds "
                  "on is missing (a model dossier waits for the advanced decision).")
    legal_due_on = serializers.SerializerMethodField()
    legally_late = serializers.SerializerMethodField()
    days_late = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = ["id", "commune", "commune_name", "level", "criteria_set", "regulation", "batch",
                  "status", "status_display", "round", "registered_at", "submitted_at",
                  "province_received_at", "legal_due_on", "legally_late", "days_late",
                  "posting_started_on", "announced_on", "certificate_number", "waiting_for",
                  "commune_group", "region", "outcome_reason"]
        read_only_fields = fields

    def get_waiting_for(self, dossier: Dossier) -> list[str]:
        return [str(problem) for problem in waiting_for(dossier)]

    def _limit(self, dossier: Dossier) -> LegalLimit | None:
        limits = self.context.get("legal")
        return limits.get(dossier.pk) if limits is not None else legal_limit(dossier)

    def get_legal_due_on(self, dossier: Dossier) -> dt.date | None:
        limit = self._limit(dossier)
        return limit.due_on if limit else None

    def get_legally_late(self, dossier: Dossier) -> bool:
        limit = self._limit(dossier)
        return bool(limit and limit.late)

    def get_days_late(self, dossier: Dossier) -> int:
        limit = self._limit(dossier)
        return limit.days_late if limit else 0


class CommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublicComment
        fields = ["id", "dossier", "author", "organisation", "received_on", "content",
                  "response"]
        read_only_fields = fields


class ConditionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    met = serializers.BooleanField()
    explanation = serializers.CharField()


class SelfAssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = SelfAssessment
        fields = ["id", "criterion", "indicator", "value", "met", "note", "updated_at"]


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "criterion", "indicator", "original_name", "content_type", "size",
                  "sha256", "description", "uploaded_at", "withdrawn_at"]


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = DossierDocument
        fields = ["id", "kind", "original_name", "content_type", "size", "sha256", "uploaded_at"]


class AppraisalSerializer(serializers.ModelSerializer):
    criterion_number = serializers.IntegerField(source="criterion.number", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = CriterionAppraisal
        fields = ["id", "dossier", "round", "criterion", "criterion_number", "indicator", "agency",
                  "agency_name", "status", "remark", "return_reason", "commune_response",
                  "returns", "decided_at"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = CouncilMeeting
        fields = ["id", "council", "batch", "title", "scheduled_for", "status", "members_total",
                  "opened_at", "closed_at"]
        read_only_fields = ["status", "members_total", "opened_at", "closed_at"]


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "meeting", "dossier", "kind", "result", "present_count", "members_total",
                  "votes_for", "votes_against", "remark", "closed_at"]
        read_only_fields = fields


# --- inputs ------------------------------------------------------------------------------
class RegisterInput(Input):
    commune = Id()
    level = serializers.ChoiceField(choices=Dossier._meta.get_field("level").choices)
    batch = Id()


class SelfAssessmentInput(Input):
    criterion = Id()
    indicator = Id(required=False, allow_null=True)
    value = serializers.CharField(required=False, allow_blank=True, default="",
                                  max_length=column_length(SelfAssessment, "value"))
    met = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="Whether a judged line is met; ignored for a measured indicator, whose "
                  "met is computed from the value and the threshold of the dossier's group.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class EvidenceInput(Input):
    criterion = Id()
    indicator = Id(required=False, allow_null=True)
    file = serializers.FileField()
    description = serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=column_length(Evidence, "description"))


class DocumentInput(Input):
    kind = serializers.ChoiceField(choices=DossierDocument.Kind.choices)
    file = serializers.FileField()


class PublishInput(Input):
    posting_starts_on = serializers.DateField(required=False, allow_null=True)


class SurveyResultInput(Input):
    village = Id()
    households = serializers.IntegerField(min_value=0, max_value=INT_MAX)
    surveyed = serializers.IntegerField(min_value=0, max_value=INT_MAX)
    satisfied = serializers.IntegerField(min_value=0, max_value=INT_MAX)
    households_reason = serializers.CharField(required=False, allow_blank=True, default="",
                                              max_length=2000)


class SurveyAppraisalInput(Input):
    process_sound = serializers.BooleanField()
    sample_surveyed = serializers.IntegerField(min_value=0, max_value=INT_MAX, default=0)
    sample_satisfied = serializers.IntegerField(min_value=0, max_value=INT_MAX, default=0)
    remark = serializers.CharField(required=False, allow_blank=True, default="")


class ConfirmationInput(Input):
    kind = serializers.ChoiceField(choices=["debt", "security"])
    holds = serializers.BooleanField()
    remark = serializers.CharField(required=False, allow_blank=True, default="")


class ScheduleInput(Input):
    meeting = Id()
    report = serializers.CharField()


class ReasonInput(Input):
    reason = serializers.CharField()


class DecisionInput(Input):
    number = serializers.CharField(max_length=column_length(Decision, "number"))
    signed_on = serializers.DateField()
    signer_name = serializers.CharField(max_length=column_length(Decision, "signer_name"))
    signer_title = serializers.CharField(max_length=column_length(Decision, "signer_title"))
    file = serializers.FileField()


class AnnounceInput(Input):
    announced_on = serializers.DateField()
    certificate_number = serializers.CharField(
        max_length=column_length(Dossier, "certificate_number"))


class AppraisalInput(Input):
    result = serializers.ChoiceField(choices=["met", "not_met", "returned"])
    remark = serializers.CharField(required=False, allow_blank=True, default="")


class CommentInput(Input):
    author = serializers.CharField(max_length=200)
    organisation = serializers.CharField(required=False, allow_blank=True, default="",
                                         max_length=200)
    received_on = serializers.DateField()
    content = serializers.CharField(max_length=10000)
    response = serializers.CharField(required=False, allow_blank=True, default="",
                                     max_length=10000)


class CommentResponseInput(Input):
    response = serializers.CharField(max_length=10000)


class AnswerInput(Input):
    response = serializers.CharField()


class MeetingInput(Input):
    council = Id()
    title = serializers.CharField(max_length=column_length(CouncilMeeting, "title"))
    scheduled_for = serializers.DateTimeField()
    batch = Id(required=False, allow_null=True)


class OpenMeetingInput(Input):
    present = serializers.ListField(child=Id(), allow_empty=False, max_length=500)


class VoteInput(Input):
    in_favour = serializers.BooleanField()


class CloseVoteInput(Input):
    defer = serializers.BooleanField(default=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DeadlineInput(Input):
    step = serializers.CharField(max_length=column_length(BatchDeadline, "step"))
    due_on = serializers.DateField()
    reason = serializers.CharField()


class DistrictInput(Input):
    report = serializers.CharField()
    votes_for = serializers.IntegerField(min_value=0, max_value=1000)
    members = serializers.IntegerField(min_value=1, max_value=1000)


class StepConfirmationInput(Input):
    holds = serializers.BooleanField()
    remark = serializers.CharField(required=False, allow_blank=True, default="")
