"""Generating a dossier's official documents (``dossiers.documents``): who may, and the
audit record of every PDF handed out (its SHA-256, kind and dossier)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit import trail

from .. import permissions
from ..documents import KINDS, DocumentUnavailable, render_html, render_pdf
from ..exceptions import RuleViolation
from ..models import Agency, Dossier


@dataclass(frozen=True)
class GeneratedDocument:
    kind: str
    filename: str
    pdf: bytes
    sha256: str


def document_generate(*, actor: Any, dossier: Dossier, kind: str,
                      agency: Agency | None = None) -> GeneratedDocument:
    """The PDF of one of the dossier's documents, for whoever may read the dossier. A
    department's appraisal report names the department (``agency``) of the dossier's
    province. The PDF's hash is recorded in the audit trail in the same transaction."""
    permissions.require(actor, "view_dossier", dossier,
                        _("You may not see this dossier."))
    spec = KINDS.get(kind)
    if spec is None:
        raise RuleViolation(_("There is no such document."))
    if spec.per_department and agency is not None and (
            agency.province_id != dossier.commune.province_id
            or agency.kind != Agency.Kind.DEPARTMENT):
        raise RuleViolation(_("This department does not appraise this dossier."))
    try:
        pdf = render_pdf(render_html(kind, dossier, agency if spec.per_department else None))
    except DocumentUnavailable as exc:
        raise RuleViolation(str(exc.args[0])) from exc
    digest = hashlib.sha256(pdf).hexdigest()
    suffix = f"-{agency.code}" if spec.per_department and agency is not None else ""
    with transaction.atomic():
        trail.record(actor=actor, action="document.generate", obj=dossier, after={
            "kind": kind, "sha256": digest, "size": len(pdf),
            "agency": agency.pk if spec.per_department and agency is not None else None})
    return GeneratedDocument(kind, f"{kind}{suffix}-{dossier.pk}.pdf", pdf, digest)
