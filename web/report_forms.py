"""The inputs of the report and roadmap pages (and API): a province, a period; a target."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.columns import no_control_characters
from dossiers.exceptions import RuleViolation
from dossiers.models import Level, Province
from dossiers.services.roadmap import YEAR_MAX, YEAR_MIN
from reports.periods import KINDS, Period, period_of

ALL = "all"


class ReportForm(forms.Form):
    province = forms.ChoiceField(label=_("Province"), required=False)
    kind = forms.ChoiceField(label=_("Period"), choices=list(KINDS.items()), required=False)
    year = forms.IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX,
                              required=False)
    number = forms.IntegerField(label=_("Number (month, quarter or half)"), min_value=1,
                                max_value=12, required=False)
    start = forms.DateField(label=_("From (dd/mm/yyyy)"), required=False,
                            input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    end = forms.DateField(label=_("To (dd/mm/yyyy)"), required=False,
                          input_formats=["%d/%m/%Y", "%Y-%m-%d"])

    def __init__(self, data: Any, *, provinces: list[Province], national: bool) -> None:
        today = timezone.localdate()
        given = {k: v for k, v in data.items() if v not in ("", None)}
        kind = given.get("kind", "month")
        # Without a number, the part of the year today falls in.
        number = {"quarter": (today.month - 1) // 3 + 1,
                  "half": 1 if today.month <= 6 else 2}.get(kind, today.month)
        data = {"kind": "month", "year": today.year, "number": number,
                "province": ALL if national else (provinces[0].code if provinces else ""),
                **given}
        super().__init__(data)
        self.provinces = provinces
        choices = [(p.code, p.name) for p in provinces]
        if national:
            choices.insert(0, (ALL, _("All provinces")))
        self.fields["province"].choices = choices

    def chosen(self) -> tuple[list[Province], Period]:
        """The provinces and the period asked for; a RuleViolation says what is wrong."""
        if not self.is_valid():
            raise RuleViolation([f"{self.fields[name].label}: {' '.join(errors)}"
                                 for name, errors in self.errors.items()])
        data = self.cleaned_data
        code = data["province"]
        provinces = self.provinces if code == ALL else [p for p in self.provinces
                                                         if p.code == code]
        period = period_of(kind=data["kind"] or "month", year=data["year"],
                           number=data["number"], start=data["start"], end=data["end"])
        return provinces, period


class RoadmapTargetForm(forms.Form):
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=None)
    level = forms.ChoiceField(label=_("Target level"), choices=Level.choices)
    year = forms.IntegerField(label=_("Target year"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    note = forms.CharField(label=_("Note"), max_length=300, required=False,
                           validators=[no_control_characters])

    def __init__(self, *args: Any, province: Province, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = province.communes.order_by("name")


class RoadmapRemoveForm(forms.Form):
    target = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    reason = forms.CharField(label=_("Reason"), max_length=500,
                             validators=[no_control_characters])


class RoadmapImportForm(forms.Form):
    sheet = forms.FileField(label=_("Excel file (.xlsx)"))
