"""The recognition process (DOMAIN.md section 4) as one viewflow flow: the graph.

Every human task belongs to an agency (or, for a vote, to one council member) and is
completed only by its step (a row of ``dossiers.steps``, run by ``workflow.kernel``),
which applies the row's transition and then completes the task. The automatic nodes
below only create work (appraisal items) or make the one transition that follows from
the joined tasks.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from dossiers.exceptions import RuleViolation
from dossiers.models import Agency, AgendaItem, CriterionAppraisal, Dossier, DossierStatus
from dossiers.services.appraisal import appraisal_items_open
from dossiers.steps import BY_NODE

from .kernel import automatic_transition
from .models import DossierProcess
from .nodes import AgencyTask, DynamicSplit, MemberTask

K = Agency.Kind


def label(node: str) -> Any:
    """A human task's title: its row's label in the step table."""
    return BY_NODE[node].label


def _dossier(activation: Any) -> Dossier:
    return activation.process.dossier


def _found(agency: Agency | None, what: str, where: Any) -> Agency:
    """The agency a task belongs to; a missing one is a refusal that names it, never a raw
    lookup error (registration checks these agencies, but one may be deactivated later)."""
    if agency is None:
        raise RuleViolation(_("%(where)s has no active %(what)s: set it up, then try again.")
                            % {"where": where, "what": what})
    return agency


def _province_agency(dossier: Dossier, what: str, **filters: Any) -> Agency:
    province = dossier.commune.province
    return _found(Agency.objects.filter(province_id=province.pk, active=True, **filters)
                  .order_by("pk").first(), what, province)


def _commune_agency(dossier: Dossier, kind: str) -> Agency:
    return _found(Agency.objects.filter(commune_id=dossier.commune_id, kind=kind, active=True)
                  .order_by("pk").first(), Agency.Kind(kind).label, dossier.commune)


class RecognitionFlow(flow.Flow):
    process_class = DossierProcess
    # viewflow's select_for_update lock, waiting for the row instead of NOWAIT: the default
    # ``lock.select_for_update_lock`` retries a refused NOWAIT inside the caller's
    # transaction, which PostgreSQL has already aborted (viewflow issue #161), so a service
    # called within a transaction could never get the lock after one collision.
    lock_impl = lock.SelectForUpdateLock(nowait=False)
    process_title = _("Recognition of a commune")
    process_description = _("From self-assessment to the chairman's decision and announcement.")

    start = flow.StartHandle(this.start_process).Next(this.self_assessment)

    self_assessment = AgencyTask(this.commune_committee).Annotation(
        title=label("self_assessment")).Next(this.public_posting)
    public_posting = AgencyTask(this.commune_committee).Annotation(
        title=label("public_posting")).Next(this.survey)
    survey = AgencyTask(this.commune_front).Annotation(
        title=label("survey")).Next(this.submission)
    submission = AgencyTask(this.commune_committee).Annotation(
        title=label("submission")).Next(this.needs_district)

    needs_district = (
        flow.If(this.is_district_variant)
        .Then(this.district_verification)
        .Else(this.open_appraisal)
    )
    district_verification = AgencyTask(this.district_committee).Annotation(
        title=label("district_verification")).Next(this.open_appraisal)

    open_appraisal = flow.Function(this.create_appraisals).Next(this.appraisal_split)
    appraisal_split = (
        DynamicSplit()
        .Each(this.department_appraisal, this.appraising_agencies)
        .Always(this.survey_appraisal)
        .Always(this.debt_confirmation)
        .Always(this.security_confirmation)
    )
    department_appraisal = AgencyTask(this.task_agency).Annotation(
        title=label("department_appraisal")).Next(this.any_returned, task_data=this.same_agency)
    any_returned = (
        flow.If(this.has_returned_items)
        .Then(this.answer_returns, task_data=this.same_agency)
        .Else(this.appraisal_join)
    )
    answer_returns = AgencyTask(this.commune_committee).Annotation(
        title=label("answer_returns")).Next(this.department_appraisal,
                                                  task_data=this.same_agency)
    survey_appraisal = AgencyTask(this.provincial_front).Annotation(
        title=label("survey_appraisal")).Next(this.appraisal_join)
    debt_confirmation = AgencyTask(this.debt_agency).Annotation(
        title=label("debt_confirmation")).Next(this.appraisal_join)
    security_confirmation = AgencyTask(this.security_agency).Annotation(
        title=label("security_confirmation")).Next(this.appraisal_join)
    appraisal_join = flow.Join().Next(this.close_appraisal)
    close_appraisal = flow.Function(this.close_appraisal_step).Next(this.consolidation)

    consolidation = AgencyTask(this.coordination_office).Annotation(
        title=label("consolidation")).Next(this.is_on_agenda)
    is_on_agenda = flow.If(this.on_council_agenda).Then(this.vote_split).Else(this.end)

    vote_split = (
        DynamicSplit()
        .Each(this.vote, this.council_members)
        .Always(this.close_vote)
    )
    vote = MemberTask(this.vote_owner).Annotation(
        title=label("vote")).Next(this.vote_join)
    close_vote = AgencyTask(this.coordination_office).Annotation(
        title=label("close_vote")).Next(this.vote_join)
    vote_join = flow.Join(continue_on_condition=this.vote_closed).Next(this.council_outcome)
    council_outcome = (
        flow.Switch()
        .Case(this.decision, this.awaits_decision)
        .Case(this.consolidation, this.back_in_consolidation)
        .Default(this.end)
    )

    decision = AgencyTask(this.provincial_committee).Annotation(
        title=label("decision")).Next(this.is_recognised)
    is_recognised = flow.If(this.recognised).Then(this.announcement).Else(this.end)
    announcement = AgencyTask(this.coordination_office).Annotation(
        title=label("announcement")).Next(this.end)

    end = flow.End()

    # --- start -----------------------------------------------------------------
    def start_process(self, activation: Any, dossier: Dossier) -> DossierProcess:
        activation.process.dossier = dossier
        activation.process.round = dossier.round
        return activation.process

    def service_only_view(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """Tasks are done from the dossier's pages, which call the services."""
        return HttpResponseRedirect("/")

    # --- owners --------------------------------------------------------------------
    def commune_committee(self, activation: Any) -> Agency:
        return _commune_agency(_dossier(activation), K.COMMUNE_COMMITTEE)

    def commune_front(self, activation: Any) -> Agency:
        return _commune_agency(_dossier(activation), K.COMMUNE_FRONT)

    def district_committee(self, activation: Any) -> Agency:
        commune = _dossier(activation).commune
        if commune.district_id is None:
            raise RuleViolation(_("%(commune)s belongs to no district, but its dossier follows "
                                  "the older variant with district verification.")
                                % {"commune": commune})
        return _found(Agency.objects.filter(district_id=commune.district_id,
                                            kind=K.DISTRICT_COMMITTEE, active=True)
                      .order_by("pk").first(), Agency.Kind.DISTRICT_COMMITTEE.label,
                      commune.district)

    def provincial_front(self, activation: Any) -> Agency:
        return _province_agency(_dossier(activation), K.PROVINCIAL_FRONT.label,
                                kind=K.PROVINCIAL_FRONT)

    def debt_agency(self, activation: Any) -> Agency:
        return _province_agency(_dossier(activation), _("agency confirming debt"),
                                confirms_debt=True)

    def security_agency(self, activation: Any) -> Agency:
        return _province_agency(_dossier(activation), _("agency confirming security"),
                                confirms_security=True)

    def coordination_office(self, activation: Any) -> Agency:
        return _province_agency(_dossier(activation), K.COORDINATION_OFFICE.label,
                                kind=K.COORDINATION_OFFICE)

    def provincial_committee(self, activation: Any) -> Agency:
        return _province_agency(_dossier(activation), K.PROVINCIAL_COMMITTEE.label,
                                kind=K.PROVINCIAL_COMMITTEE)

    def task_agency(self, activation: Any) -> Agency:
        agency = Agency.objects.filter(pk=activation.task.data["agency"]).first()
        return _found(agency, _("appraising department"), _dossier(activation).commune.province)

    def same_agency(self, activation: Any) -> dict:
        return {"agency": activation.task.data["agency"]}

    def vote_owner(self, activation: Any) -> Any:
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(pk=activation.task.data["member"])

    # --- data sources and conditions ------------------------------------------------
    def is_district_variant(self, activation: Any) -> bool:
        return _dossier(activation).regulation.district_verification

    def create_appraisals(self, activation: Any) -> None:
        appraisal_items_open(dossier=_dossier(activation))

    def appraising_agencies(self, activation: Any) -> list[dict]:
        dossier = _dossier(activation)
        agency_ids = (CriterionAppraisal.objects.filter(dossier=dossier, round=dossier.round)
                      .values_list("agency_id", flat=True).distinct().order_by("agency_id"))
        return [{"agency": pk} for pk in agency_ids]

    def has_returned_items(self, activation: Any) -> bool:
        dossier = _dossier(activation)
        return CriterionAppraisal.objects.filter(
            dossier=dossier, round=dossier.round, agency_id=activation.task.data["agency"],
            status="returned").exists()

    def close_appraisal_step(self, activation: Any) -> None:
        automatic_transition(dossier=_dossier(activation), name="close_appraisal",
                             checks=("appraisal_open_problems",),
                             reason=_("all appraisals and confirmations are in"))

    def on_council_agenda(self, activation: Any) -> bool:
        return _dossier(activation).status == DossierStatus.COUNCIL

    def council_members(self, activation: Any) -> list[dict]:
        item = self.open_agenda_item(_dossier(activation))
        members = (item.meeting.council.memberships.filter(user__is_active=True)
                   .order_by("user_id").values_list("user_id", flat=True))
        return [{"member": pk, "item": item.pk} for pk in members]

    def vote_closed(self, activation: Any, active_tasks: Any) -> bool:
        item = self.last_agenda_item(_dossier(activation))
        return item is not None and item.result != AgendaItem.Result.OPEN

    def awaits_decision(self, activation: Any) -> bool:
        return _dossier(activation).status == DossierStatus.AWAITING_DECISION

    def back_in_consolidation(self, activation: Any) -> bool:
        return _dossier(activation).status == DossierStatus.CONSOLIDATION

    def recognised(self, activation: Any) -> bool:
        return _dossier(activation).status == DossierStatus.RECOGNISED

    @staticmethod
    def last_agenda_item(dossier: Dossier) -> AgendaItem | None:
        return (AgendaItem.objects.filter(dossier=dossier, kind=AgendaItem.Kind.RECOGNITION)
                .select_related("meeting__council").order_by("-pk").first())

    def open_agenda_item(self, dossier: Dossier) -> AgendaItem:
        item = self.last_agenda_item(dossier)
        if item is None or item.result != AgendaItem.Result.OPEN:
            raise RuleViolation(_("%(dossier)s is on no open council agenda.")
                                % {"dossier": dossier})
        return item
