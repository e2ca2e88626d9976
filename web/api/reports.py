"""The reports and the roadmap in the API: the same selectors, rights and services as the
pages. ``export=xlsx`` or ``export=pdf`` returns the report as a file."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.models import Agency, Level, Province, RoadmapTarget
from dossiers.services.roadmap import (
    YEAR_MAX,
    YEAR_MIN,
    roadmap_import,
    roadmap_rows_check,
    roadmap_target_remove,
    roadmap_target_set,
)
from reports.access import dossiers_behind
from reports.selectors import Figure, Report

from ..views.reports import export, report_for
from .serializers import Input

PERIOD_PARAMETERS = [
    OpenApiParameter("province", str, description="province code, or 'all'"),
    OpenApiParameter("kind", str, enum=["month", "quarter", "half", "year", "range"]),
    OpenApiParameter("year", int), OpenApiParameter("number", int),
    OpenApiParameter("start", str, description="dd/mm/yyyy or yyyy-mm-dd"),
    OpenApiParameter("end", str, description="dd/mm/yyyy or yyyy-mm-dd"),
]


def _figure(f: Figure) -> dict[str, Any]:
    value = f.value if f.value is None or isinstance(f.value, int) else str(f.value)
    return {"key": f.key, "group": str(f.group), "label": str(f.label), "value": value,
            "note": str(f.note), "dossier_count": len(f.dossiers)}


def _report(report: Report, title: str) -> dict[str, Any]:
    period = report.period
    return {
        "title": title,
        "period": {"kind": period.kind, "start": period.start, "end": period.end,
                   "title": period.title},
        "provinces": [p.code for p in report.provinces],
        "sections": [{"name": name, "title": str(section_title),
                      "figures": [_figure(f) for f in figures]}
                     for name, section_title, figures in report.sections],
        "by_province": [{
            "province": row.province.code, "name": row.province.name, "communes": row.communes,
            "holding": row.holding, "recognised_in_period": row.recognised_in_period,
            "share_ntm": None if row.share_ntm is None else str(row.share_ntm),
            "average_criteria_met": None if row.average is None else str(row.average),
            "under_15_criteria": row.under15} for row in report.by_province],
    }


def _built(request: Any) -> tuple[Report, str]:
    _form, report, title, problems = report_for(request.user, request.query_params)
    if report is None:
        raise RuleViolation(problems)
    return report, title


class ReportView(APIView):
    """The periodic report of a province (or every province, for the central office)."""

    @extend_schema(parameters=[*PERIOD_PARAMETERS,
                               OpenApiParameter("export", str, enum=["xlsx", "pdf"])],
                   responses=None)
    def get(self, request: Any) -> Any:
        report, title = _built(request)
        fmt = request.query_params.get("export", "")
        if fmt in ("xlsx", "pdf"):
            return export(report, title, fmt)
        if fmt:
            raise RuleViolation(_("Export: xlsx or pdf."))
        return Response(_report(report, title))


class FigureView(APIView):
    """One figure and the dossiers behind it that the caller may open."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=None)
    def get(self, request: Any, key: str) -> Response:
        report, _title = _built(request)
        figure = report.figure(key) if len(key) <= 120 else None
        if figure is None:
            raise Http404
        dossiers = dossiers_behind(request.user, figure.dossiers)
        return Response({**_figure(figure), "dossiers": [
            {"id": d.pk, "commune": d.commune.name, "commune_code": d.commune.code,
             "level": d.level, "status": d.status} for d in dossiers]})


class TargetSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code")
    commune = serializers.CharField(source="commune.code")
    commune_name = serializers.CharField(source="commune.name")

    class Meta:
        model = RoadmapTarget
        fields = ["id", "province", "commune", "commune_name", "level", "year", "note"]


class TargetInput(Input):
    province = serializers.CharField(max_length=8)
    commune = serializers.CharField(max_length=8, help_text="the commune's official code")
    level = serializers.ChoiceField(choices=Level.choices)
    year = serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RowInput(Input):
    commune = serializers.CharField(max_length=300, allow_blank=True)
    level = serializers.CharField(max_length=300, allow_blank=True)
    year = serializers.CharField(max_length=300, allow_blank=True)
    note = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class ImportInput(Input):
    province = serializers.CharField(max_length=8)
    rows = serializers.ListField(child=RowInput(), max_length=5000)
    dry_run = serializers.BooleanField(default=False)


class RemoveInput(Input):
    reason = serializers.CharField(max_length=500)


def _valid(serializer_class: type, request: Any) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _office_province(user: Any, code: str) -> Province:
    province = Province.objects.filter(code=code, agencies__kind=Agency.Kind.COORDINATION_OFFICE,
                                       agencies__memberships__user=user).first()
    if province is None and not user.is_superuser:
        raise NotAllowed(_("Only the coordination office keeps the roadmap."))
    return province or get_object_or_404(Province, code=code)


class RoadmapTargetViewSet(viewsets.GenericViewSet):
    """A province's roadmap targets (the coordination office of that province)."""

    serializer_class = TargetSerializer
    pagination_class = None  # the list is answered whole

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return RoadmapTarget.objects.none()
        user = self.request.user
        provinces = Agency.objects.filter(memberships__user=user, active=True,
                                          kind=Agency.Kind.COORDINATION_OFFICE).values("province")
        return RoadmapTarget.objects.filter(province__in=provinces).select_related(
            "province", "commune").order_by("year", "level", "commune__name")

    def list(self, request: Any) -> Response:
        return Response(TargetSerializer(self.get_queryset(), many=True).data)

    @extend_schema(request=TargetInput, responses=TargetSerializer)
    def create(self, request: Any) -> Response:
        data = _valid(TargetInput, request)
        province = _office_province(request.user, data["province"])
        commune = province.communes.filter(code=data["commune"]).first()
        if commune is None:
            raise RuleViolation(_("No commune “%(name)s” in %(province)s.")
                                % {"name": data["commune"], "province": province})
        target = roadmap_target_set(actor=request.user, province=province, commune=commune,
                                    level=data["level"], year=data["year"], note=data["note"])
        return Response(TargetSerializer(target).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RemoveInput, responses=None)
    @action(detail=True, methods=["post"])
    def remove(self, request: Any, pk: str) -> Response:
        target = self.get_object()
        roadmap_target_remove(actor=request.user, target=target,
                              reason=_valid(RemoveInput, request)["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ImportInput, responses=None)
    @action(detail=False, methods=["post"], url_path="import")
    def import_rows(self, request: Any) -> Response:
        """Whole or nothing: with ``dry_run`` each row's problems; otherwise the import,
        refused with every bad row listed unless all are valid."""
        data = _valid(ImportInput, request)
        province = _office_province(request.user, data["province"])
        rows = [dict(r) for r in data["rows"]]
        if data["dry_run"]:
            checks = roadmap_rows_check(province=province, rows=rows)
            return Response({"valid": not any(c.problems for c in checks), "rows": [
                {"row": c.number, "problems": [str(p) for p in c.problems]} for c in checks]})
        targets = roadmap_import(actor=request.user, province=province, rows=rows)
        return Response(TargetSerializer(targets, many=True).data,
                        status=status.HTTP_201_CREATED)


__all__ = ["FigureView", "ReportView", "RoadmapTargetViewSet"]
