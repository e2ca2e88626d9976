"""Drives a dossier through the process as the real role users, through the services.

Used by ``seed_demo`` to put demo dossiers at every step, and by the tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractUser
from django.utils import timezone
from viewflow.workflow.models import Task

from dossiers import thresholds
from dossiers.conditions import self_assessment_items
from dossiers.models import (
    AgendaItem,
    Commune,
    Confirmation,
    CouncilMeeting,
    CriterionAppraisal,
    Decision,
    Dossier,
    DossierDocument,
)
from dossiers.services import assessment
from dossiers.services.council import meeting_close, meeting_create, meeting_open
from workflow import services
from workflow.flows import RecognitionFlow
from workflow.models import DossierProcess

from .files import pdf
from .province import BatchKit

OPEN = ["NEW", "ASSIGNED", "STARTED"]


@dataclass(kw_only=True, eq=False)
class Journey:
    """One dossier on its way through the process.

    ``dossier`` is re-read after each step; ``meeting`` and ``item`` are the council
    meeting and the agenda item the dossier is on, once scheduled."""

    kit: BatchKit = field(repr=False)
    dossier: Dossier
    meeting: CouncilMeeting | None = None
    item: AgendaItem | None = None
    commune: Commune = field(init=False)

    def __post_init__(self) -> None:
        self.commune = self.dossier.commune

    @classmethod
    def register(cls, kit: BatchKit, commune: Commune, level: str, *,
                 registered_days_ago: int = 30) -> Journey:
        """The commune registers ``level`` in the kit's batch. The demo's dossiers are taken
        to have been registered ``registered_days_ago`` days ago, so that their posting can
        have started (and lasted its days) after the registration, as the rules require."""
        dossier = services.dossier_register(actor=kit.account(f"ubnd_{commune.code}"),
                                            commune=commune, level=level, batch=kit.batch)
        return cls.of(kit, dossier, registered_days_ago=registered_days_ago)

    @classmethod
    def of(cls, kit: BatchKit, dossier: Dossier, *, registered_days_ago: int = 30) -> Journey:
        """The journey of a dossier just registered, its registration moved back in time."""
        if registered_days_ago:
            # Demo history only: no service moves a registration date.
            Dossier.objects.filter(pk=dossier.pk).update(
                registered_at=timezone.now() - dt.timedelta(days=registered_days_ago))
            dossier.refresh_from_db()
        return cls(kit=kit, dossier=dossier)

    # --- people ------------------------------------------------------------------
    @property
    def commune_officer(self) -> AbstractUser:
        return self.u(f"ubnd_{self.commune.code}")

    @property
    def front_officer(self) -> AbstractUser:
        return self.u(f"mttq_{self.commune.code}")

    def u(self, name: str) -> AbstractUser:
        return self.kit.account(name)

    def confirmer(self, *, kind: str) -> AbstractUser:
        """The demo user of the agency that gives a confirmation (debt or security)."""
        flag = {Confirmation.Kind.DEBT: "confirms_debt",
                Confirmation.Kind.SECURITY: "confirms_security"}[kind]
        agency = next(a for a in self.kit.agencies.values() if getattr(a, flag))
        return agency.memberships.order_by("pk").first().user

    def refresh(self) -> Dossier:
        self.dossier = Dossier.objects.get(pk=self.dossier.pk)
        return self.dossier

    def _meeting(self) -> CouncilMeeting:
        if self.meeting is None:
            raise LookupError("The dossier has no meeting yet: call new_meeting or schedule.")
        return self.meeting

    def _item(self) -> AgendaItem:
        if self.item is None:
            raise LookupError("The dossier is on no agenda yet: call schedule.")
        return self.item

    # --- what the flow holds -------------------------------------------------------
    def open_tasks(self) -> list[str]:
        process = DossierProcess.objects.filter(dossier=self.dossier).order_by("-pk").first()
        return sorted(t.flow_task.name for t in Task.objects.filter(process=process, flow_task_type="HUMAN",
                                                                    status__in=OPEN))

    def tasks_of(self, node_name: str) -> list[Task]:
        return list(Task.objects.filter(process__in=DossierProcess.objects.filter(
            dossier=self.dossier), flow_task=getattr(RecognitionFlow, node_name),
            status__in=OPEN))

    # --- steps ---------------------------------------------------------------------
    def self_assess(self, *, met: bool = True) -> None:
        """Every line met (or not): a measured indicator gets a value that meets (or misses)
        the threshold of the dossier's group; a judged one is claimed."""
        place = thresholds.place_of(self.dossier)
        for criterion, indicator in self_assessment_items(self.dossier):
            rule = thresholds.threshold_for(indicator, place) if indicator else None
            value = "đạt"
            if thresholds.is_computed(indicator, rule):
                below_or_above = rule.value + 1 if rule.comparison == "lte" else rule.value - 1
                value = str(rule.value if met else below_or_above)
            assessment.self_assessment_set(actor=self.commune_officer, dossier=self.dossier,
                                           criterion=criterion, indicator=indicator,
                                           value=value, met=met)
        self.refresh()

    def post(self, *, days_ago: int = 20) -> None:
        services.self_assessment_complete(
            actor=self.commune_officer, dossier=self.dossier,
            posting_starts_on=timezone.localdate() - dt.timedelta(days=days_ago))
        self.refresh()

    def close_posting(self) -> None:
        assessment.comment_record(actor=self.commune_officer, dossier=self.dossier,
                                  author="Nguyễn Văn A", content="Đồng ý",
                                  received_on=timezone.localdate(), response="Tiếp thu")
        services.posting_close(actor=self.commune_officer, dossier=self.dossier)
        self.refresh()

    def log_survey(self, *, surveyed_share: float = 0.8, satisfied_share: float = 0.95) -> None:
        for village in self.commune.villages.all():
            surveyed = round(village.households * surveyed_share)
            assessment.survey_result_set(actor=self.front_officer, dossier=self.dossier,
                                         village=village, households=village.households,
                                         surveyed=surveyed,
                                         satisfied=round(surveyed * satisfied_share))
        services.survey_complete(actor=self.front_officer, dossier=self.dossier)
        self.refresh()

    def attach_documents(self) -> None:
        for kind in DossierDocument.REQUIRED_FOR_SUBMISSION:
            assessment.document_add(actor=self.commune_officer, dossier=self.dossier, kind=kind,
                                    upload=pdf(kind), name=f"{kind}.pdf")

    def submit(self) -> None:
        self.attach_documents()
        services.dossier_submit(actor=self.commune_officer, dossier=self.dossier)
        self.refresh()

    def to_appraisal(self) -> None:
        self.self_assess()
        self.post()
        self.close_posting()
        self.log_survey()
        self.submit()

    def items(self, agency_code: str | None = None) -> list[CriterionAppraisal]:
        qs = CriterionAppraisal.objects.filter(dossier=self.dossier, round=self.dossier.round)
        if agency_code:
            qs = qs.filter(agency__code=agency_code)
        return list(qs.select_related("agency", "criterion").order_by("pk"))

    def appraise_all(self, *, result: str = "met", except_codes: tuple[str, ...] = ()) -> None:
        for item in self.items():
            if item.agency.code in except_codes or item.status not in ("pending", "resubmitted"):
                continue
            services.appraisal_record(actor=self.u(f"so_{item.agency.code}"), item=item,
                                      result=result, remark="" if result == "met" else "lý do")
        self.refresh()

    def appraise_survey(self, *, sound: bool = True) -> None:
        services.survey_appraise(actor=self.u("mttq_tinh"), dossier=self.dossier,
                                 process_sound=sound, remark="" if sound else "sai quy trình",
                                 sample_surveyed=30, sample_satisfied=29)
        self.refresh()

    def confirm(self, *, debt_ok: bool = True, security_ok: bool = True) -> None:
        services.confirmation_record(actor=self.confirmer(kind=Confirmation.Kind.DEBT),
                                     dossier=self.dossier,
                                     kind=Confirmation.Kind.DEBT, holds=debt_ok,
                                     remark="" if debt_ok else "nợ 2 tỷ đồng")
        services.confirmation_record(actor=self.confirmer(kind=Confirmation.Kind.SECURITY),
                                     dossier=self.dossier,
                                     kind=Confirmation.Kind.SECURITY, holds=security_ok,
                                     remark="" if security_ok else "phức tạp")
        self.refresh()

    def to_consolidation(self) -> None:
        self.to_appraisal()
        self.appraise_all()
        self.appraise_survey()
        self.confirm()

    def new_meeting(self) -> CouncilMeeting:
        council = self.kit.agencies["council"]
        # Meetings of a province may not share their title and date: number them.
        number = CouncilMeeting.objects.filter(council__province=council.province).count() + 1
        self.meeting = meeting_create(actor=self.u("vpdp"), council=council,
                                      title=f"Phiên họp Hội đồng số {number}",
                                      scheduled_for=timezone.now() + dt.timedelta(days=1),
                                      batch=self.kit.batch)
        return self.meeting

    def schedule(self, *, meeting: CouncilMeeting | None = None) -> AgendaItem:
        """Put the dossier on ``meeting``'s agenda (by default its own, created if need be)."""
        if meeting is not None:
            self.meeting = meeting
        elif self.meeting is None:
            self.new_meeting()
        self.item = services.dossier_schedule(actor=self.u("vpdp"), dossier=self.dossier,
                                              meeting=self._meeting(), report="Đủ điều kiện")
        self.refresh()
        return self.item

    def open_meeting(self, *, present: int | None = None) -> None:
        members = self.kit.council_members
        meeting_open(actor=self.u("vpdp"), meeting=self._meeting(),
                     present=members[: len(members) if present is None else present])

    def vote(self, *, in_favour: int | None = None, present: int | None = None) -> None:
        members = self.kit.council_members[: len(self.kit.council_members)
                                           if present is None else present]
        in_favour = len(members) if in_favour is None else in_favour
        for n, member in enumerate(members):
            services.vote_cast(actor=member, item=self._item(), in_favour=n < in_favour)

    def close_vote(self, *, defer: bool = False, reason: str = "") -> AgendaItem:
        item = services.vote_close(actor=self.u("vpdp"), item=self._item(), defer=defer,
                                   reason=reason)
        self.refresh()
        return item

    def to_awaiting_decision(self) -> None:
        self.to_consolidation()
        self.schedule()
        self.open_meeting()
        self.vote()
        self.close_vote()

    def decide(self, *, actor_name: str = "chu_tich") -> None:
        services.decision_record(actor=self.u(actor_name), dossier=self.dossier,
                                 number="123/QĐ-UBND", signed_on=timezone.localdate(),
                                 signer_name="Võ Trọng Hải", signer_title="Chủ tịch UBND tỉnh",
                                 upload=pdf("decision"), name="quyet-dinh.pdf")
        self.refresh()

    def announce(self) -> None:
        services.dossier_announce(actor=self.u("vpdp"), dossier=self.dossier,
                                  announced_on=timezone.localdate(), certificate_number="BK-01")
        self.refresh()

    def revoke(self, *, criteria: int = 5) -> Decision:
        """Revoke a recognition: the office proposes it for the first ``criteria`` criteria,
        the council approves it at a meeting of its own, the chairman signs."""
        revocation = services.revocation_propose(
            actor=self.u("vpdp"), dossier=self.dossier,
            criteria=list(self.dossier.criteria_set.criteria.order_by("number")[:criteria]),
            reason=f"Kiểm tra sau công nhận: {criteria} tiêu chí không còn đạt")
        meeting = self.new_meeting()
        self.item = services.revocation_schedule(actor=self.u("vpdp"), revocation=revocation,
                                                 meeting=meeting)
        self.open_meeting()
        self.vote()
        self.close_vote()
        meeting_close(actor=self.u("vpdp"), meeting=meeting)
        decision = services.revocation_decide(
            actor=self.u("chu_tich"), revocation=revocation, number="99/QĐ-UBND",
            signed_on=timezone.localdate(), signer_name="Chủ tịch UBND tỉnh Hà Tĩnh",
            signer_title="Chủ tịch", upload=pdf("thu-hoi"), name="quyet-dinh-thu-hoi.pdf")
        self.refresh()
        return decision
