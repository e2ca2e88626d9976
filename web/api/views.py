"""The REST API: the same services and the same object permissions as the pages."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler
from viewflow.workflow.models import Task

from audit.models import AuditEvent
from dossiers import selectors
from dossiers.audit_review import audit_events_for, dossier_story
from dossiers.columns import BIGINT_MAX
from dossiers.conditions import legal_conditions
from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.models import (
    Agency,
    AgendaItem,
    Batch,
    Commune,
    CouncilMeeting,
    Criterion,
    CriterionAppraisal,
    Dossier,
    Indicator,
    Village,
)
from dossiers.services import assessment
from dossiers.services.council import meeting_close, meeting_create, meeting_open
from dossiers.services.setup import batch_deadline_set
from dossiers.steps import STEPS, StepRow
from notifications.deadlines import legal_limits, open_task_deadlines
from workflow import services as steps
from workflow.kernel import SERVICES
from workflow.selectors import TaskFilter, open_tasks_head

from ..scoping import in_own_provinces
from . import schema as documented
from . import serializers as s

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Refusals come back as JSON a person can act on, never as a 500."""
    if isinstance(exc, RuleViolation):
        return Response({"detail": str(exc), "problems": [str(p) for p in exc.problems]},
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotAllowed):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": "; ".join(exc.messages), "problems": exc.messages},
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ObjectDoesNotExist):
        return Response({"detail": str(exc) or "Not found."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DataError):
        # The last net: the inputs and the services check every column first.
        logger.exception("value refused by the database")
        message = _("A value does not fit what can be stored: check lengths and numbers.")
        return Response({"detail": message, "problems": [message]},
                        status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def _input(serializer_class: type, request: Any) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CallerScoped(viewsets.GenericViewSet):
    """A read viewset whose rows depend on the caller: ``scoped(user)`` gives them; the schema
    generator, which has no caller, gets an empty queryset of ``model``."""

    model: type

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.scoped(self.request.user)

    def scoped(self, user: Any) -> Any:
        raise NotImplementedError


class DossierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CallerScoped):
    """Dossiers the caller may see; each action is one step of the process."""

    serializer_class = s.DossierSerializer
    filterset_fields = ["status", "batch", "commune", "level"]

    model = Dossier

    def scoped(self, user: Any) -> Any:
        return selectors.visible_dossiers(user).select_related(
            "regulation").order_by("pk")

    def _dossier(self) -> Dossier:
        return self.get_object()

    @extend_schema(parameters=[OpenApiParameter(
        "legally_late", bool, description="Only the dossiers past the province's legal time "
                                          "limit (true) or not (false).")])
    def list(self, request: Any) -> Response:
        """The dossiers, each with its legal due date; ``legally_late=true`` keeps the late."""
        dossiers = list(self.filter_queryset(self.get_queryset()))
        limits = legal_limits(dossiers)
        wanted = request.query_params.get("legally_late")
        if wanted in ("true", "false"):
            dossiers = [d for d in dossiers
                        if (d.pk in limits and limits[d.pk].late) == (wanted == "true")]
        page = self.paginate_queryset(dossiers)
        rows = page if page is not None else dossiers
        data = s.DossierSerializer(rows, many=True, context={"legal": limits}).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(methods=["get"], responses=s.CommentSerializer(many=True))
    @extend_schema(methods=["post"], request=s.CommentInput, responses=s.CommentSerializer)
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def comments(self, request: Any, pk: str) -> Response:
        """The public comments with the commune's responses; POST records one."""
        dossier = self._dossier()
        if request.method == "GET":
            return Response(s.CommentSerializer(
                dossier.comments.order_by("received_on", "pk"), many=True).data)
        comment = assessment.comment_record(actor=request.user, dossier=dossier,
                                            **_input(s.CommentInput, request))
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CommentResponseInput, responses=s.CommentSerializer)
    @action(detail=True, methods=["post"],
            url_path=r"comments/(?P<comment_pk>[0-9]+)/respond", url_name="comment-respond")
    def comment_respond(self, request: Any, pk: str, comment_pk: str) -> Response:
        """The commune answers a comment recorded earlier."""
        dossier = self._dossier()
        data = _input(s.CommentResponseInput, request)
        comment = get_object_or_404(dossier.comments, pk=comment_pk)
        comment = assessment.comment_respond(actor=request.user, comment=comment,
                                             response=data["response"])
        return Response(s.CommentSerializer(comment).data)

    @extend_schema(request=s.RegisterInput, responses=s.DossierSerializer)
    def create(self, request: Any) -> Response:
        data = _input(s.RegisterInput, request)
        dossier = steps.dossier_register(
            actor=request.user, level=data["level"],
            commune=get_object_or_404(in_own_provinces(request.user, Commune.objects.all()),
                                      pk=data["commune"]),
            batch=get_object_or_404(in_own_provinces(request.user, Batch.objects.all()),
                                    pk=data["batch"]))
        return Response(s.DossierSerializer(dossier).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.ConditionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def conditions(self, request: Any, pk: str) -> Response:
        """The four legal conditions, each met or not with its reason."""
        return Response(s.ConditionSerializer(legal_conditions(self._dossier()), many=True).data)

    @extend_schema(request=s.SelfAssessmentInput, responses=s.SelfAssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="self-assessment")
    def self_assessment(self, request: Any, pk: str) -> Response:
        dossier = self._dossier()
        data = _input(s.SelfAssessmentInput, request)
        criterion = get_object_or_404(Criterion, pk=data["criterion"],
                                      criteria_set=dossier.criteria_set)
        indicator = get_object_or_404(Indicator, pk=data["indicator"]) \
            if data.get("indicator") else None
        row = assessment.self_assessment_set(actor=request.user, dossier=dossier,
                                             criterion=criterion, indicator=indicator,
                                             value=data["value"], met=data["met"],
                                             note=data["note"])
        return Response(s.SelfAssessmentSerializer(row).data)

    @extend_schema(request=s.EvidenceInput, responses=s.EvidenceSerializer)
    @action(detail=True, methods=["post"])
    def evidence(self, request: Any, pk: str) -> Response:
        dossier = self._dossier()
        data = _input(s.EvidenceInput, request)
        criterion = get_object_or_404(Criterion, pk=data["criterion"],
                                      criteria_set=dossier.criteria_set)
        indicator = get_object_or_404(Indicator, pk=data["indicator"]) \
            if data.get("indicator") else None
        evidence = assessment.evidence_add(actor=request.user, dossier=dossier,
                                           criterion=criterion, indicator=indicator,
                                           upload=data["file"], name=data["file"].name,
                                           description=data["description"])
        return Response(s.EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DocumentInput, responses=s.DocumentSerializer)
    @action(detail=True, methods=["post"])
    def documents(self, request: Any, pk: str) -> Response:
        data = _input(s.DocumentInput, request)
        document = assessment.document_add(actor=request.user, dossier=self._dossier(),
                                           kind=data["kind"], upload=data["file"],
                                           name=data["file"].name)
        return Response(s.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SurveyResultInput, responses=documented.SurveySummarySerializer)
    @action(detail=True, methods=["post"])
    def survey(self, request: Any, pk: str) -> Response:
        dossier = self._dossier()
        data = _input(s.SurveyResultInput, request)
        village = get_object_or_404(Village, pk=data["village"],
                                    commune__province=dossier.commune.province_id)
        assessment.survey_result_set(actor=request.user, dossier=dossier, village=village,
                                     households=data["households"], surveyed=data["surveyed"],
                                     satisfied=data["satisfied"],
                                     households_reason=data["households_reason"])
        summary = selectors.survey_summary(dossier)
        return Response({k: v for k, v in summary.items() if k not in ("results", "appraisal")})

    @extend_schema(request=s.ConfirmationInput, responses=s.DossierSerializer)
    @action(detail=True, methods=["post"])
    def confirmations(self, request: Any, pk: str) -> Response:
        """Either confirmation, named by ``kind`` (also at confirm-debt / confirm-security)."""
        data = _input(s.ConfirmationInput, request)
        steps.confirmation_record(actor=request.user, dossier=self._dossier(), **data)
        return Response(s.DossierSerializer(Dossier.objects.get(pk=pk)).data)

    @extend_schema(responses=documented.AuditEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def audit(self, request: Any, pk: str) -> Response:
        """The dossier's audit events, for those who may read its trail."""
        events = dossier_story(request.user, self._dossier())
        return Response([_event(e) for e in events])


class AppraisalViewSet(mixins.ListModelMixin, CallerScoped):
    """Criterion appraisals of the caller's agencies (or of dossiers they may see)."""

    serializer_class = s.AppraisalSerializer
    filterset_fields = ["dossier", "status", "agency"]

    model = CriterionAppraisal

    def scoped(self, user: Any) -> Any:
        return CriterionAppraisal.objects.filter(
            dossier__in=selectors.visible_dossiers(user)).select_related(
            "criterion", "agency").order_by("pk")


class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CallerScoped):
    serializer_class = s.MeetingSerializer
    filterset_fields = ["status", "council", "batch"]

    model = CouncilMeeting

    def scoped(self, user: Any) -> Any:
        provinces = Agency.objects.filter(memberships__user=user).values("province")
        return CouncilMeeting.objects.filter(council__province__in=provinces).order_by("pk")

    @extend_schema(request=s.MeetingInput, responses=s.MeetingSerializer)
    def create(self, request: Any) -> Response:
        data = _input(s.MeetingInput, request)
        own = functools.partial(in_own_provinces, request.user)
        meeting = meeting_create(
            actor=request.user, council=get_object_or_404(own(Agency.objects.all()),
                                                          pk=data["council"]),
            title=data["title"], scheduled_for=data["scheduled_for"],
            batch=get_object_or_404(own(Batch.objects.all()), pk=data["batch"])
            if data.get("batch") else None)
        return Response(s.MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.OpenMeetingInput, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request: Any, pk: str) -> Response:
        from django.contrib.auth import get_user_model

        data = _input(s.OpenMeetingInput, request)
        present = list(get_user_model().objects.filter(pk__in=data["present"]))
        unknown = sorted(set(data["present"]) - {u.pk for u in present})
        if unknown:
            raise RuleViolation(_("Unknown people among those present: %(ids)s.")
                                % {"ids": ", ".join(map(str, unknown))})
        return Response(s.MeetingSerializer(meeting_open(
            actor=request.user, meeting=self.get_object(), present=present)).data)

    @extend_schema(request=None, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Any, pk: str) -> Response:
        return Response(s.MeetingSerializer(meeting_close(
            actor=request.user, meeting=self.get_object())).data)


class AgendaItemViewSet(mixins.ListModelMixin, CallerScoped):
    serializer_class = s.AgendaItemSerializer
    filterset_fields = ["meeting", "dossier", "result"]

    model = AgendaItem

    def scoped(self, user: Any) -> Any:
        return AgendaItem.objects.filter(
            dossier__in=selectors.visible_dossiers(user)).order_by("pk")


class BatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CallerScoped):
    serializer_class = s.BatchSerializer
    filterset_fields = ["recognition_year", "closed"]

    model = Batch

    def scoped(self, user: Any) -> Any:
        provinces = Agency.objects.filter(memberships__user=user).values("province")
        return Batch.objects.filter(province__in=provinces).prefetch_related(
            "deadlines").order_by("pk")

    @extend_schema(request=s.DeadlineInput, responses=s.BatchSerializer)
    @action(detail=True, methods=["post"])
    def deadlines(self, request: Any, pk: str) -> Response:
        batch = self.get_object()
        batch_deadline_set(actor=request.user, batch=batch, **_input(s.DeadlineInput, request))
        return Response(s.BatchSerializer(Batch.objects.get(pk=batch.pk)).data)


