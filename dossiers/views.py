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
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.web import refusals_shown
from notifications.deadlines import open_task_deadlines
from workflow import services as steps
from workflow.labels import action_label
from workflow.models import AuditEvent

from . import forms, selectors
from .exceptions import RuleViolation
from .models import (
    Agency,
    AgendaItem,
    AppraisalStatus,
    CouncilMeeting,
    Criterion,
    CriterionAppraisal,
    Dossier,
    DossierDocument,
    Indicator,
)
from .services import assessment
from .services.council import meeting_close, meeting_create, meeting_open

K = Agency.Kind


def _visible(request: HttpRequest, pk: int) -> Dossier:
    dossier = get_object_or_404(Dossier.objects.select_related(
        "commune__province", "batch", "criteria_set", "regulation"), pk=pk)
    if not request.user.has_perm("dossiers.view_dossier", dossier):
        raise PermissionDenied(_("You may not see this dossier."))
    return dossier


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Where a person lands: their tasks, their agencies' queue, what they completed."""
    tasks = selectors.tasks_for(request.user)
    return render(request, "inbox.html", {
        "mine": open_task_deadlines(tasks=tasks["mine"], keep_undated=True),
        "queue": open_task_deadlines(tasks=tasks["queue"], keep_undated=True),
        "done": open_task_deadlines(tasks=tasks["done"][:20], keep_undated=True),
    })


@require_GET
@login_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _visible(request, pk)
    tasks = selectors.tasks_for(request.user, dossier=dossier)
    mine = {t.flow_task.name for t in [*tasks["mine"], *tasks["queue"]]}
    my_agency_ids = {a.pk for a in selectors.my_agencies(request.user)}
    events = AuditEvent.objects.filter(dossier_id=dossier.pk).exclude(
        action="permission.grant").order_by("seq")
    open_items = CriterionAppraisal.objects.filter(
        dossier=dossier, round=dossier.round).select_related("criterion", "indicator", "agency")
    return render(request, "dossiers/detail.html", {
        "dossier": dossier,
        **selectors.dossier_overview(dossier),
        "deadlines": open_task_deadlines(tasks=dossier_tasks(dossier), keep_undated=True),
        "my_steps": mine,
        "my_items": [i for i in open_items if i.agency_id in my_agency_ids
                     and i.status in (AppraisalStatus.PENDING, AppraisalStatus.RESUBMITTED)],
        "returned_items": [i for i in open_items if i.status == AppraisalStatus.RETURNED],
        "meetings": CouncilMeeting.objects.filter(
            council__province=dossier.commune.province).exclude(status="closed"),
        "my_vote_items": AgendaItem.objects.filter(
            dossier=dossier, result="open", meeting__status="in_session",
            meeting__council__memberships__user=request.user).select_related("meeting"),
        "open_agenda": AgendaItem.objects.filter(dossier=dossier, result="open").select_related(
            "meeting"),
        "document_kinds": DossierDocument.Kind.choices,
        "villages": dossier.commune.villages.order_by("name"),
        "timeline": [(e, action_label(e.action)) for e in events],
        "may_audit": request.user.has_perm("dossiers.audit_dossier", dossier),
        "reassignable": _reassignable(request, dossier),
    })


def _reassignable(request: HttpRequest, dossier: Dossier) -> list:
    """For the coordination office: the open agency tasks and who could take each."""
    if not request.user.has_perm("dossiers.coordinate_dossier", dossier):
        return []
    from .models import Membership

    tasks = [t for t in dossier_tasks(dossier).filter(status__in=["NEW", "ASSIGNED"])
             if t.owner_permission_obj_pk]
    members: dict[str, list] = {}
    for membership in Membership.objects.filter(
            agency_id__in={int(t.owner_permission_obj_pk) for t in tasks}).select_related(
            "user", "agency"):
        members.setdefault(str(membership.agency_id), []).append(membership)
    return [(t, members.get(t.owner_permission_obj_pk, [])) for t in tasks]


def dossier_tasks(dossier: Dossier) -> Any:
    from viewflow.workflow.models import Task

    return Task.objects.filter(process__in=dossier.processes.all(), flow_task_type="HUMAN",
                               status__in=selectors.OPEN)


# --- the work, one handler per kind of form ----------------------------------------------
def _self_assessment(request: HttpRequest, dossier: Dossier) -> str:
    saved = 0
    for row in selectors.criteria_table(dossier):
        for line in row.lines:
            indicator = line["indicator"]
            key = f"{row.criterion.pk}_{indicator.pk if indicator else 0}"
            met = request.POST.get(f"met_{key}", "")
            if met not in ("yes", "no"):
                continue
            value = request.POST.get(f"value_{key}", "").strip()
            answer = line["answer"]
            if answer and answer.value == value and answer.met == (met == "yes"):
                continue
            assessment.self_assessment_set(actor=request.user, dossier=dossier,
                                           criterion=row.criterion, indicator=indicator,
                                           value=value, met=met == "yes",
                                           note=request.POST.get(f"note_{key}", ""))
            saved += 1
    if request.POST.get("finish"):
        starts = forms.date(request.POST, "posting_starts_on", label=_("Posting starts on"),
                            required=False)
        steps.self_assessment_complete(actor=request.user, dossier=dossier,
                                       posting_starts_on=starts)
        return _("The self-assessment is posted publicly for comments.")
    return _("%(n)s line(s) saved.") % {"n": saved}


