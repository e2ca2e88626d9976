"""The chairman's decision (or declining it) and the announcement."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.utils.translation import gettext as _

from dossiers.dates import announcement_date_problems
from dossiers.models import Decision, Dossier
from dossiers.services.decisions import decision_add, decision_problems

from ..kernel import StepContext, run_step, serves


@serves("decide")
def decision_record(*, actor: Any, dossier: Dossier, number: str, signed_on: dt.date,
                    signer_name: str, signer_title: str, upload: IO[bytes],
                    name: str) -> Decision:
    """Quyết định công nhận: the chairman (or a delegate) records the signed decision."""

    def apply(step: StepContext) -> Decision:
        return decision_add(actor=actor, agency=step.agency, dossier=step.dossier,
                            kind=Decision.Kind.RECOGNITION, number=number, signed_on=signed_on,
                            signer_name=signer_name, signer_title=signer_title, upload=upload,
                            name=name)

    return run_step(
        "decide", actor=actor, dossier=dossier,
        validate=lambda step: decision_problems(dossier=step.dossier,
                                                kind=Decision.Kind.RECOGNITION, number=number,
                                                signed_on=signed_on, signer_name=signer_name,
                                                signer_title=signer_title),
        apply=apply, extra=lambda step: {"decision": number.strip()})


@serves("decline")
def decision_decline(*, actor: Any, dossier: Dossier, reason: str) -> Dossier:
    def apply(step: StepContext) -> Dossier:
        step.dossier.outcome_reason = reason.strip()
        return step.dossier

    return run_step("decline", actor=actor, dossier=dossier,
                    validate=lambda step: [] if reason.strip()
                    else [_("Give the reason for declining.")],
                    apply=apply, reason=reason)


@serves("announce")
def dossier_announce(*, actor: Any, dossier: Dossier, announced_on: dt.date,
                     certificate_number: str) -> Dossier:
    """Công bố: the recognition is announced and the certificate handed over."""

    def validate(step: StepContext) -> list[str]:
        if not certificate_number.strip():
            return [_("The certificate number is missing.")]
        problems = announcement_date_problems(dossier=step.dossier, announced_on=announced_on)
        if problems:
            return problems
        decision = step.dossier.decisions.filter(kind=Decision.Kind.RECOGNITION).first()
        if decision and announced_on < decision.signed_on:
            return [_("The announcement cannot precede the decision (%(date)s).")
                    % {"date": decision.signed_on.strftime("%d/%m/%Y")}]
        return []

    def apply(step: StepContext) -> Dossier:
        step.dossier.announced_on = announced_on
        step.dossier.certificate_number = certificate_number.strip()
        return step.dossier

    return run_step("announce", actor=actor, dossier=dossier, validate=validate, apply=apply,
                    extra=lambda step: {"announced_on": announced_on,
                                        "certificate_number": certificate_number.strip()})
