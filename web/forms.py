"""The input of every page form, read and validated by Django forms.

A step's form is registered for its row of ``dossiers.steps`` (``STEP_FORMS``); the
dossier page dispatches a step's action to it and then to the step's service, which
``arguments`` feeds. A form that is not valid changes nothing: each error names the
field (and, in tables, the criterion or village of its row).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task

from dossiers.columns import INT_MAX, column_length, no_control_characters
from dossiers.models import (
    Agency,
    AgendaItem,
    AppraisalStatus,
    Commune,
    CouncilMeeting,
    CriterionAppraisal,
    Decision,
    Dossier,
    DossierDocument,
    Evidence,
    Level,
    PublicComment,
    Step,
    Village,
)
from dossiers.steps import BY_NAME

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
YES_NO = [("yes", _("yes")), ("no", _("no"))]


class DateField(forms.DateField):
    """A date typed as dd/mm/yyyy; the refusal repeats what was typed."""

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except forms.ValidationError as exc:
            raise forms.ValidationError(
                _("“%(value)s” is not a date: write it as dd/mm/yyyy."), code="invalid",
                params={"value": value}) from exc


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return DateField(label=label, required=required, input_formats=DATE_FORMATS)


def yes_no(value: str) -> bool:
    return value == "yes"


def strict(field: forms.Field) -> forms.Field:
    """No control characters in text; integers within what their column can store."""
    if isinstance(field, forms.CharField) and no_control_characters not in field.validators:
        field.validators.append(no_control_characters)
    if isinstance(field, forms.IntegerField) and field.max_value is None:
        field.max_value = INT_MAX
        field.validators.append(MaxValueValidator(INT_MAX))
        field.widget.attrs.setdefault("max", INT_MAX)
    return field


class Form(forms.Form):
    """A page's form: its errors become the page's messages, each naming its field. Every
    field is strict (``strict``): whatever is typed, the form refuses it or it fits."""

    def full_clean(self) -> None:
        for field in self.fields.values():
            strict(field)
        super().full_clean()

    def problems(self) -> list[str]:
        found = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            found.extend(f"{label}: {error}" if label else str(error) for error in errors)
        return found


class DossierForm(Form):
    """A form about one dossier; ``arguments`` are the keyword arguments of its service."""

    def __init__(self, *args: Any, dossier: Dossier | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dossier = dossier

    def arguments(self) -> dict[str, Any]:
        return {"dossier": self.dossier, **self.cleaned_data}


STEP_FORMS: dict[str, type[DossierForm]] = {}


def for_step(name: str):
    """Register the form of step ``name`` of ``dossiers.steps``."""
    if name not in BY_NAME:
        raise LookupError(f"no step {name!r} in dossiers.steps")

    def register(form_class: type[DossierForm]) -> type[DossierForm]:
        STEP_FORMS[name] = form_class
        return form_class

    return register


@for_step("close_posting")
@for_step("finish_survey")
@for_step("submit")
class ConfirmForm(DossierForm):
    """A step that takes no input but the click."""


@for_step("publish")
class PublishForm(DossierForm):
    posting_starts_on = date_field(_("Posting starts on"), required=False)


@for_step("district")
class DistrictForm(DossierForm):
    report = forms.CharField(label=_("Verification report"), max_length=20000)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, max_value=1000)
    members = forms.IntegerField(label=_("Members"), min_value=1, max_value=1000)


@for_step("survey_appraisal")
class SurveyAppraisalForm(DossierForm):
    process_sound = forms.TypedChoiceField(label=_("The survey was run properly"),
                                           choices=YES_NO, coerce=yes_no)
    sample_surveyed = forms.IntegerField(label=_("Households sampled directly"), min_value=0,
                                         max_value=1_000_000, required=False)
    sample_satisfied = forms.IntegerField(label=_("Sampled households satisfied"), min_value=0,
                                          max_value=1_000_000, required=False)
    remark = forms.CharField(label=_("Remark"), required=False, max_length=5000)

    def arguments(self) -> dict[str, Any]:
        data = super().arguments()
        data["sample_surveyed"] = data["sample_surveyed"] or 0
        data["sample_satisfied"] = data["sample_satisfied"] or 0
        return data


@for_step("confirm_debt")
@for_step("confirm_security")
class ConfirmationForm(DossierForm):
    holds = forms.TypedChoiceField(label=_("The condition holds"), choices=YES_NO,
                                   coerce=yes_no)
    remark = forms.CharField(label=_("Remark"), required=False, max_length=5000)


@for_step("schedule")
class ScheduleForm(DossierForm):
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=CouncilMeeting.objects.none())
    report = forms.CharField(label=_("Consolidated report"), max_length=50000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = CouncilMeeting.objects.filter(
            council__province_id=self.dossier.commune.province_id)


@for_step("refuse")
@for_step("decline")
class ReasonForm(DossierForm):
    reason = forms.CharField(label=_("Reason"), max_length=5000)


class AgendaItemForm(DossierForm):
    item = forms.ModelChoiceField(label=_("Agenda item"), queryset=AgendaItem.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = AgendaItem.objects.filter(dossier=self.dossier)

    def arguments(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


@for_step("vote")
class VoteForm(AgendaItemForm):
    in_favour = forms.TypedChoiceField(label=_("Vote"), choices=YES_NO, coerce=yes_no)


@for_step("close_vote")
class CloseVoteForm(AgendaItemForm):
    defer = forms.BooleanField(label=_("The council defers the dossier to the commune"),
                               required=False)
    reason = forms.CharField(label=_("Reason for deferring"), required=False, max_length=5000)


@for_step("decide")
class DecisionForm(DossierForm):
    number = forms.CharField(label=_("Decision number"),
                             max_length=column_length(Decision, "number"))
    signed_on = date_field(_("Signed on"))
    signer_name = forms.CharField(label=_("Signed by"),
                                  max_length=column_length(Decision, "signer_name"))
    signer_title = forms.CharField(label=_("Signer's title"),
                                   max_length=column_length(Decision, "signer_title"))
    file = forms.FileField(label=_("Signed decision"))

    def arguments(self) -> dict[str, Any]:
        data = super().arguments()
        upload = data.pop("file")
        return {**data, "upload": upload, "name": upload.name}


@for_step("announce")
class AnnounceForm(DossierForm):
    announced_on = date_field(_("Announced on"))
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=column_length(Dossier, "certificate_number"))


class ItemsForm(DossierForm):
    """A table of appraisal items, one row of fields each: one dossier's, or the ``rows``
    given (a department's items across communes)."""

    def items(self) -> list[CriterionAppraisal]:
        raise NotImplementedError

    def __init__(self, *args: Any, rows: list[CriterionAppraisal] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = self.items() if rows is None else rows
        for item in self.rows:
            name = f"{item.criterion}" + (f" — {item.indicator}" if item.indicator_id else "")
            if self.dossier is None:
                name = f"{item.dossier.commune}: {name}"
            self.add_row(item, name)

    def add_row(self, item: CriterionAppraisal, name: str) -> None:
        raise NotImplementedError


@for_step("appraise")
class AppraisalForm(ItemsForm):
    """A department's results for the items it owns (the rows left blank are not touched)."""

    RESULTS = [("", "—"), ("met", _("met")), ("not_met", _("not met")),
               ("returned", _("return for supplement"))]

    def items(self) -> list[CriterionAppraisal]:
        return list(CriterionAppraisal.objects.filter(
            dossier=self.dossier, round=self.dossier.round,
            status__in=[AppraisalStatus.PENDING, AppraisalStatus.RESUBMITTED]).select_related(
            "criterion", "indicator", "agency"))

    def add_row(self, item: CriterionAppraisal, name: str) -> None:
        self.fields[f"result_{item.pk}"] = forms.ChoiceField(
            label=_("Result for %(criterion)s") % {"criterion": name}, choices=self.RESULTS,
            required=False)
        self.fields[f"remark_{item.pk}"] = forms.CharField(
            label=_("Remark for %(criterion)s") % {"criterion": name}, required=False,
            max_length=5000)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any(data.get(f"result_{item.pk}") for item in self.rows):
            raise forms.ValidationError(_("Choose a result for at least one criterion."))
        return data

    def calls(self) -> list[dict[str, Any]]:
        """One service call per row with a result."""
        return [{"item": item, "result": self.cleaned_data[f"result_{item.pk}"],
                 "remark": self.cleaned_data[f"remark_{item.pk}"]}
                for item in self.rows if self.cleaned_data.get(f"result_{item.pk}")]


@for_step("answer")
class AnswerForm(ItemsForm):
    """The commune's answers to the criteria returned to it."""

    def items(self) -> list[CriterionAppraisal]:
        return list(CriterionAppraisal.objects.filter(
            dossier=self.dossier, round=self.dossier.round,
            status=AppraisalStatus.RETURNED).select_related("criterion", "indicator", "agency"))

    def add_row(self, item: CriterionAppraisal, name: str) -> None:
        self.fields[f"response_{item.pk}"] = forms.CharField(
            label=_("Answer for %(criterion)s") % {"criterion": name}, required=False,
            max_length=5000)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any((data.get(f"response_{item.pk}") or "").strip() for item in self.rows):
            raise forms.ValidationError(_("Answer at least one returned criterion."))
        return data

    def calls(self) -> list[dict[str, Any]]:
        return [{"item": item, "response": self.cleaned_data[f"response_{item.pk}"]}
                for item in self.rows if self.cleaned_data.get(f"response_{item.pk}", "").strip()]


# --- edits of the dossier's content (not steps) ----------------------------------------
class EvidenceForm(DossierForm):
    criterion = forms.IntegerField(label=_("Criterion"), min_value=1)
    indicator = forms.IntegerField(label=_("Indicator"), min_value=1, required=False)
    file = forms.FileField(label=_("Evidence"))
    description = forms.CharField(label=_("Description"), required=False,
                                  max_length=column_length(Evidence, "description"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        criterion = self.dossier.criteria_set.criteria.filter(pk=data.get("criterion")).first()
        if criterion is None:
            raise forms.ValidationError(_("Choose a criterion of the dossier's set."))
        data["criterion"] = criterion
        if data.get("indicator"):
            data["indicator"] = criterion.indicators.filter(pk=data["indicator"]).first()
            if data["indicator"] is None:
                raise forms.ValidationError(_("Choose an indicator of that criterion."))
        return data

    def arguments(self) -> dict[str, Any]:
        data = super().arguments()
        upload = data.pop("file")
        return {**data, "indicator": data.get("indicator"), "upload": upload,
                "name": upload.name}


class CommentForm(DossierForm):
    author = forms.CharField(label=_("Comment author"),
                             max_length=column_length(PublicComment, "author"))
    organisation = forms.CharField(label=_("Organisation"), required=False,
                                   max_length=column_length(PublicComment, "organisation"))
    received_on = date_field(_("Received on"))
    content = forms.CharField(label=_("Comment"), max_length=10000)
    response = forms.CharField(label=_("Commune response"), required=False, max_length=10000)


class CommentResponseForm(DossierForm):
    """The commune's response to a comment recorded earlier."""

    comment = forms.ModelChoiceField(label=_("Comment"), queryset=PublicComment.objects.none())
    response = forms.CharField(label=_("Commune response"), max_length=10000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comment"].queryset = PublicComment.objects.filter(dossier=self.dossier)

    def arguments(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class DocumentForm(DossierForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=DossierDocument.Kind.choices)
    file = forms.FileField(label=_("Document"))

    def arguments(self) -> dict[str, Any]:
        data = super().arguments()
        upload = data.pop("file")
        return {**data, "upload": upload, "name": upload.name}


class SelfAssessmentForm(DossierForm):
    """Every line of the self-assessment (criterion, or indicator of it): the value, and for
    a judged line whether it is met (a measured line's is computed from the value)."""

    def __init__(self, *args: Any, lines: list[tuple[Any, Any, Any, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for criterion, indicator, _answer, computed in lines:
            key = self.key(criterion, indicator)
            name = f"{criterion.number}" + (f" — {indicator.code or indicator.name}"
                                            if indicator else "")
            self.fields[f"value_{key}"] = forms.CharField(
                label=_("Value of %(line)s") % {"line": name}, required=False, max_length=200)
            if not computed:
                self.fields[f"met_{key}"] = forms.ChoiceField(
                    label=_("Met for %(line)s") % {"line": name}, required=False,
                    choices=[("", "—"), ("yes", _("met")), ("no", _("not met"))])
            self.fields[f"note_{key}"] = forms.CharField(required=False, max_length=2000,
                                                         label=_("Note on %(line)s")
                                                         % {"line": name})
        self.fields["posting_starts_on"] = date_field(_("Posting starts on"), required=False)
        self.fields["finish"] = forms.BooleanField(required=False)

    @staticmethod
    def key(criterion: Any, indicator: Any) -> str:
        return f"{criterion.pk}_{indicator.pk if indicator else 0}"

    def changed_lines(self) -> list[dict[str, Any]]:
        """The lines whose value or answer differs from what is recorded (a measured line:
        its value; the service computes whether it is met)."""
        changed = []
        for criterion, indicator, answer, computed in self.lines:
            key = self.key(criterion, indicator)
            value = self.cleaned_data[f"value_{key}"].strip()
            line = {"criterion": criterion, "indicator": indicator, "value": value,
                    "note": self.cleaned_data[f"note_{key}"]}
            if computed:
                if value and not (answer and answer.value == value):
                    changed.append(line)
                continue
            met = self.cleaned_data[f"met_{key}"]
            if not met:
                continue
            if answer and answer.value == value and answer.met == (met == "yes"):
                continue
            changed.append({**line, "met": met == "yes"})
        return changed


class SurveyForm(DossierForm):
    """The survey figures of every village of the commune (blank villages untouched)."""

    def __init__(self, *args: Any, villages: list[Village], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.villages = villages
        for village in villages:
            for field, label, minimum in (("households", _("Households"), 1),
                                          ("surveyed", _("Households surveyed"), 0),
                                          ("satisfied", _("Households satisfied"), 0)):
                self.fields[f"{field}_{village.pk}"] = forms.IntegerField(
                    label=_("%(field)s in %(village)s") % {"field": label,
                                                           "village": village.name},
                    min_value=minimum, max_value=1_000_000, required=False)
            self.fields[f"households_reason_{village.pk}"] = forms.CharField(
                label=_("Why the households of %(village)s differ from the %(n)s registered")
                % {"village": village.name, "n": village.households}, required=False,
                max_length=2000)
        self.fields["finish"] = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for village in self.villages:
            given = [data.get(f"{f}_{village.pk}") for f in ("households", "surveyed",
                                                              "satisfied")]
            if given[0] is not None and None in given:
                raise forms.ValidationError(
                    _("Give households, surveyed and satisfied for %(village)s.")
                    % {"village": village.name})
        return data

    def figures(self) -> list[dict[str, Any]]:
        return [{"village": v, "households": self.cleaned_data[f"households_{v.pk}"],
                 "surveyed": self.cleaned_data[f"surveyed_{v.pk}"],
                 "satisfied": self.cleaned_data[f"satisfied_{v.pk}"],
                 "households_reason": self.cleaned_data[f"households_reason_{v.pk}"]}
                for v in self.villages if self.cleaned_data.get(f"households_{v.pk}")]


# --- the coordination office's pages ------------------------------------------------------
class MeetingCreateForm(Form):
    council = forms.ModelChoiceField(label=_("Council"), queryset=Agency.objects.none())
    title = forms.CharField(label=_("Title"),
                            max_length=column_length(CouncilMeeting, "title"))
    date = date_field(_("Date"))

    def __init__(self, *args: Any, councils: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils


class MeetingForm(Form):
    """Opening (with who is present) or closing one of the office's meetings."""

    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=CouncilMeeting.objects.none())
    present = forms.ModelMultipleChoiceField(label=_("Members present"), required=False,
                                             queryset=get_user_model().objects.none())

    def __init__(self, *args: Any, meetings: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["present"].queryset = members


class DeadlineForm(Form):
    step = forms.ChoiceField(label=_("Step"), choices=Step.choices)
    due_on = date_field(_("Due on"))
    reason = forms.CharField(label=_("Reason"), max_length=5000)


class RegistrationForm(Form):
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=Commune.objects.none())
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)

    def __init__(self, *args: Any, communes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes


class ReassignForm(Form):
    task = forms.ModelChoiceField(label=_("Task"), queryset=Task.objects.none())
    to = forms.ModelChoiceField(label=_("Give to"), required=False,
                                queryset=get_user_model().objects.filter(is_active=True))
    reason = forms.CharField(label=_("Reason"), max_length=5000)

    def __init__(self, *args: Any, tasks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = tasks