def _evidence(request: HttpRequest, dossier: Dossier) -> str:
    criterion = get_object_or_404(Criterion, pk=forms.integer(
        request.POST, "criterion", label=_("Criterion")), criteria_set=dossier.criteria_set)
    indicator = None
    if request.POST.get("indicator"):
        indicator = get_object_or_404(Indicator, pk=request.POST["indicator"], criterion=criterion)
    uploaded = forms.upload(request.FILES, "file", label=_("Evidence"))
    assessment.evidence_add(actor=request.user, dossier=dossier, criterion=criterion,
                            indicator=indicator, upload=uploaded, name=uploaded.name,
                            description=forms.text(request.POST, "description"))
    return _("The evidence was attached.")


def _comment(request: HttpRequest, dossier: Dossier) -> str:
    assessment.comment_record(
        actor=request.user, dossier=dossier,
        author=forms.text(request.POST, "author", required=True, label=_("From")),
        organisation=forms.text(request.POST, "organisation"),
        received_on=forms.date(request.POST, "received_on", label=_("Received on")),
        content=forms.text(request.POST, "content", required=True, label=_("Comment")),
        response=forms.text(request.POST, "response"))
    return _("The comment was recorded.")


def _close_posting(request: HttpRequest, dossier: Dossier) -> str:
    steps.posting_close(actor=request.user, dossier=dossier)
    return _("The public posting is closed.")


def _survey(request: HttpRequest, dossier: Dossier) -> str:
    for village in dossier.commune.villages.all():
        if not request.POST.get(f"households_{village.pk}"):
            continue
        assessment.survey_result_set(
            actor=request.user, dossier=dossier, village=village,
            households=forms.integer(request.POST, f"households_{village.pk}",
                                     label=_("Households"), minimum=1),
            surveyed=forms.integer(request.POST, f"surveyed_{village.pk}",
                                   label=_("Households surveyed")),
            satisfied=forms.integer(request.POST, f"satisfied_{village.pk}",
                                    label=_("Households satisfied")))
    if request.POST.get("finish"):
        steps.survey_complete(actor=request.user, dossier=dossier)
        return _("The survey is finished.")
    return _("The survey figures were saved.")


def _document(request: HttpRequest, dossier: Dossier) -> str:
    kind = forms.choice(request.POST, "kind", {k: k for k in DossierDocument.Kind.values},
                        label=_("Kind"))
    uploaded = forms.upload(request.FILES, "file", label=_("Document"))
    assessment.document_add(actor=request.user, dossier=dossier, kind=kind, upload=uploaded,
                            name=uploaded.name)
    return _("The document was attached.")


def _submit(request: HttpRequest, dossier: Dossier) -> str:
    steps.dossier_submit(actor=request.user, dossier=dossier)
    return _("The dossier was submitted to the province.")


def _appraise(request: HttpRequest, dossier: Dossier) -> str:
    done = 0
    items = CriterionAppraisal.objects.filter(dossier=dossier, round=dossier.round)
    for item in items:
        result = request.POST.get(f"result_{item.pk}", "")
        if not result:
            continue
        steps.appraisal_record(actor=request.user, item=item, result=result,
                               remark=request.POST.get(f"remark_{item.pk}", ""))
        done += 1
    if not done:
        raise RuleViolation(_("Choose a result for at least one criterion."))
    return _("%(n)s appraisal(s) recorded.") % {"n": done}


def _answer(request: HttpRequest, dossier: Dossier) -> str:
    done = 0
    for item in CriterionAppraisal.objects.filter(dossier=dossier, round=dossier.round,
                                                  status=AppraisalStatus.RETURNED):
        response = request.POST.get(f"response_{item.pk}", "").strip()
        if response:
            steps.returned_answer(actor=request.user, item=item, response=response)
            done += 1
    if not done:
        raise RuleViolation(_("Answer at least one returned criterion."))
    return _("%(n)s answer(s) sent to the department.") % {"n": done}


