"""What the public page shows of a province (no sign-in): recognitions with their decision,
revocations, and the communes now in public posting with their self-assessment summary.

Only what the law makes public: no person's name, e-mail or telephone, no comment, no
vote, and nothing of a dossier before its decision (except the posting, which is public by
law). Plain values only, so the result can be cached and shared by every reader. A fixed
number of queries whatever the number of communes."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from .models import Criterion, Decision, Dossier, DossierStatus, Province, SelfAssessment

RECOGNISED = (DossierStatus.RECOGNISED, DossierStatus.ANNOUNCED)


def _decision_row(decision: Decision, publish: bool) -> dict[str, Any]:
    dossier = decision.dossier
    return {"commune": dossier.commune.name, "code": dossier.commune.code,
            "level": dossier.get_level_display(), "year": dossier.batch.recognition_year,
            "number": decision.number, "signed_on": decision.signed_on,
            "announced_on": dossier.announced_on,
            "file_id": decision.pk if publish and decision.file else None,
            "signature": getattr(getattr(decision, "signature", None), "status", "")}


def province_record(province: Province) -> dict[str, Any]:
    decisions = list(Decision.objects.filter(dossier__commune__province=province).select_related(
        "dossier__commune", "dossier__batch", "signature").order_by(
        "dossier__commune__name", "signed_on", "pk"))
    publish = province.publish_decisions
    recognised = [_decision_row(d, publish) for d in decisions
                  if d.kind == Decision.Kind.RECOGNITION and d.dossier.status in RECOGNISED]
    revoked_by = {d.dossier_id: d for d in decisions if d.kind == Decision.Kind.RECOGNITION}
    revocations = []
    for d in decisions:
        if d.kind == Decision.Kind.REVOCATION and d.dossier.status == DossierStatus.REVOKED:
            row = _decision_row(d, publish)
            original = revoked_by.get(d.dossier_id)
            row["recognition_number"] = original.number if original else ""
            revocations.append(row)
    return {"province": {"name": province.name, "code": province.code, "publish": publish},
            "recognised": recognised, "revocations": revocations,
            "posting": _posting(province)}


def _posting(province: Province) -> list[dict[str, Any]]:
    dossiers = list(Dossier.objects.filter(
        commune__province=province, status=DossierStatus.PUBLIC_POSTING).select_related(
        "commune", "batch", "criteria_set").order_by("commune__name"))
    answers = SelfAssessment.objects.filter(dossier__in=dossiers).values_list(
        "dossier_id", "criterion_id", "met")
    criteria: dict[int, dict[int, bool]] = {}
    for dossier_id, criterion_id, met in answers:
        per = criteria.setdefault(dossier_id, {})
        per[criterion_id] = per.get(criterion_id, True) and bool(met)
    totals = dict(Criterion.objects.filter(
        criteria_set__in={d.criteria_set_id for d in dossiers}, retired=False).values(
        "criteria_set").annotate(n=Count("pk")).values_list("criteria_set", "n"))
    rows = []
    for d in dossiers:
        met = criteria.get(d.pk, {})
        rows.append({"commune": d.commune.name, "code": d.commune.code,
                     "level": d.get_level_display(), "year": d.batch.recognition_year,
                     "posted_on": d.posting_started_on,
                     "criteria_met": sum(met.values()),
                     "criteria_total": totals.get(d.criteria_set_id, 0)})
    return rows


def published_decision(province: Province, decision_id: int) -> Decision | None:
    """A decision file the province publishes (recognition still in force, or revocation)."""
    if not province.publish_decisions:
        return None
    decision = Decision.objects.filter(pk=decision_id, dossier__commune__province=province
                                       ).select_related("dossier").first()
    if decision is None or not decision.file:
        return None
    if decision.kind == Decision.Kind.RECOGNITION and decision.dossier.status not in RECOGNISED:
        return None
    return decision
