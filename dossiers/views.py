"""The dossier page (read-only for now: status, open tasks with due dates, legal conditions)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import conditions
from .models import Dossier


@require_GET
@login_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from viewflow.workflow.models import Task

    from notifications.deadlines import open_task_deadlines
    from workflow.models import DossierProcess

    dossier = get_object_or_404(Dossier.objects.select_related(
        "commune__province", "batch", "criteria_set", "regulation"), pk=pk)
    if not request.user.has_perm("dossiers.view_dossier", dossier):
        raise PermissionDenied(_("You may not see this dossier."))
    tasks = Task.objects.filter(process__in=DossierProcess.objects.filter(dossier=dossier),
                                status__in=["NEW", "ASSIGNED", "STARTED"], flow_task_type="HUMAN")
    return render(request, "dossiers/detail.html", {
        "dossier": dossier,
        "deadlines": open_task_deadlines(tasks=tasks),
        "legal_conditions": conditions.legal_conditions(dossier),
    })
