"""The dossier workspace: everything a dossier shows, and each role's work on it.

Views read and validate what was typed and call one service each; every rule and every
permission is checked by the services, whose refusals are shown as they are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from audit.labels import action_label
from audit.models import AuditEvent
from dossiers import selectors
from dossiers.documents import available_documents
from dossiers.exceptions import RuleViolation
from dossiers.models import (
    Agency,
    AppraisalStatus,
    Batch,
    Commune,
    CouncilMeeting,
    CriterionAppraisal,
    Dossier,
    DossierDocument,
    Level,
    Membership,
    Step,
)
from dossiers.services import assessment
from dossiers.services.council import meeting_close, meeting_create, meeting_open
from dossiers.services.setup import batch_deadline_set
from dossiers.steps import BY_NAME, STEPS
from notifications.deadlines import legal_limit, open_task_deadlines
from reports.selectors import roadmap_progress
from workflow import services as steps
from workflow.kernel import SERVICES
from workflow.selectors import dossier_open_tasks, tasks_for

from .. import forms
from ..boards import batch_dossiers, batch_progress
from ..refusals import refusals_shown
from ..scoping import hide_unless_own_province, hide_unless_readable

K = Agency.Kind
# Communes on one page of a batch's board.
BOARD_PAGE = 50


def _visible(request: HttpRequest, pk: int) -> Dossier:
    dossier = get_object_or_404(Dossier.objects.select_related(
        "commune__province", "batch", "criteria_set", "regulation"), pk=pk)
    hide_unless_readable(request.user, dossier)
    return dossier


@require_GET
@login_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _visible(request, pk)
    tasks = tasks_for(request.user, dossier=dossier)
    mine = {t.flow_task.name for t in [*tasks["mine"], *tasks["queue"]]}
    my_agency_ids = {a.pk for a in selectors.my_agencies(request.user)}
    events = AuditEvent.objects.filter(dossier_id=dossier.pk).select_related("actor").exclude(
        action="permission.grant").order_by("id")
    open_items = CriterionAppraisal.objects.filter(
        dossier=dossier, round=dossier.round).select_related("criterion", "indicator", "agency")
    return render(request, "dossiers/detail.html", {
        "dossier": dossier,
        **selectors.dossier_overview(dossier),
        "deadlines": open_task_deadlines(tasks=dossier_open_tasks(dossier), keep_undated=True),
        "legal_limit": legal_limit(dossier),
        "my_steps": mine,
        "my_items": [i for i in open_items if i.agency_id in my_agency_ids
                     and i.status in (AppraisalStatus.PENDING, AppraisalStatus.RESUBMITTED)],
        "returned_items": [i for i in open_items if i.status == AppraisalStatus.RETURNED],
        "meetings": CouncilMeeting.objects.filter(
            council__province=dossier.commune.province).exclude(status="closed"),
        "council_items": selectors.council_items(dossier, request.user),
        "document_kinds": DossierDocument.Kind.choices,
        "villages": dossier.commune.villages.order_by("name"),
        "timeline": [(e, action_label(e.action)) for e in events],
        "may_audit": request.user.has_perm("dossiers.audit_dossier", dossier),
        "reassignable": _reassignable(request, dossier),
        "generated_documents": available_documents(dossier),
    })


def _reassignable(request: HttpRequest, dossier: Dossier) -> list:
    """For the coordination office: the open agency tasks and who could take each."""
    if not request.user.has_perm("dossiers.coordinate_dossier", dossier):
        return []
    tasks = [t for t in dossier_open_tasks(dossier).filter(status__in=["NEW", "ASSIGNED"])
             if t.owner_permission_obj_pk]
    members: dict[str, list] = {}
    for membership in Membership.objects.filter(
            agency_id__in={int(t.owner_permission_obj_pk) for t in tasks}).select_related(
            "user", "agency"):
        members.setdefault(str(membership.agency_id), []).append(membership)
    return [(t, members.get(t.owner_permission_obj_pk, [])) for t in tasks]


# --- the work: a step of the table, or an edit of the dossier's content --------------------
def _refuse_invalid(form: forms.DossierForm) -> None:
    if not form.is_valid():
        raise RuleViolation(form.problems())


def _step_action(name: str) -> Callable[[HttpRequest, Dossier], str]:
    """The page action of step ``name``: its form, then its service (or, for a table of
    items, its service once per row), all in one transaction."""
    row = BY_NAME[name]
    service = SERVICES[name]
    form_class = forms.STEP_FORMS[name]

    def handle(request: HttpRequest, dossier: Dossier) -> str:
        form = form_class(request.POST, request.FILES, dossier=dossier)
        _refuse_invalid(form)
        with transaction.atomic():
            if isinstance(form, forms.ItemsForm):
                calls = form.calls()
                for arguments in calls:
                    service(actor=request.user, **arguments)
                return str(row.done) % {"n": len(calls)}
            result = service(actor=request.user, **form.arguments())
        display = getattr(result, "get_result_display", None)
        return str(row.done) % {"result": display() if display else ""}

    return handle


def _self_assessment(request: HttpRequest, dossier: Dossier) -> str:
    """Save the lines typed; with "finish", also close the self-assessment (one transaction)."""
    lines = [(row.criterion, line["indicator"], line["answer"], line["computed"])
             for row in selectors.criteria_table(dossier) for line in row.lines]
    form = forms.SelfAssessmentForm(request.POST, dossier=dossier, lines=lines)
    _refuse_invalid(form)
    with transaction.atomic():
        changed = form.changed_lines()
        for line in changed:
            assessment.self_assessment_set(actor=request.user, dossier=dossier, **line)
        if form.cleaned_data["finish"]:
            steps.self_assessment_complete(
                actor=request.user, dossier=dossier,
                posting_starts_on=form.cleaned_data["posting_starts_on"])
            return _("The self-assessment is posted publicly for comments.")
    return _("%(n)s line(s) saved.") % {"n": len(changed)}


def _survey(request: HttpRequest, dossier: Dossier) -> str:
    """Save the survey figures; with "finish", also finish the survey (one transaction)."""
    form = forms.SurveyForm(request.POST, dossier=dossier,
                            villages=list(dossier.commune.villages.order_by("name")))
    _refuse_invalid(form)
    with transaction.atomic():
        for figures in form.figures():
            assessment.survey_result_set(actor=request.user, dossier=dossier, **figures)
        if form.cleaned_data["finish"]:
            steps.survey_complete(actor=request.user, dossier=dossier)
            return _("The survey is finished.")
    return _("The survey figures were saved.")


def _edit(form_class: type[forms.DossierForm], service: Callable[..., Any],
          done: str) -> Callable[[HttpRequest, Dossier], str]:
    def handle(request: HttpRequest, dossier: Dossier) -> str:
        form = form_class(request.POST, request.FILES, dossier=dossier)
        _refuse_invalid(form)
        service(actor=request.user, **form.arguments())
        return done

    return handle


# The dossier page's actions: every step of the table, and the edits of its content.
ACTIONS: dict[str, Callable[[HttpRequest, Dossier], str]] = {
    **{row.name: _step_action(row.name) for row in STEPS},
    "self_assessment": _self_assessment,
    "survey": _survey,
    "evidence": _edit(forms.EvidenceForm, assessment.evidence_add,
                      gettext_lazy("The evidence was attached.")),
    "comment": _edit(forms.CommentForm, assessment.comment_record,
                     gettext_lazy("The comment was recorded.")),
    "comment_response": _edit(forms.CommentResponseForm, assessment.comment_respond,
                              gettext_lazy("The response was recorded.")),
    "document": _edit(forms.DocumentForm, assessment.document_add,
                      gettext_lazy("The document was attached.")),
}
# The earlier single confirmation form, naming its kind: the step of that kind.
ACTIONS["confirm"] = lambda request, dossier: ACTIONS[
    {"debt": "confirm_debt", "security": "confirm_security"}.get(
        request.POST.get("kind", ""), "confirm_debt")](request, dossier)


@require_POST
@login_required
def dossier_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    handler = ACTIONS.get(action)
    if handler is None:
        raise PermissionDenied(_("Unknown action."))
    dossier = _visible(request, pk)
    with refusals_shown(request):
        messages.success(request, handler(request, dossier))
    return redirect(reverse("dossier", args=[dossier.pk]) + f"#{action}")


# --- council meetings -------------------------------------------------------------------
@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    """The coordination office's meetings (create, record attendance and open, close)."""
    offices = Agency.objects.filter(memberships__user=request.user, active=True,
                                    kind__in=[K.COORDINATION_OFFICE, K.COUNCIL])
    if not offices.exists():
        raise PermissionDenied(_("Only the coordination office and council members see the "
                                 "meetings."))
    provinces = offices.values("province")
    rows = CouncilMeeting.objects.filter(council__province__in=provinces)
    councils = Agency.objects.filter(province__in=provinces, kind=K.COUNCIL)
    members = get_user_model().objects.filter(
        memberships__agency__in=councils).distinct().order_by("username")
    if request.method == "POST":
        with refusals_shown(request):
            _meeting_action(request, meetings=rows, councils=councils, members=members)
        return redirect("meetings")
    return render(request, "dossiers/meetings.html", {
        "meetings": rows.select_related("council").prefetch_related(
            "agenda__dossier__commune", "present"),
        "councils": councils, "members": members,
        "coordinator": offices.filter(kind=K.COORDINATION_OFFICE).exists(),
    })


