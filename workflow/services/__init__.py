"""The steps of the recognition process, one service each, split by stage.

Every step service hands its row of ``dossiers.steps`` to ``workflow.kernel.run_step``
with only what is its own (input checks, writes, when its task is complete). Callers use
the names below; ``workflow.kernel.SERVICES`` maps each step of the table to its service.
"""

from .appraisal import (
    appraisal_record,
    confirmation_record,
    debt_confirm,
    district_verify,
    security_confirm,
    survey_appraise,
)
from .assignment import task_reassign
from .commune import (
    dossier_submit,
    posting_close,
    returned_answer,
    self_assessment_complete,
    survey_complete,
)
from .council import dossier_refuse, dossier_schedule, vote_cast, vote_close
from .decision import decision_decline, decision_record, dossier_announce
from .imports import REGISTRATIONS  # the registration import registers its kind
from .members import member_deactivate
from .merger import merger_record
from .registration import dossier_register, round_start
from .revocation import revocation_decide, revocation_propose, revocation_schedule

__all__ = [
    "REGISTRATIONS",
    "appraisal_record", "confirmation_record", "debt_confirm", "decision_decline",
    "decision_record", "district_verify", "dossier_announce", "dossier_refuse",
    "dossier_register", "dossier_schedule", "dossier_submit", "member_deactivate",
    "merger_record", "posting_close",
    "returned_answer", "revocation_decide", "revocation_propose", "revocation_schedule",
    "round_start", "security_confirm", "self_assessment_complete", "survey_appraise",
    "survey_complete", "task_reassign", "vote_cast", "vote_close",
]