class BoundedTaskPagination(PageNumberPagination):
    """The task list's pages as documented: ``count`` is null beyond ``TaskViewSet.COUNTED``
    open tasks (counting them would read them all)."""

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["count"]["nullable"] = True
        return paginated


class TaskViewSet(viewsets.ViewSet):
    """The caller's tasks: assigned to them, and free in their agencies' queues."""

    pagination_class = BoundedTaskPagination  # for the schema: the list pages by hand

    # The count is exact up to this many tasks, null beyond (it would have to read them all).
    COUNTED = 500

    @extend_schema(responses=documented.TaskSerializer, parameters=[
        OpenApiParameter("queue", str, enum=["mine", "queue"]),
        OpenApiParameter("dossier", int), OpenApiParameter("overdue", bool),
        OpenApiParameter("page", int)])
    def list(self, request: Any) -> Response:
        """Filter with ``queue=mine|queue``, ``dossier=<id>`` and ``overdue=true``; pages of
        ``PAGE_SIZE`` tasks, oldest first (``page=<n>``). ``overdue=true`` keeps the overdue
        tasks of the page asked for."""
        from django.conf import settings

        size = settings.REST_FRAMEWORK["PAGE_SIZE"]
        number = _bounded_int(request.query_params.get("page"), default=1, top=100_000)
        wanted = request.query_params.get("queue")
        wanted = wanted if wanted in ("mine", "queue") else None
        wanted_dossier = request.query_params.get("dossier", "")
        narrow = TaskFilter(dossier_id=min(int(wanted_dossier), BIGINT_MAX)
                            if wanted_dossier.isascii() and wanted_dossier.isdigit() else None)
        head = open_tasks_head(request.user, limit=max(number * size, self.COUNTED),
                               queue=wanted, narrow=narrow)
        ids = head.ids[(number - 1) * size:number * size]
        deadlines = {d.task.pk: d for d in open_task_deadlines(
            tasks=Task.objects.filter(pk__in=ids), keep_undated=True)}
        rows = []
        for pk in ids:
            d = deadlines.get(pk)
            if d is None or (request.query_params.get("overdue") == "true" and not d.overdue):
                continue
            rows.append({"id": pk, "queue": "mine" if pk in head.mine else "queue",
                         "step": d.step, "title": str(d.task.flow_task.task_title),
                         "dossier": d.dossier.pk, "agency": d.agency.pk if d.agency else None,
                         "due_on": d.due_on, "overdue": d.overdue})
        more = head.more or len(head.ids) > number * size

        def link(n: int) -> str:
            return request.build_absolute_uri(replace_query_param(
                request.get_full_path(), "page", n))

        return Response({"count": None if head.more else len(head.ids),
                         "next": link(number + 1) if more else None,
                         "previous": link(number - 1) if number > 1 else None,
                         "results": rows})


