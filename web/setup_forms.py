"""The forms of the set-up workspace (``web.views.setup``): shapes and limits only; the
services check every rule and right."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dossiers.columns import no_control_characters
from dossiers.models import Agency, Commune, CriteriaSet, Province

PHONE = RegexValidator(r"^[0-9 +().-]*\Z", _("Write the phone number with digits, spaces, "
                                              "+ ( ) . or - only."))


class SetupForm(forms.Form):
    """No control characters in any text field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(no_control_characters)


def _text(label: Any, max_length: int, required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=required, **kwargs)


def _reason(required: bool = True) -> forms.CharField:
    return _text(_("Reason"), 500, required=required)


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class ProvinceImportForm(SetupForm):
    code = forms.IntegerField(label=_("Official province code"), min_value=1, max_value=99)


class CommuneFilter(SetupForm):
    q = _text(_("Name or code"), 100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("all"))] + Commune.Kind.choices)
    group = forms.TypedChoiceField(label=_("Commune group"), required=False, coerce=int,
                                   empty_value=None,
                                   choices=[("", _("all"))] + Commune.Group.choices)
    region = forms.ChoiceField(label=_("Region"), required=False,
                               choices=[("", _("all"))] + Commune.Region.choices)


class ClassifyForm(SetupForm):
    group = forms.TypedChoiceField(label=_("Commune group (2026-2030)"), required=False,
                                   coerce=int, empty_value=None,
                                   choices=[("", "—")] + Commune.Group.choices)
    group_decided_on = _date(_("Group decided on"), required=False)
    region = forms.ChoiceField(label=_("Region (2021-2025)"), required=False,
                               choices=[("", "—")] + Commune.Region.choices)
    region_decided_on = _date(_("Region decided on"), required=False)
    district = forms.ModelChoiceField(label=_("District (historic)"), required=False,
                                      queryset=None)
    reason = _reason(required=False)

    def __init__(self, *args: Any, province: Province, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = province.districts.order_by("name")


class VillageForm(SetupForm):
    name = _text(_("Village"), 120)
    households = forms.IntegerField(label=_("Households"), min_value=0, max_value=100000)


class DistrictForm(SetupForm):
    code = forms.RegexField(label=_("Official code"), regex=r"^[0-9]{1,8}\Z", max_length=8)
    name = _text(_("Name"), 120)
    abolished_on = _date(_("Abolished on"), required=False)


class AgencyFilter(SetupForm):
    q = _text(_("Name or code"), 100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("all"))] + Agency.Kind.choices)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("all")), ("yes", _("active")), ("no", _("deactivated"))])


class AgencyForm(SetupForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Agency.Kind.choices)
    code = forms.SlugField(label=_("Code"), max_length=64)
    name = _text(_("Name"), 200)
    commune = forms.ModelChoiceField(label=_("Commune (commune-level agencies)"),
                                     required=False, queryset=None)
    district = forms.ModelChoiceField(label=_("District (historic district committee)"),
                                      required=False, queryset=None)
    confirms_debt = forms.BooleanField(label=_("Confirms capital-construction debt"),
                                       required=False)
    confirms_security = forms.BooleanField(label=_("Confirms the security condition"),
                                           required=False)

    def __init__(self, *args: Any, province: Province, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = province.communes.order_by("name")
        self.fields["district"].queryset = province.districts.order_by("name")


class AgencyEditForm(SetupForm):
    name = _text(_("Name"), 200)
    confirms_debt = forms.BooleanField(label=_("Confirms capital-construction debt"),
                                       required=False)
    confirms_security = forms.BooleanField(label=_("Confirms the security condition"),
                                           required=False)
    reason = _reason(required=False)


class ReasonForm(SetupForm):
    reason = _reason()


class InviteForm(SetupForm):
    full_name = _text(_("Full name"), 300)
    username = _text(_("Login name"), 150, validators=[UnicodeUsernameValidator()])
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    title = _text(_("Position"), 120, required=False)
    phone = _text(_("Phone"), 20, required=False, validators=[PHONE])
    is_head = forms.BooleanField(label=_("Head of the agency"), required=False)
    is_delegate = forms.BooleanField(label=_("Delegate of the chairman"), required=False)


class PersonForm(SetupForm):
    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = _reason()


class MappingFilter(SetupForm):
    criteria_set = forms.ModelChoiceField(label=_("Criteria set"), required=False,
                                          queryset=CriteriaSet.objects.none())

    def __init__(self, *args: Any, sets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criteria_set"].queryset = sets


class MappingForm(SetupForm):
    target = forms.ChoiceField(label=_("Criterion or single indicator"))
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    reason = _reason(required=False)

    def __init__(self, *args: Any, targets: list[tuple[str, str]], agencies: Any,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets
        self.fields["agency"].queryset = agencies


class CopyForm(SetupForm):
    source_set = forms.ModelChoiceField(label=_("From the criteria set"), required=False,
                                        queryset=CriteriaSet.objects.none())
    source_province = forms.ModelChoiceField(label=_("From the province"), required=False,
                                             queryset=Province.objects.all())

    def __init__(self, *args: Any, sets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source_set"].queryset = sets


class ProfileForm(SetupForm):
    valid_from = _date(_("In force from"))
    legal_basis = _text(_("Legal basis"), 300, required=False)
    survey_coverage_min = _text(_("Minimum share of households surveyed"), 16)
    survey_satisfaction_min = _text(_("Minimum share of surveyed households satisfied"), 16)
    council_quorum = _text(_("Council quorum (members present)"), 16)
    council_approval_min = _text(_("Council approval (votes for, of members present)"), 16)
    survey_households_tolerance = forms.IntegerField(
        label=_("Survey households may differ from the registered count by (%)"),
        min_value=0, max_value=100)
    posting_days = forms.IntegerField(label=_("Public posting (days)"), min_value=1,
                                      max_value=365)
    province_answer_working_days = forms.IntegerField(
        label=_("Province answers within (working days)"), min_value=1, max_value=365)
    district_verification = forms.BooleanField(
        label=_("District verification step (older variant)"), required=False)
    reason = _reason()


class BatchFilter(SetupForm):
    recognition_year = forms.IntegerField(label=_("Recognition year"), required=False,
                                          min_value=2000, max_value=2100)
    closed = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("all")), ("no", _("open")), ("yes", _("closed"))])


class BatchForm(SetupForm):
    recognition_year = forms.IntegerField(label=_("Recognition year"), min_value=2000,
                                          max_value=2100)
    number = forms.IntegerField(label=_("Batch number"), min_value=1, max_value=99)
    title = _text(pgettext_lazy("batch", "Title"), 200, required=False)


class BatchEditForm(SetupForm):
    batch = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    title = _text(pgettext_lazy("batch", "Title"), 200, required=False)
    closed = forms.BooleanField(label=_("Closed (takes no new registration)"), required=False)
    reason = _reason(required=False)


class PolicyForm(SetupForm):
    days_before = _text(_("Remind this many days before the due date"), 60,
                        help_text=_("Whole numbers separated by commas, e.g. 7,3,1,0."))
    overdue_every_days = forms.IntegerField(label=_("While overdue, remind every (days)"),
                                            min_value=1, max_value=90)
    escalate_after_days = forms.IntegerField(label=_("Escalate after this many days overdue"),
                                             min_value=0, max_value=365)
    reason = _reason(required=False)