def _meeting_action(request: HttpRequest, *, meetings: Any, councils: Any,
                    members: Any) -> None:
    action = request.POST.get("action")
    if action == "create":
        form = forms.MeetingCreateForm(request.POST, councils=councils)
        _refuse_invalid(form)
        day = form.cleaned_data["date"]
        meeting_create(actor=request.user, council=form.cleaned_data["council"],
                       title=form.cleaned_data["title"],
                       scheduled_for=timezone.make_aware(dt.datetime.combine(day, dt.time(8))))
        messages.success(request, _("The meeting was created."))
        return
    if action not in ("open", "close"):
        raise RuleViolation(_("Unknown action."))
    form = forms.MeetingForm(request.POST, meetings=meetings, members=members)
    _refuse_invalid(form)
    meeting = form.cleaned_data["meeting"]
    if action == "open":
        meeting_open(actor=request.user, meeting=meeting,
                     present=list(form.cleaned_data["present"]))
        messages.success(request, _("Attendance recorded: voting is open."))
    else:
        meeting_close(actor=request.user, meeting=meeting)
        messages.success(request, _("The meeting is closed."))


@require_GET
@login_required
def evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    """Evidence is read only by those who may see the dossier (never as a public file)."""
    from django.http import FileResponse

    dossier = _visible(request, pk)
    evidence = get_object_or_404(dossier.evidence, pk=evidence_pk)
    return FileResponse(evidence.file.open("rb"), as_attachment=False,
                        filename=evidence.original_name, content_type=evidence.content_type)