def _bounded_int(text: str | None, *, default: int, top: int) -> int:
    if text and text.isascii() and text.isdigit() and len(text) <= 9:
        return min(max(1, int(text)), top)
    return default


def _event(e: AuditEvent) -> dict:
    return {"seq": e.seq, "at": e.at, "actor": e.actor_name, "agency": e.agency_name,
            "action": e.action, "object_type": e.object_type, "object_id": e.object_id,
            "object": e.object_repr, "dossier": e.dossier_id, "before": e.before,
            "after": e.after, "reason": e.reason, "hash": e.hash}


class AuditEventViewSet(viewsets.ViewSet):
    """The audit trail of the caller's province (auditors and the coordination office)."""

    pagination_class = PageNumberPagination

    @extend_schema(responses=documented.AuditEventSerializer, parameters=[
        OpenApiParameter("dossier", int), OpenApiParameter("action", str)])
    def list(self, request: Any) -> Response:
        events = audit_events_for(request.user)
        if request.query_params.get("dossier"):
            dossier = request.query_params["dossier"]
            if not (dossier.isascii() and dossier.isdigit() and int(dossier) <= BIGINT_MAX):
                raise DjangoValidationError(_("dossier: give a dossier number."))
            events = events.filter(dossier_id=int(dossier))
        if request.query_params.get("action"):
            events = events.filter(action=request.query_params["action"])
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response([_event(e) for e in page])




