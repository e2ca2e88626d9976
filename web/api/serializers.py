"""What the REST API reads and writes. Input serializers only validate shapes; every rule
and right is checked by the services the views call."""

import datetime as dt

from rest_framework import serializers

from dossiers.models import (
    AgendaItem,
    Batch,
    BatchDeadline,
    CouncilMeeting,
    CriterionAppraisal,
    Dossier,
    DossierDocument,
    Evidence,
    PublicComment,
    SelfAssessment,
)
from dossiers.selectors import waiting_for
from notifications.deadlines import LegalLimit, legal_limit


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
                  "posting_started_on", "announced_on", "certificate_number", "waiting_for"]
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
class RegisterInput(serializers.Serializer):
    commune = serializers.IntegerField()
    level = serializers.ChoiceField(choices=Dossier._meta.get_field("level").choices)
    batch = serializers.IntegerField()


class SelfAssessmentInput(serializers.Serializer):
    criterion = serializers.IntegerField()
    indicator = serializers.IntegerField(required=False, allow_null=True)
    value = serializers.CharField(required=False, allow_blank=True, default="")
    met = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class EvidenceInput(serializers.Serializer):
    criterion = serializers.IntegerField()
    indicator = serializers.IntegerField(required=False, allow_null=True)
    file = serializers.FileField()
    description = serializers.CharField(required=False, allow_blank=True, default="")


class DocumentInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DossierDocument.Kind.choices)
    file = serializers.FileField()


class PublishInput(serializers.Serializer):
    posting_starts_on = serializers.DateField(required=False, allow_null=True)


class SurveyResultInput(serializers.Serializer):
    village = serializers.IntegerField()
    households = serializers.IntegerField(min_value=0)
    surveyed = serializers.IntegerField(min_value=0)
    satisfied = serializers.IntegerField(min_value=0)
    households_reason = serializers.CharField(required=False, allow_blank=True, default="",
                                              max_length=2000)


class SurveyAppraisalInput(serializers.Serializer):
    process_sound = serializers.BooleanField()
    sample_surveyed = serializers.IntegerField(min_value=0, default=0)
    sample_satisfied = serializers.IntegerField(min_value=0, default=0)
    remark = serializers.CharField(required=False, allow_blank=True, default="")


class ConfirmationInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["debt", "security"])
    holds = serializers.BooleanField()
    remark = serializers.CharField(required=False, allow_blank=True, default="")


class ScheduleInput(serializers.Serializer):
    meeting = serializers.IntegerField()
    report = serializers.CharField()


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField()


class DecisionInput(serializers.Serializer):
    number = serializers.CharField()
    signed_on = serializers.DateField()
    signer_name = serializers.CharField()
    signer_title = serializers.CharField()
    file = serializers.FileField()


class AnnounceInput(serializers.Serializer):
    announced_on = serializers.DateField()
    certificate_number = serializers.CharField()


class AppraisalInput(serializers.Serializer):
    result = serializers.ChoiceField(choices=["met", "not_met", "returned"])
    remark = serializers.CharField(required=False, allow_blank=True, default="")


class CommentInput(serializers.Serializer):
    author = serializers.CharField(max_length=200)
    organisation = serializers.CharField(required=False, allow_blank=True, default="",
                                         max_length=200)
    received_on = serializers.DateField()
    content = serializers.CharField(max_length=10000)
    response = serializers.CharField(required=False, allow_blank=True, default="",
                                     max_length=10000)


class CommentResponseInput(serializers.Serializer):
    response = serializers.CharField(max_length=10000)


class AnswerInput(serializers.Serializer):
    response = serializers.CharField()


class MeetingInput(serializers.Serializer):
    council = serializers.IntegerField()
    title = serializers.CharField()
    scheduled_for = serializers.DateTimeField()
    batch = serializers.IntegerField(required=False, allow_null=True)


class OpenMeetingInput(serializers.Serializer):
    present = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class VoteInput(serializers.Serializer):
    in_favour = serializers.BooleanField()


class CloseVoteInput(serializers.Serializer):
    defer = serializers.BooleanField(default=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DeadlineInput(serializers.Serializer):
    step = serializers.CharField()
    due_on = serializers.DateField()
    reason = serializers.CharField()


class DistrictInput(serializers.Serializer):
    report = serializers.CharField()
    votes_for = serializers.IntegerField(min_value=0)
    members = serializers.IntegerField(min_value=1)


class StepConfirmationInput(serializers.Serializer):
    holds = serializers.BooleanField()
    remark = serializers.CharField(required=False, allow_blank=True, default="")
