from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.labels import ACTIONS
from dossiers.audit_review import audit_provinces
from dossiers.columns import BIGINT_MAX, no_control_characters
from dossiers.models import Agency, Commune

DATE_WIDGET = forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y")


class AuditFilterForm(forms.Form):
    dossier = forms.IntegerField(label=_("Dossier no."), required=False, min_value=1,
                                 max_value=BIGINT_MAX)
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=Commune.objects.none(),
                                     required=False)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none(),
                                    required=False)
    actor = forms.CharField(label=_("Actor (login)"), required=False, max_length=150,
                            validators=[no_control_characters])
    action = forms.ChoiceField(label=_("Action"), required=False)
    date_from = forms.DateField(label=pgettext_lazy("date range", "From"), required=False, widget=DATE_WIDGET,
                                input_formats=["%d/%m/%Y"])
    date_to = forms.DateField(label=pgettext_lazy("date range", "To"), required=False, widget=DATE_WIDGET,
                              input_formats=["%d/%m/%Y"])

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provinces = audit_provinces(user)
        communes = Commune.objects.filter(dossiers__isnull=False).distinct()
        agencies = Agency.objects.all()
        if provinces is not None:
            communes = communes.filter(province_id__in=provinces)
            agencies = agencies.filter(province_id__in=provinces)
        self.fields["commune"].queryset = communes.order_by("name")
        self.fields["agency"].queryset = agencies.order_by("name")
        self.fields["action"].choices = [("", _("All actions"))] + sorted(
            ((code, str(label)) for code, label in ACTIONS.items()), key=lambda c: c[1])

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {key: data.get(key) for key in ("dossier", "commune", "agency", "actor", "action",
                                                "date_from", "date_to")}

    def describe(self) -> str:
        parts = []
        for name, value in self.filters().items():
            if value not in (None, ""):
                if hasattr(value, "strftime"):
                    value = value.strftime("%d/%m/%Y")
                elif name == "action":
                    value = ACTIONS.get(value, value)
                parts.append(f"{self.fields[name].label}: {value}")
        return "; ".join(str(p) for p in parts) or str(_("no filter"))