# --- the steps of the process, one action each, derived from ``dossiers.steps`` ----------
@dataclass(frozen=True)
class ApiStep:
    """What is the API's own about a step: its input, how the input becomes the service's
    arguments, and what the answer shows. The path, the service and the refusals are the
    table's and the kernel's."""

    viewset: type
    input: type | None
    arguments: Callable[[Any, dict[str, Any]], dict[str, Any]] = lambda obj, data: data
    # The answer: the dossier as it now stands, unless the step's result says more.
    output: Callable[[Any, Any], Any] | None = None
    schema: type | None = s.DossierSerializer
    created: bool = False


def _dossier_out(obj: Any, result: Any) -> Any:
    return s.DossierSerializer(Dossier.objects.get(pk=obj.pk)).data


def _upload(obj: Any, data: dict[str, Any]) -> dict[str, Any]:
    upload = data.pop("file")
    return {**data, "upload": upload, "name": upload.name}


def _meeting(obj: Any, data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "meeting": get_object_or_404(
        CouncilMeeting, pk=data["meeting"], council__province=obj.commune.province_id)}


API_STEPS: dict[str, ApiStep] = {
    "publish": ApiStep(DossierViewSet, s.PublishInput),
    "close_posting": ApiStep(DossierViewSet, None),
    "finish_survey": ApiStep(DossierViewSet, None),
    "submit": ApiStep(DossierViewSet, None),
    "district": ApiStep(DossierViewSet, s.DistrictInput),
    "survey_appraisal": ApiStep(DossierViewSet, s.SurveyAppraisalInput),
    "confirm_debt": ApiStep(DossierViewSet, s.StepConfirmationInput),
    "confirm_security": ApiStep(DossierViewSet, s.StepConfirmationInput),
    "schedule": ApiStep(DossierViewSet, s.ScheduleInput, _meeting,
                        lambda obj, item: s.AgendaItemSerializer(item).data,
                        s.AgendaItemSerializer),
    "refuse": ApiStep(DossierViewSet, s.ReasonInput),
    "decide": ApiStep(DossierViewSet, s.DecisionInput, _upload),
    "decline": ApiStep(DossierViewSet, s.ReasonInput),
    "announce": ApiStep(DossierViewSet, s.AnnounceInput),
    "appraise": ApiStep(AppraisalViewSet, s.AppraisalInput,
                        output=lambda obj, item: s.AppraisalSerializer(item).data,
                        schema=s.AppraisalSerializer),
    "answer": ApiStep(AppraisalViewSet, s.AnswerInput,
                      output=lambda obj, item: s.AppraisalSerializer(item).data,
                      schema=s.AppraisalSerializer),
    "vote": ApiStep(AgendaItemViewSet, s.VoteInput,
                    output=lambda obj, vote: {"id": vote.pk, "in_favour": vote.in_favour},
                    schema=documented.VoteSerializer, created=True),
    "close_vote": ApiStep(AgendaItemViewSet, s.CloseVoteInput,
                          output=lambda obj, item: s.AgendaItemSerializer(item).data,
                          schema=s.AgendaItemSerializer),
}
# The argument of the service that names the object of the URL.
SUBJECT = {DossierViewSet: "dossier", AppraisalViewSet: "item", AgendaItemViewSet: "item"}


def _step_action(row: StepRow, api: ApiStep) -> Callable[..., Response]:
    service = SERVICES[row.name]

    def handler(self: Any, request: Any, pk: str) -> Response:
        obj = self.get_object()
        data = _input(api.input, request) if api.input else {}
        result = service(actor=request.user, **{SUBJECT[api.viewset]: obj},
                         **api.arguments(obj, data))
        body = (api.output or _dossier_out)(obj, result)
        return Response(body, status=status.HTTP_201_CREATED if api.created
                        else status.HTTP_200_OK)

    handler.__name__ = row.name
    handler = action(detail=True, methods=["post"], url_path=row.api_path,
                     url_name=row.api_path)(handler)
    return extend_schema(request=api.input, responses=api.schema,
                         summary=str(row.label))(handler)


for _row in STEPS:
    _api = API_STEPS[_row.name]
    setattr(_api.viewset, _row.name, _step_action(_row, _api))
