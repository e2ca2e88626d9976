"""A province's set-up: regulation profiles, responsibilities, batches and their dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from audit import trail

from .. import permissions
from ..dates import batch_deadline_problems
from ..exceptions import RuleViolation
from ..models import (
    Agency,
    Batch,
    BatchDeadline,
    Criterion,
    Indicator,
    Province,
    RegulationProfile,
    Responsibility,
    Step,
)

PROFILE_FIELDS = ("version", "valid_from", "legal_basis", "survey_coverage_min",
                  "survey_satisfaction_min", "council_quorum", "council_approval_min",
                  "survey_households_tolerance", "posting_days", "province_answer_working_days",
                  "district_verification")


@transaction.atomic
def regulation_profile_publish(*, actor: Any, province: Province, valid_from: dt.date,
                               reason: str, **values: Any) -> RegulationProfile:
    """Publish a new version of the province's numbers; versions in use stay as they were."""
    agency = permissions.require_administrator(actor, province)
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise RuleViolation(_("Unknown setting(s): %(names)s.") % {"names": ", ".join(sorted(unknown))})
    latest = (RegulationProfile.objects.select_for_update(of=("self",)).filter(province=province)
              .order_by("-version").first())
    base = {name: getattr(latest, name) for name in PROFILE_FIELDS} if latest else {}
    base.update(values)
    base["version"] = (RegulationProfile.objects.filter(province=province)
                       .aggregate(v=Max("version"))["v"] or 0) + 1
    base["valid_from"] = valid_from
    profile = RegulationProfile(province=province, **base)
    profile.full_clean()
    profile.save()
    trail.record(actor=actor, agency=agency, action="regulation.publish", obj=profile,
                 province=province,
                 before=trail.snapshot(latest, PROFILE_FIELDS) if latest else None,
                 after=trail.snapshot(profile, PROFILE_FIELDS), reason=reason)
    return profile


def regulation_profile_current(*, province: Province, on: dt.date) -> RegulationProfile:
    profile = (RegulationProfile.objects.filter(province=province, valid_from__lte=on)
               .order_by("-valid_from", "-version").first())
    if profile is None:
        raise RuleViolation(_("%(province)s has no regulation profile in force on %(date)s.")
                            % {"province": province, "date": on.strftime("%d/%m/%Y")})
    return profile


@transaction.atomic
def responsibility_set(*, actor: Any, province: Province, criterion: Criterion, agency: Agency,
                       indicator: Indicator | None = None, reason: str = "") -> Responsibility:
    actor_agency = permissions.require_administrator(actor, province)
    current = Responsibility.objects.filter(province=province, criterion=criterion,
                                            indicator=indicator).first()
    before = {"agency": current.agency_id, "agency_name": str(current.agency)} if current else None
    responsibility = current or Responsibility(province=province, criterion=criterion,
                                               indicator=indicator)
    responsibility.agency = agency
    responsibility.full_clean(validate_constraints=False)
    responsibility.save()
    trail.record(actor=actor, agency=actor_agency, action="responsibility.set",
                 obj=responsibility, province=province, before=before,
                 after={"agency": agency.pk, "agency_name": str(agency),
                        "criterion": criterion.number,
                        "indicator": indicator.code if indicator else None},
                 reason=reason)
    return responsibility


@transaction.atomic
def batch_create(*, actor: Any, province: Province, recognition_year: int, number: int,
                 title: str = "", deadlines: dict[str, dt.date] | None = None) -> Batch:
    agency = permissions.require_administrator(actor, province)
    if Batch.objects.filter(province=province, recognition_year=recognition_year,
                            number=number).exists():
        raise RuleViolation(_("Batch %(n)s of %(year)s already exists.")
                            % {"n": number, "year": recognition_year})
    batch = Batch(province=province, recognition_year=recognition_year, number=number,
                  title=title)
    batch.full_clean()
    batch.save()
    trail.record(actor=actor, agency=agency, action="batch.create", obj=batch, province=province,
                 after=trail.snapshot(batch, ("recognition_year", "number", "title")))
    for step, due_on in (deadlines or {}).items():
        batch_deadline_set(actor=actor, batch=batch, step=step, due_on=due_on,
                           reason=_("batch calendar"))
    return batch


@transaction.atomic
def batch_deadline_set(*, actor: Any, batch: Batch, step: str, due_on: dt.date,
                       reason: str) -> BatchDeadline:
    agency = permissions.require_administrator(actor, batch.province)
    if step not in Step.values:
        raise RuleViolation(_("Unknown step “%(step)s”.") % {"step": step})
    if not reason:
        raise RuleViolation(_("Say why the date is set or changed."))
    problems = batch_deadline_problems(batch=batch, due_on=due_on)
    if problems:
        raise RuleViolation(problems)
    deadline = BatchDeadline.objects.filter(batch=batch, step=step).first()
    before = {"due_on": deadline.due_on} if deadline else None
    deadline = deadline or BatchDeadline(batch=batch, step=step)
    deadline.due_on = due_on
    deadline.save()
    trail.record(actor=actor, agency=agency, action="batch.deadline_set", obj=deadline,
                 province=batch.province, before=before, after={"step": step, "due_on": due_on},
                 reason=reason)
    return deadline
