"""Mergers of communes: the coordination office (or an administrator) records one and sees,
for each level, whether the new commune inherits it and why."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers.exceptions import RuleViolation
from dossiers.models import Agency, Commune, Dossier, DossierStatus, Merger, Province
from workflow.services import merger_record

from ..forms import DATE_FORMATS, Form
from ..refusals import refusals_shown


class MergerForm(Form):
    new_commune = django_forms.ModelChoiceField(label=gettext_lazy("New commune"),
                                                queryset=Commune.objects.none())
    predecessors = django_forms.ModelMultipleChoiceField(
        label=gettext_lazy("Predecessor communes"), queryset=Commune.objects.none())
    legal_act = django_forms.CharField(label=gettext_lazy("Legal act"), max_length=200)
    effective_on = django_forms.DateField(label=gettext_lazy("Effective on"),
                                          input_formats=DATE_FORMATS)

    def __init__(self, *args: Any, communes: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_commune"].queryset = communes
        self.fields["predecessors"].queryset = communes


def provinces_of(user: Any) -> QuerySet:
    """The provinces whose mergers ``user`` records: an administrator's all, a coordination
    office's own."""
    if user.is_superuser:
        return Province.objects.all()
    return Province.objects.filter(agencies__kind=Agency.Kind.COORDINATION_OFFICE,
                                   agencies__active=True,
                                   agencies__memberships__user=user).distinct()


def _provinces(request: HttpRequest) -> QuerySet:
    provinces = provinces_of(request.user)
    if not provinces.exists():
        raise PermissionDenied(_("Only the coordination office and administrators see the "
                                 "mergers."))
    return provinces


@login_required
def merger_list(request: HttpRequest) -> HttpResponse:
    provinces = _provinces(request)
    communes = Commune.objects.filter(province__in=provinces).select_related("province")
    if request.method == "POST":
        form = MergerForm(request.POST, communes=communes)
        with refusals_shown(request):
            if not form.is_valid():
                raise RuleViolation(form.problems())
            merger = merger_record(
                actor=request.user, new_commune=form.cleaned_data["new_commune"],
                predecessors=list(form.cleaned_data["predecessors"]),
                legal_act=form.cleaned_data["legal_act"],
                effective_on=form.cleaned_data["effective_on"])
            messages.success(request, _("The merger was recorded."))
            return redirect("merger", pk=merger.pk)
        return redirect("mergers")
    return render(request, "mergers/list.html", {
        "mergers": Merger.objects.filter(province__in=provinces).select_related(
            "new_commune").prefetch_related("predecessors", "outcomes"),
        "communes": communes.order_by("province__code", "name"),
    })


@login_required
def merger_detail(request: HttpRequest, pk: int) -> HttpResponse:
    merger = get_object_or_404(Merger.objects.filter(province__in=_provinces(request))
                               .select_related("new_commune", "recorded_by"), pk=pk)
    return render(request, "mergers/detail.html", {
        "merger": merger, "predecessors": merger.predecessors.order_by("name"),
        "outcomes": merger.outcomes.all(),
        "closed": Dossier.objects.filter(commune__in=merger.predecessors.all(),
                                         status=DossierStatus.CLOSED_BY_MERGER
                                         ).select_related("commune", "batch"),
    })