def _survey_appraisal(request: HttpRequest, dossier: Dossier) -> str:
    steps.survey_appraise(
        actor=request.user, dossier=dossier,
        process_sound=forms.choice(request.POST, "process_sound", {"yes": True, "no": False},
                                   label=_("The survey was run properly")),
        sample_surveyed=forms.integer(request.POST, "sample_surveyed",
                                      label=_("Households sampled directly")),
        sample_satisfied=forms.integer(request.POST, "sample_satisfied",
                                       label=_("Sampled households satisfied")),
        remark=forms.text(request.POST, "remark"))
    return _("The survey appraisal was recorded.")


def _confirm(request: HttpRequest, dossier: Dossier) -> str:
    steps.confirmation_record(
        actor=request.user, dossier=dossier,
        kind=forms.choice(request.POST, "kind", {"debt": "debt", "security": "security"},
                          label=_("Kind")),
        holds=forms.choice(request.POST, "holds", {"yes": True, "no": False},
                           label=_("The condition holds")),
        remark=forms.text(request.POST, "remark"))
    return _("The confirmation was recorded.")


def _schedule(request: HttpRequest, dossier: Dossier) -> str:
    meeting = get_object_or_404(CouncilMeeting, pk=forms.integer(
        request.POST, "meeting", label=_("Meeting")))
    steps.dossier_schedule(actor=request.user, dossier=dossier, meeting=meeting,
                           report=forms.text(request.POST, "report", required=True,
                                             label=_("Consolidated report")))
    return _("The dossier is on the council's agenda.")


def _refuse(request: HttpRequest, dossier: Dossier) -> str:
    steps.dossier_refuse(actor=request.user, dossier=dossier,
                         reason=forms.text(request.POST, "reason", required=True,
                                           label=_("Reason")))
    return _("The dossier was refused.")


def _item(request: HttpRequest, dossier: Dossier) -> AgendaItem:
    return get_object_or_404(AgendaItem, pk=forms.integer(request.POST, "item",
                                                          label=_("Agenda item")),
                             dossier=dossier)


def _vote(request: HttpRequest, dossier: Dossier) -> str:
    steps.vote_cast(actor=request.user, item=_item(request, dossier),
                    in_favour=forms.choice(request.POST, "in_favour",
                                           {"yes": True, "no": False}, label=_("Vote")))
    return _("Your vote was recorded.")


def _close_vote(request: HttpRequest, dossier: Dossier) -> str:
    item = steps.vote_close(actor=request.user, item=_item(request, dossier),
                            defer=bool(request.POST.get("defer")),
                            reason=forms.text(request.POST, "reason"))
    return _("The vote is closed: %(result)s.") % {"result": item.get_result_display()}


def _decide(request: HttpRequest, dossier: Dossier) -> str:
    uploaded = forms.upload(request.FILES, "file", label=_("Signed decision"))
    steps.decision_record(
        actor=request.user, dossier=dossier,
        number=forms.text(request.POST, "number", required=True, label=_("Decision number")),
        signed_on=forms.date(request.POST, "signed_on", label=_("Signed on")),
        signer_name=forms.text(request.POST, "signer_name", required=True, label=_("Signed by")),
        signer_title=forms.text(request.POST, "signer_title", required=True,
                                label=_("Signer's title")),
        upload=uploaded, name=uploaded.name)
    return _("The decision was recorded: the commune is recognised.")


def _decline(request: HttpRequest, dossier: Dossier) -> str:
    steps.decision_decline(actor=request.user, dossier=dossier,
                           reason=forms.text(request.POST, "reason", required=True,
                                             label=_("Reason")))
    return _("The decision was declined.")


def _announce(request: HttpRequest, dossier: Dossier) -> str:
    steps.dossier_announce(
        actor=request.user, dossier=dossier,
        announced_on=forms.date(request.POST, "announced_on", label=_("Announced on")),
        certificate_number=forms.text(request.POST, "certificate_number", required=True,
                                      label=_("Certificate number")))
    return _("The recognition was announced.")


def _district(request: HttpRequest, dossier: Dossier) -> str:
    steps.district_verify(
        actor=request.user, dossier=dossier,
        report=forms.text(request.POST, "report", required=True, label=_("Report")),
        votes_for=forms.integer(request.POST, "votes_for", label=_("Votes for")),
        members=forms.integer(request.POST, "members", label=_("Members"), minimum=1))
    return _("The district verification was recorded.")


ACTIONS: dict[str, Callable[[HttpRequest, Dossier], str]] = {
    "self_assessment": _self_assessment, "evidence": _evidence, "comment": _comment,
    "close_posting": _close_posting, "survey": _survey, "document": _document,
    "submit": _submit, "appraise": _appraise, "answer": _answer,
    "survey_appraisal": _survey_appraisal, "confirm": _confirm, "schedule": _schedule,
    "refuse": _refuse, "vote": _vote, "close_vote": _close_vote, "decide": _decide,
    "decline": _decline, "announce": _announce, "district": _district,
}


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
    if request.method == "POST":
        with refusals_shown(request):
            _meeting_action(request)
        return redirect("meetings")
    rows = CouncilMeeting.objects.filter(council__province__in=provinces).select_related(
        "council").prefetch_related("agenda__dossier__commune", "present")
    councils = Agency.objects.filter(province__in=provinces, kind=K.COUNCIL)
    members = get_user_model().objects.filter(
        memberships__agency__in=councils).distinct().order_by("username")
    return render(request, "dossiers/meetings.html", {
        "meetings": rows, "councils": councils, "members": members,
        "coordinator": offices.filter(kind=K.COORDINATION_OFFICE).exists(),
    })


