"""API of the bulk imports: upload a sheet → the preview as JSON (every row with its problems)
→ apply with the preview token; or one request with ``dry_run=false``. Bulk registration takes
its rows as JSON (one request, many communes, whole or nothing)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from dossiers.imports.engine import (
    KINDS,
    Scope,
    import_apply,
    import_rows,
    import_sheet,
    template_bytes,
)
from dossiers.imports.sheets import XLSX_CONTENT_TYPE
from dossiers.models import Batch, CriteriaSet
from workflow import services  # noqa: F401 - the registration import registers its kind

from ..views.imports import provinces_for
from .schema import REFUSAL
from .serializers import Id, Input

KIND_NAMES = ["registrations", "members", "mapping", "recognitions"]


class ScopeInput(Input):
    province = Id(help_text="The province (the caller's coordination office's, or any for "
                            "an administrator).")
    batch = Id(required=False, help_text="registrations: the batch the dossiers go into.")
    criteria_set = Id(required=False, help_text="mapping: the criteria set of the mapping.")


class UploadInput(ScopeInput):
    file = serializers.FileField(help_text="The filled template (.xlsx).")
    dry_run = serializers.BooleanField(
        default=True, help_text="true (default): check and preview only; false: apply at once "
                                "when every row passes.")


class ApplyInput(Input):
    preview_token = serializers.CharField(max_length=4000)


class RegistrationRow(Input):
    commune = serializers.CharField(max_length=8, help_text="The commune's official code.")
    level = serializers.CharField(max_length=80, help_text="NTM, NTM_NANG_CAO, NTM_KIEU_MAU "
                                                           "or NTM_HIEN_DAI (or its label).")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    as_of = serializers.DateField(required=False, allow_null=True,
                                  help_text="A historic dossier: the rules of this day.")


class BulkRegistrationInput(Input):
    batch = Id()
    rows = RegistrationRow(many=True)
    dry_run = serializers.BooleanField(default=False)


class RowOutput(serializers.Serializer):
    line = serializers.IntegerField()
    values = serializers.DictField(child=serializers.CharField())
    problems = serializers.ListField(child=serializers.CharField())
    outcome = serializers.CharField()


class ImportOutput(serializers.Serializer):
    kind = serializers.CharField()
    file_name = serializers.CharField()
    sha256 = serializers.CharField()
    valid = serializers.BooleanField()
    applied = serializers.BooleanField()
    preview_token = serializers.CharField(help_text="Set after a valid preview: apply with it "
                                                    "within an hour.")
    rows = RowOutput(many=True)


# Rows with problems are an ImportOutput; an input refused before any row is read is the
# usual refusal (messages per field, or {detail, problems}): one schema covers both.
ROWS_REFUSED = OpenApiResponse(REFUSAL, description="Rows with problems (an ImportOutput with "
                                                    "the rows' messages; nothing written), "
                                                    "or the refused input.")
REFUSED = OpenApiResponse(description="A refused file (not XLSX, macros, too large, empty, "
                                      "wrong headings) or scope: {detail, problems}.")
FORBIDDEN = OpenApiResponse(description="The caller does not administer this province.")
UNKNOWN = OpenApiResponse(description="No such kind, province, batch or criteria set "
                                      "(or not the caller's).")


def _scope(user: Any, data: dict[str, Any]) -> Scope:
    """The scope from ids; a province the caller does not administer is not found (404)."""
    province = get_object_or_404(provinces_for(user), pk=data["province"])
    batch = get_object_or_404(Batch, pk=data["batch"], province=province) \
        if data.get("batch") else None
    criteria_set = get_object_or_404(CriteriaSet, pk=data["criteria_set"]) \
        if data.get("criteria_set") else None
    return Scope(province=province, batch=batch, criteria_set=criteria_set)


def _kind(kind: str) -> str:
    if kind not in KINDS:
        from django.http import Http404

        raise Http404(kind)
    return kind


def _answer(result: Any) -> Response:
    code = status.HTTP_200_OK if result.valid else status.HTTP_400_BAD_REQUEST
    if result.applied:
        code = status.HTTP_201_CREATED
    return Response(ImportOutput(result.as_dict()).data, status=code)


class ImportUpload(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="imports_upload",
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=KIND_NAMES)],
        request={"multipart/form-data": UploadInput},
        responses={200: ImportOutput, 201: ImportOutput,
                   400: ROWS_REFUSED,
                   403: FORBIDDEN, 404: UNKNOWN})
    def post(self, request: Any, kind: str) -> Response:
        """Check a sheet row by row (every check its service makes); 200 with a preview token
        when every row passes, 400 with each row's problems otherwise. ``dry_run=false``
        applies a valid sheet at once (201)."""
        serializer = UploadInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data["file"]
        result = import_sheet(actor=request.user, kind=_kind(kind),
                              scope=_scope(request.user, data), upload=upload,
                              name=upload.name, dry_run=data["dry_run"])
        return _answer(result)


class ImportApply(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(operation_id="imports_apply", request=ApplyInput,
                   responses={201: ImportOutput, 400: ROWS_REFUSED,
                              403: OpenApiResponse(description="Another person's preview.")})
    def post(self, request: Any) -> Response:
        """Apply a previewed sheet in one transaction (every row checked again)."""
        serializer = ApplyInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _answer(import_apply(actor=request.user,
                                    token=serializer.validated_data["preview_token"]))


class ImportTemplate(APIView):
    @extend_schema(
        operation_id="imports_template",
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=KIND_NAMES),
                    OpenApiParameter("province", int, required=True),
                    OpenApiParameter("batch", int), OpenApiParameter("criteria_set", int),
                    OpenApiParameter("data", bool, description="true: the export (the "
                                                               "template filled).")],
        responses={(200, XLSX_CONTENT_TYPE): OpenApiResponse(description="The workbook."),
                   400: REFUSED, 403: FORBIDDEN, 404: UNKNOWN})
    def get(self, request: Any, kind: str) -> HttpResponse:
        """The template of a kind of import (headings, drop-down lists, a guide with an
        example row), or with ``data=true`` what is recorded (the export)."""
        serializer = ScopeInput(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        content = template_bytes(actor=request.user, kind=_kind(kind),
                                 scope=_scope(request.user, serializer.validated_data),
                                 with_data=request.query_params.get("data") == "true")
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{kind}.xlsx"'
        return response


class BulkRegistration(APIView):
    parser_classes = [JSONParser]

    @extend_schema(operation_id="dossiers_bulk_register", request=BulkRegistrationInput,
                   responses={201: ImportOutput, 200: ImportOutput,
                              400: ROWS_REFUSED,
                              403: FORBIDDEN, 404: UNKNOWN})
    def post(self, request: Any) -> Response:
        """Register many communes into a batch in one request, whole or nothing: each row
        gets every check a registration makes; ``dry_run=true`` only checks."""
        serializer = BulkRegistrationInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        batch = get_object_or_404(Batch.objects.filter(province__in=provinces_for(
            request.user)), pk=data["batch"])
        rows = [{"commune": r["commune"], "level": r["level"], "year": r["year"],
                 "as_of": r.get("as_of"), "commune_name": ""} for r in data["rows"]]
        result = import_rows(actor=request.user, kind="registrations",
                             scope=Scope(province=batch.province, batch=batch), rows=rows,
                             dry_run=data["dry_run"])
        return _answer(result)
