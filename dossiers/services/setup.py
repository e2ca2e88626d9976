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
    CriteriaSet,
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


APPRAISING_KINDS = (Agency.Kind.DEPARTMENT, Agency.Kind.MASS_ORGANISATION)


def _responsibility_problems(*, province: Province, criterion: Criterion,
                             indicator: Indicator | None, agency: Agency) -> list[str]:
    problems = []
    if agency.province_id != province.pk:
        problems.append(_("The agency belongs to another province."))
    if agency.kind not in APPRAISING_KINDS:
        problems.append(_("%(agency)s is not a department or a mass organisation: it cannot "
                          "appraise criteria.") % {"agency": agency})
    if agency.kind == Agency.Kind.MASS_ORGANISATION and indicator is None:
        problems.append(_("A mass organisation appraises single indicators, not a whole "
                          "criterion."))
    if not agency.active:
        problems.append(_("%(agency)s is deactivated.") % {"agency": agency})
    if criterion.criteria_set.province_id not in (None, province.pk):
        problems.append(_("The criteria set is another province's."))
    if indicator is not None and indicator.criterion_id != criterion.pk:
        problems.append(_("The indicator belongs to another criterion."))
    return problems


@transaction.atomic
def responsibility_set(*, actor: Any, province: Province, criterion: Criterion, agency: Agency,
                       indicator: Indicator | None = None, reason: str = "") -> Responsibility:
    """Which agency appraises ``criterion`` (or its single ``indicator``) in ``province``."""
    actor_agency = permissions.require_administrator(actor, province)
    problems = _responsibility_problems(province=province, criterion=criterion,
                                        indicator=indicator, agency=agency)
    if problems:
        raise RuleViolation(problems)
    current = Responsibility.objects.filter(province=province, criterion=criterion,
                                            indicator=indicator).first()
    before = {"agency": current.agency_id, "agency_name": str(current.agency)} if current else None
    responsibility = current or Responsibility(province=province, criterion=criterion,
                                               indicator=indicator)
    if current is not None and current.agency_id == agency.pk:
        return current
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
def responsibility_remove(*, actor: Any, responsibility: Responsibility, reason: str) -> None:
    actor_agency = permissions.require_administrator(actor, responsibility.province)
    trail.record(actor=actor, agency=actor_agency, action="responsibility.remove",
                 obj=responsibility, province=responsibility.province,
                 before={"agency": responsibility.agency_id,
                         "agency_name": str(responsibility.agency),
                         "criterion": responsibility.criterion.number,
                         "indicator": responsibility.indicator.code
                         if responsibility.indicator_id else None},
                 reason=reason)
    responsibility.delete()


@transaction.atomic
def responsibility_copy(*, actor: Any, province: Province, criteria_set: CriteriaSet,
                        source_set: CriteriaSet | None = None,
                        source_province: Province | None = None) -> dict[str, list[str]]:
    """Start the mapping of ``criteria_set`` in ``province`` from another one: the
    province's own mapping of ``source_set`` (criteria matched by number, indicators by
    code), or ``source_province``'s mapping of the set (agencies matched by code). What is
    mapped already is kept. Returns what was copied and what was not, each in words."""
    permissions.require_administrator(actor, province)
    source_set = source_set or criteria_set
    source_province = source_province or province
    if (source_set.pk, source_province.pk) == (criteria_set.pk, province.pk):
        raise RuleViolation(_("Choose another criteria set or another province to copy from."))
    if source_set.province_id not in (None, source_province.pk):
        raise RuleViolation(_("The source criteria set is another province's."))
    criteria = {c.number: c for c in criteria_set.criteria.all()}
    indicators = {i.code: i for i in Indicator.objects.filter(criterion__criteria_set=criteria_set)}
    agencies = {a.code: a for a in Agency.objects.filter(province=province)}
    report: dict[str, list[str]] = {"copied": [], "kept": [], "skipped": []}
    for source in (Responsibility.objects.filter(province=source_province,
                                                 criterion__criteria_set=source_set)
                   .select_related("criterion", "indicator", "agency")
                   .order_by("criterion__number", "indicator__position")):
        target = source.indicator.code if source.indicator_id else str(source.criterion.number)
        criterion = criteria.get(source.criterion.number)
        indicator = indicators.get(source.indicator.code) if source.indicator_id else None
        agency = agencies.get(source.agency.code)
        if criterion is None or (source.indicator_id and
                                 (indicator is None or indicator.criterion_id != criterion.pk)):
            report["skipped"].append(_("%(target)s: not in the set.") % {"target": target})
            continue
        if agency is None:
            report["skipped"].append(_("%(target)s: no agency with code “%(code)s” here.")
                                     % {"target": target, "code": source.agency.code})
            continue
        if Responsibility.objects.filter(province=province, criterion=criterion,
                                         indicator=indicator).exists():
            report["kept"].append(target)
            continue
        problems = _responsibility_problems(province=province, criterion=criterion,
                                            indicator=indicator, agency=agency)
        if problems:
            report["skipped"].append(f"{target}: {' '.join(problems)}")
            continue
        responsibility_set(actor=actor, province=province, criterion=criterion,
                           indicator=indicator, agency=agency,
                           reason=_("copied from %(set)s, %(province)s")
                           % {"set": source_set.code, "province": source_province})
        report["copied"].append(target)
    return report


BATCH_FIELDS = ("recognition_year", "number", "title", "closed")


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
                 after=trail.snapshot(batch, BATCH_FIELDS))
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


@transaction.atomic
def batch_update(*, actor: Any, batch: Batch, title: str, closed: bool, reason: str = "") -> Batch:
    """Rename a batch, or close it (a closed batch takes no new registration) or reopen it."""
    agency = permissions.require_administrator(actor, batch.province)
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if closed != batch.closed and not reason.strip():
        raise RuleViolation(_("Say why the batch is closed or reopened."))
    before = trail.snapshot(batch, BATCH_FIELDS)
    batch.title, batch.closed = title, closed
    batch.full_clean()
    batch.save()
    after = trail.snapshot(batch, BATCH_FIELDS)
    if after != before:
        action = ("batch.close" if closed else "batch.reopen") if \
            before["closed"] != closed else "batch.change"
        trail.record(actor=actor, agency=agency, action=action, obj=batch,
                     province=batch.province, before=before, after=after, reason=reason)
    return batch
