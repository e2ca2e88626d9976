"""Drives a dossier through the process as the real role users, through the services.

Used by ``seed_demo`` to put demo dossiers at every step, and by the tests."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone
from viewflow.workflow.models import Task

from dossiers.models import (
    AgendaItem,
    Confirmation,
    CriterionAppraisal,
    Dossier,
    DossierDocument,
)
from dossiers.services import assessment
from dossiers.services.council import meeting_create, meeting_open

from . import services
from .flows import RecognitionFlow
from .models import DossierProcess

OPEN = ["NEW", "ASSIGNED", "STARTED"]


def pdf(name: str = "file.pdf") -> io.BytesIO:
    """A small valid PDF standing in for a scanned document."""
    return io.BytesIO(b"%PDF-1.4\n% demo document " + name.encode() + b"\n%%EOF\n")


class Journey:
    def __init__(self, kit: Any, dossier: Dossier) -> None:
        self.kit = kit
        self.dossier = dossier
        self.commune = dossier.commune
        self.meeting = None
        self.item = None

    # --- people ------------------------------------------------------------------
    @property
    def commune_officer(self) -> Any:
        return self.kit.users[f"{self.kit_prefix}ubnd_{self.commune.code}"]

    @property
    def front_officer(self) -> Any:
        return self.kit.users[f"{self.kit_prefix}mttq_{self.commune.code}"]

    @property
    def kit_prefix(self) -> str:
        return getattr(self.kit, "prefix", "")

    def u(self, name: str) -> Any:
        return self.kit.users[f"{self.kit_prefix}{name}"]

    def confirmer(self, **flag: bool) -> Any:
        """The demo user of the agency that gives a confirmation (debt or security)."""
        agency = next(a for a in self.kit.agencies.values()
                      if all(getattr(a, k) == v for k, v in flag.items()))
        return agency.memberships.order_by("pk").first().user

    @classmethod
    def register(cls, kit: Any, commune: Any, level: str) -> Journey:
        prefix = getattr(kit, "prefix", "")
        dossier = services.dossier_register(actor=kit.users[f"{prefix}ubnd_{commune.code}"],
                                            commune=commune, level=level, batch=kit.batch)
        return cls(kit, dossier)

    def refresh(self) -> Dossier:
        self.dossier = Dossier.objects.get(pk=self.dossier.pk)
        return self.dossier

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
    def self_assess(self, met: bool = True) -> None:
        from dossiers.conditions import self_assessment_items

        for criterion, indicator in self_assessment_items(self.dossier):
            assessment.self_assessment_set(actor=self.commune_officer, dossier=self.dossier,
                                           criterion=criterion, indicator=indicator,
                                           value="đạt", met=met)
        self.refresh()

    def post(self, days_ago: int = 20) -> None:
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

    def log_survey(self, surveyed_share: float = 0.8, satisfied_share: float = 0.95) -> None:
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

    def appraise_all(self, result: str = "met", except_codes: tuple = ()) -> None:
        for item in self.items():
            if item.agency.code in except_codes or item.status not in ("pending", "resubmitted"):
                continue
            services.appraisal_record(actor=self.u(f"so_{item.agency.code}"), item=item,
                                      result=result, remark="" if result == "met" else "lý do")
        self.refresh()

    def appraise_survey(self, sound: bool = True) -> None:
        services.survey_appraise(actor=self.u("mttq_tinh"), dossier=self.dossier,
                                 process_sound=sound, remark="" if sound else "sai quy trình",
                                 sample_surveyed=30, sample_satisfied=29)
        self.refresh()

    def confirm(self, debt_ok: bool = True, security_ok: bool = True) -> None:
        services.confirmation_record(actor=self.confirmer(confirms_debt=True), dossier=self.dossier,
                                     kind=Confirmation.Kind.DEBT, holds=debt_ok,
                                     remark="" if debt_ok else "nợ 2 tỷ đồng")
        services.confirmation_record(actor=self.confirmer(confirms_security=True), dossier=self.dossier,
                                     kind=Confirmation.Kind.SECURITY, holds=security_ok,
                                     remark="" if security_ok else "phức tạp")
        self.refresh()

    def to_consolidation(self) -> None:
        self.to_appraisal()
        self.appraise_all()
        self.appraise_survey()
        self.confirm()

    def new_meeting(self) -> Any:
        council = self.kit.agencies["council"]
        self.meeting = meeting_create(actor=self.u("vpdp"), council=council,
                                      title="Phiên họp Hội đồng đợt 1",
                                      scheduled_for=timezone.now() + dt.timedelta(days=1),
                                      batch=self.kit.batch)
        return self.meeting

    def schedule(self) -> AgendaItem:
        if self.meeting is None:
            self.new_meeting()
        self.item = services.dossier_schedule(actor=self.u("vpdp"), dossier=self.dossier,
                                              meeting=self.meeting, report="Đủ điều kiện")
        self.refresh()
        return self.item

    def open_meeting(self, present: int | None = None) -> None:
        members = self.kit.council_members
        meeting_open(actor=self.u("vpdp"), meeting=self.meeting,
                     present=members[: len(members) if present is None else present])

    def vote(self, in_favour: int | None = None, present: int | None = None) -> None:
        members = self.kit.council_members[: len(self.kit.council_members)
                                           if present is None else present]
        in_favour = len(members) if in_favour is None else in_favour
        for n, member in enumerate(members):
            services.vote_cast(actor=member, item=self.item, in_favour=n < in_favour)

    def close_vote(self, **kwargs: Any) -> AgendaItem:
        item = services.vote_close(actor=self.u("vpdp"), item=self.item, **kwargs)
        self.refresh()
        return item

    def to_awaiting_decision(self) -> None:
        self.to_consolidation()
        self.schedule()
        self.open_meeting()
        self.vote()
        self.close_vote()

    def decide(self, actor_name: str = "chu_tich") -> None:
        services.decision_record(actor=self.u(actor_name), dossier=self.dossier,
                                 number="123/QĐ-UBND", signed_on=timezone.localdate(),
                                 signer_name="Võ Trọng Hải", signer_title="Chủ tịch UBND tỉnh",
                                 upload=pdf("decision"), name="quyet-dinh.pdf")
        self.refresh()

    def announce(self) -> None:
        services.dossier_announce(actor=self.u("vpdp"), dossier=self.dossier,
                                  announced_on=timezone.localdate(), certificate_number="BK-01")
        self.refresh()