def _meeting_action(request: HttpRequest) -> None:
    action = request.POST.get("action")
    if action == "create":
        council = get_object_or_404(Agency, pk=forms.integer(request.POST, "council",
                                                             label=_("Council")))
        day = forms.date(request.POST, "date", label=_("Date"))
        meeting_create(actor=request.user, council=council,
                       title=forms.text(request.POST, "title", required=True, label=_("Title")),
                       scheduled_for=timezone.make_aware(dt.datetime.combine(day, dt.time(8))))
        messages.success(request, _("The meeting was created."))
        return
    meeting = get_object_or_404(CouncilMeeting, pk=forms.integer(request.POST, "meeting",
                                                                 label=_("Meeting")))
    if action == "open":
        present = list(get_user_model().objects.filter(pk__in=request.POST.getlist("present")))
        meeting_open(actor=request.user, meeting=meeting, present=present)
        messages.success(request, _("Attendance recorded: voting is open."))
    elif action == "close":
        meeting_close(actor=request.user, meeting=meeting)
        messages.success(request, _("The meeting is closed."))
    else:
        raise RuleViolation(_("Unknown action."))




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
    from .models import Batch

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
    from .models import Batch, Commune, Level, Step
    from .services.setup import batch_deadline_set

    batch = get_object_or_404(Batch.objects.select_related("province"), pk=pk)
    _coordinator_of(request, batch.province)
    if request.method == "POST":
        with refusals_shown(request):
            if request.POST.get("action") == "deadline":
                batch_deadline_set(
                    actor=request.user, batch=batch,
                    step=forms.choice(request.POST, "step", {s: s for s in Step.values},
                                      label=_("Step")),
                    due_on=forms.date(request.POST, "due_on", label=_("Due on")),
                    reason=forms.text(request.POST, "reason", required=True, label=_("Reason")))
                messages.success(request, _("The date was changed; open steps follow it."))
            elif request.POST.get("action") == "register":
                commune = get_object_or_404(Commune, pk=forms.integer(
                    request.POST, "commune", label=_("Commune")), province=batch.province)
                steps.dossier_register(actor=request.user, commune=commune, batch=batch,
                                       level=forms.choice(request.POST, "level",
                                                          {v: v for v in Level.values},
                                                          label=_("Level")))
                messages.success(request, _("The commune is registered."))
        return redirect("batch", pk=batch.pk)
    registered = Dossier.objects.filter(batch=batch).values("commune_id")
    return render(request, "dossiers/batch.html", {
        "batch": batch, "rows": selectors.batch_progress(batch),
        "deadlines": batch.deadlines.order_by("due_on"), "steps": Step.choices,
        "levels": Level.choices,
        "communes": Commune.objects.filter(province=batch.province, agencies__isnull=False)
        .exclude(pk__in=registered).distinct().order_by("name"),
    })


@login_required
def appraisal_board(request: HttpRequest) -> HttpResponse:
    """A department appraises its criteria in many communes' dossiers at once."""
    items = selectors.pending_items_for(request.user)
    if request.method == "POST":
        done = 0
        with refusals_shown(request):
            for item in items:
                result = request.POST.get(f"result_{item.pk}", "")
                if result:
                    steps.appraisal_record(actor=request.user, item=item, result=result,
                                           remark=request.POST.get(f"remark_{item.pk}", ""))
                    done += 1
        if done:
            messages.success(request, _("%(n)s appraisal(s) recorded.") % {"n": done})
        return redirect("appraisal_board")
    return render(request, "dossiers/appraisal_board.html", {"items": items})


@require_POST
@login_required
def task_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    from viewflow.workflow.models import Task

    dossier = _visible(request, pk)
    with refusals_shown(request):
        task = get_object_or_404(Task, pk=forms.integer(request.POST, "task", label=_("Task")),
                                 process__in=dossier.processes.all())
        to = None
        if request.POST.get("to"):
            to = get_object_or_404(get_user_model(), pk=forms.integer(request.POST, "to",
                                                                      label=_("To")))
        steps.task_reassign(actor=request.user, task=task, to=to,
                            reason=forms.text(request.POST, "reason", required=True,
                                              label=_("Reason")))
        messages.success(request, _("The task was reassigned."))
    return redirect("dossier", pk=dossier.pk)
