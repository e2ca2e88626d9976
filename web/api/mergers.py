"""API of mergers: the coordination office (or an administrator) records a merger and reads,
for each level, whether the new commune inherits it and why."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from dossiers.models import Commune, Merger, MergerOutcome
from workflow.services import merger_record

from ..views.mergers import provinces_of
from .serializers import Id, Input
from .views import CallerScoped, _input


class MergerOutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = MergerOutcome
        fields = ["level", "inherited", "reason"]


class MergerSerializer(serializers.ModelSerializer):
    outcomes = MergerOutcomeSerializer(many=True, read_only=True)

    class Meta:
        model = Merger
        fields = ["id", "province", "new_commune", "predecessors", "legal_act", "effective_on",
                  "recorded_at", "outcomes"]
        read_only_fields = fields


class MergerInput(Input):
    new_commune = Id()
    predecessors = serializers.ListField(child=Id(), min_length=2, max_length=50)
    legal_act = serializers.CharField(max_length=200)
    effective_on = serializers.DateField()


class MergerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CallerScoped):
    """Mergers of the caller's provinces (coordination office) or of all (administrator)."""

    serializer_class = MergerSerializer
    model = Merger

    def scoped(self, user: Any) -> Any:
        return (Merger.objects.filter(province__in=provinces_of(user))
                .prefetch_related("predecessors", "outcomes").order_by("pk"))

    @extend_schema(request=MergerInput, responses={201: MergerSerializer})
    def create(self, request: Any) -> Response:
        data = _input(MergerInput, request)
        new_commune = get_object_or_404(Commune, pk=data["new_commune"])
        predecessors = list(Commune.objects.filter(pk__in=data["predecessors"]))
        if len(predecessors) != len(set(data["predecessors"])):
            raise serializers.ValidationError({"predecessors": [_("Unknown commune.")]})
        merger = merger_record(actor=request.user, new_commune=new_commune,
                               predecessors=predecessors, legal_act=data["legal_act"],
                               effective_on=data["effective_on"])
        return Response(MergerSerializer(Merger.objects.get(pk=merger.pk)).data,
                        status=status.HTTP_201_CREATED)
