"""A dossier's official documents as PDF, for those who may read the dossier."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET

from dossiers.documents import KINDS
from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.models import Agency, Dossier
from dossiers.services.documents import GeneratedDocument, document_generate

from ..scoping import hide_unless_readable


def pdf_response(document: GeneratedDocument) -> HttpResponse:
    response = HttpResponse(document.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def department_of(raw: str | None) -> Agency | None:
    """The ``agency`` query parameter: a department's id, or nothing."""
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise Http404
    return get_object_or_404(Agency, pk=int(raw), kind=Agency.Kind.DEPARTMENT)


@require_GET
@login_required
def dossier_document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    dossier = get_object_or_404(Dossier.objects.select_related(
        "commune__province", "batch", "criteria_set", "regulation"), pk=pk)
    hide_unless_readable(request.user, dossier)
    try:
        document = document_generate(actor=request.user, dossier=dossier, kind=kind,
                                     agency=department_of(request.GET.get("agency")))
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except RuleViolation as exc:
        for problem in exc.problems:
            messages.error(request, problem)
        return redirect("dossier", pk=pk)
    return pdf_response(document)
