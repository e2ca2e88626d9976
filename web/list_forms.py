"""Filters of the inbox and of the dossier list: what a person may narrow by, validated."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dossiers.models import Batch, DossierStatus, Level
from dossiers.steps import BY_NODE

ANY = [("", "—")]


class InboxFilter(forms.Form):
    step = forms.ChoiceField(label=_("Step"), required=False,
                             choices=ANY + [(node, row.label) for node, row in BY_NODE.items()])
    batch = forms.ModelChoiceField(label=_("Batch"), required=False, queryset=Batch.objects.none(),
                                   empty_label="—")
    commune = forms.CharField(label=_("Commune"), required=False, max_length=100, strip=True)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        ("due", _("due date, soonest first")),
        ("-due", _("due date, latest first")),
        ("commune", pgettext_lazy("sort", "commune")),
        ("step", pgettext_lazy("sort", "step")),
    ])

    def __init__(self, *args: Any, batches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batches


class DossierFilter(forms.Form):
    q = forms.CharField(label=_("Commune, commune code or dossier number"), required=False,
                        max_length=100, strip=True)
    level = forms.ChoiceField(label=_("Target level"), required=False,
                              choices=ANY + list(Level.choices))
    batch = forms.ModelChoiceField(label=_("Batch"), required=False, queryset=Batch.objects.none(),
                                   empty_label="—")
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=ANY + list(DossierStatus.choices))
    overdue = forms.BooleanField(label=_("With an overdue step"), required=False)

    def __init__(self, *args: Any, batches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batches
