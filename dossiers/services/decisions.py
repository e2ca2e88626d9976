"""Signed decisions (quyết định): recognition and revocation, with their file."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.utils.translation import gettext as _

from audit import trail

from ..dates import decision_date_problems
from ..models import Agency, Decision, Dossier
from .assessment import upload_store
from .signatures import decision_signature_check


def decision_problems(*, dossier: Dossier, kind: str, number: str, signed_on: dt.date,
                      signer_name: str, signer_title: str) -> list[str]:
    """What is wrong with a decision's particulars, before anything is stored: the signing
    date lies between the council's approval and today (``dates.decision_date_problems``)."""
    problems = []
    if not number.strip():
        problems.append(_("The decision number is missing."))
    if not signer_name.strip() or not signer_title.strip():
        problems.append(_("The signer's name and title are missing."))
    problems += decision_date_problems(dossier=dossier, signed_on=signed_on, kind=kind)
    return problems


def decision_add(*, actor: Any, agency: Agency, dossier: Dossier, kind: str, number: str,
                 signed_on: dt.date, signer_name: str, signer_title: str, upload: IO[bytes],
                 name: str) -> Decision:
    """Store the signed decision and its file (particulars checked by ``decision_problems``),
    and what its digital signature says (``signatures.decision_signature_check``)."""
    decision = Decision(dossier=dossier, kind=kind, number=number.strip(), signed_on=signed_on,
                        signer_name=signer_name.strip(), signer_title=signer_title.strip())
    upload_store(decision, actor=actor, upload=upload, name=name)
    decision.save()
    trail.record(actor=actor, agency=agency, action=f"decision.{kind}", obj=decision,
                 dossier=dossier,
                 after=trail.snapshot(decision, ("kind", "number", "signed_on", "signer_name",
                                                 "signer_title", "original_name", "sha256")))
    decision_signature_check(actor=actor, agency=agency, decision=decision)
    return decision
