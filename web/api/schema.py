"""The API's schema documents every answer the API gives (issue 12 item 8).

Besides an operation's own answer, any operation may answer:
- 400 when its input (body, query) or the action is refused: the fields' messages, or a
  rule's refusal (``detail`` and ``problems``), see ``web.api.views.exception_handler``;
- 403 to a caller who is not signed in or may not do what is asked (the services' refusals);
- 404 when the object of its path, or one its input names, is absent or not the caller's
  to see (the same answer for both, so that nobody learns what another province holds),
  or when a list has no such page;
- 429 when the caller sent too many requests (throttling).
The schema class below adds those to every operation, so a new endpoint has them too.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Why a request was not served."""

    detail = serializers.CharField()


# Field messages (``{"field": ["message"]}``, nested for lists) or a rule's refusal.
REFUSAL = {
    "type": "object",
    "description": "The refused input: a list of messages per field (nested for items of "
                   "lists), or a rule's refusal with ``detail`` and ``problems``.",
    "properties": {
        "detail": {"type": "string"},
        "problems": {"type": "array", "items": {"type": "string"}},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": True,
}

ERRORS = {
    "400": OpenApiResponse(REFUSAL, description="The input was refused; nothing changed."),
    "403": OpenApiResponse(ErrorSerializer, description="Not signed in, or not allowed."),
    "404": OpenApiResponse(ErrorSerializer,
                           description="No such object among those the caller may see."),
    "429": OpenApiResponse(ErrorSerializer, description="Too many requests: wait and retry."),
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema with the answers every operation may give (above)."""

    def get_operation(self, *args, **kwargs) -> dict | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        where = {parameter["in"] for parameter in operation.get("parameters", [])}
        codes = ["403", "429"]
        if self.method != "GET" or "query" in where:
            codes.append("400")
        if where or "requestBody" in operation:
            codes.append("404")
        responses = operation["responses"]
        for code in sorted(codes):
            if code not in responses:
                responses[code] = self._get_response_for_code(ERRORS[code], code)
        return operation


# --- the answers the views build by hand, documented -------------------------------------
class AuditEventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    agency = serializers.CharField()
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    object = serializers.CharField()
    dossier = serializers.IntegerField(allow_null=True)
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    hash = serializers.CharField()


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    queue = serializers.ChoiceField(choices=["mine", "queue"])
    step = serializers.CharField()
    title = serializers.CharField()
    dossier = serializers.IntegerField()
    agency = serializers.IntegerField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()


class SurveySummarySerializer(serializers.Serializer):
    """The dossier's survey after a village's figures were recorded: totals and rates (as
    percentages in the caller's language) against the province's thresholds."""

    households = serializers.IntegerField()
    surveyed = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    coverage = serializers.CharField()
    rate = serializers.CharField()
    coverage_ok = serializers.BooleanField()
    rate_ok = serializers.BooleanField()
    coverage_min = serializers.CharField()
    rate_min = serializers.CharField()


class VoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    in_favour = serializers.BooleanField()
