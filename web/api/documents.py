"""The dossier's official documents (PDF) through the API: the same service and rights as
the page (``dossiers.services.documents``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from dossiers.documents import KINDS, available_documents
from dossiers.models import Dossier
from dossiers.services.documents import document_generate

from ..scoping import hide_unless_readable
from ..views.documents import department_of, pdf_response


def _dossier(user: Any, pk: int) -> Dossier:
    dossier = get_object_or_404(Dossier.objects.select_related(
        "commune__province", "batch", "criteria_set", "regulation"), pk=pk)
    hide_unless_readable(user, dossier)
    return dossier


class DocumentRow(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    agency = serializers.IntegerField(allow_null=True, help_text="The department (appraisal "
                                                                 "reports), else null.")
    url = serializers.URLField()


@extend_schema(operation_id="dossiers_generated_documents_list",
               responses=DocumentRow(many=True))
@api_view(["GET"])
def document_list(request: Any, pk: int) -> Response:
    """The documents the dossier's data allows drawing up now, with their addresses."""
    dossier = _dossier(request.user, pk)
    rows = []
    for kind, agency in available_documents(dossier):
        query = f"?agency={agency.pk}" if agency is not None else ""
        rows.append({"kind": kind.key, "label": str(kind.label),
                     "agency": agency.pk if agency is not None else None,
                     "url": request.build_absolute_uri(f"{kind.key}/{query}")})
    return Response(rows)


@extend_schema(operation_id="dossiers_generated_documents_pdf", parameters=[OpenApiParameter(
    "agency", int, description=(
    "The department whose appraisal report to draw up (appraisal_report only)."))],
    responses={(200, "application/pdf"): OpenApiTypes.BINARY})
@api_view(["GET"])
def document_pdf(request: Any, pk: int, kind: str) -> HttpResponse:
    """One document as PDF (its SHA-256 is recorded in the audit trail)."""
    if kind not in KINDS:
        raise Http404
    document = document_generate(actor=request.user, dossier=_dossier(request.user, pk),
                                 kind=kind, agency=department_of(request.query_params.get(
                                     "agency")))
    return pdf_response(document)