# --- the coordination office's batch board and the departments' appraisal board -----------
def _coordinator_of(request: HttpRequest, province: Any) -> None:
    if not Agency.objects.filter(memberships__user=request.user, province=province,
                                 kind=K.COORDINATION_OFFICE, active=True).exists():
        raise PermissionDenied(_("Only the coordination office manages batches."))


@login_required
def batches(request: HttpRequest) -> HttpResponse:
    offices = Agency.objects.filter(memberships__user=request.user, active=True,
                                    kind=K.COORDINATION_OFFICE)
    if not offices.exists():
        raise PermissionDenied(_("Only the coordination office manages batches."))
    rows = Batch.objects.filter(province__in=offices.values("province")).prefetch_related(
        "deadlines")
    return render(request, "dossiers/batches.html", {"batches": rows})


@login_required
def batch_board(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress of a batch, its calendar (editable) and registration of communes."""
    batch = get_object_or_404(Batch.objects.select_related("province"), pk=pk)
    hide_unless_own_province(request.user, batch, batch.province_id)
    _coordinator_of(request, batch.province)
    registered = Dossier.objects.filter(batch=batch).values("commune_id")
    communes = Commune.objects.filter(province=batch.province, agencies__isnull=False).exclude(
        pk__in=registered).distinct().order_by("name")
    if request.method == "POST":
        with refusals_shown(request):
            if request.POST.get("action") == "deadline":
                form = forms.DeadlineForm(request.POST)
                _refuse_invalid(form)
                batch_deadline_set(actor=request.user, batch=batch, **form.cleaned_data)
                messages.success(request, _("The date was changed; open steps follow it."))
            elif request.POST.get("action") == "register":
                form = forms.RegistrationForm(request.POST, communes=communes)
                _refuse_invalid(form)
                steps.dossier_register(actor=request.user, batch=batch, **form.cleaned_data)
                messages.success(request, _("The commune is registered."))
            else:
                raise RuleViolation(_("Unknown action."))
        return redirect("batch", pk=batch.pk)
    # One page of communes at a time: a batch can hold thousands of dossiers.
    page = Paginator(batch_dossiers(batch), BOARD_PAGE).get_page(request.GET.get("page"))
    return render(request, "dossiers/batch.html", {
        "batch": batch, "page": page,
        "rows": batch_progress(batch, dossiers=page.object_list),
        "roadmap": roadmap_progress(province=batch.province, year=batch.recognition_year),
        "deadlines": batch.deadlines.order_by("due_on"), "steps": Step.choices,
        "levels": Level.choices, "communes": communes,
    })


@login_required
def appraisal_board(request: HttpRequest) -> HttpResponse:
    """A department appraises its criteria in many communes' dossiers at once."""
    items = selectors.pending_items_for(request.user)
    if request.method == "POST":
        with refusals_shown(request):
            form = forms.AppraisalForm(request.POST, rows=list(items))
            _refuse_invalid(form)
            with transaction.atomic():
                calls = form.calls()
                for arguments in calls:
                    steps.appraisal_record(actor=request.user, **arguments)
            messages.success(request, str(BY_NAME["appraise"].done) % {"n": len(calls)})
        return redirect("appraisal_board")
    return render(request, "dossiers/appraisal_board.html", {"items": items})


@require_POST
@login_required
def task_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _visible(request, pk)
    with refusals_shown(request):
        form = forms.ReassignForm(request.POST, tasks=dossier_open_tasks(dossier))
        _refuse_invalid(form)
        steps.task_reassign(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The task was reassigned."))
    return redirect("dossier", pk=dossier.pk)
