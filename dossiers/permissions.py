"""Who may do what (DOMAIN.md section 6), in one place.

Rights are django-guardian object permissions granted to agencies' groups (or, for
council votes and decisions, checked against membership) when dossiers, appraisals,
agencies and meetings are created. Services call ``require`` before they change
anything, so no caller can bypass a rule. Every grant and removal is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from audit import trail

from .exceptions import NotAllowed
from .models import Agency, Dossier, Membership, Province
from .steps import Actor

K = Agency.Kind

# Rights on a dossier by the kind of agency, granted when the dossier is registered.
DOSSIER_RIGHTS: dict[str, tuple[str, ...]] = {
    K.COMMUNE_COMMITTEE: ("view_dossier", "edit_self_assessment"),
    K.COMMUNE_FRONT: ("view_dossier", "log_survey"),
    K.PROVINCIAL_FRONT: ("view_dossier", "appraise_survey"),
    K.COORDINATION_OFFICE: ("view_dossier", "coordinate_dossier", "audit_dossier"),
    K.PROVINCIAL_COMMITTEE: ("view_dossier", "record_decision"),
    K.AUDIT: ("view_dossier", "audit_dossier"),
}
DISTRICT_RIGHTS = ("view_dossier", "verify_district")
DEBT_RIGHTS = ("view_dossier", "confirm_debt")
SECURITY_RIGHTS = ("view_dossier", "confirm_security")


def _qualified(perm: str, obj: models.Model) -> str:
    return perm if "." in perm else f"{obj._meta.app_label}.{perm}"


def grant(*, actor: Any, perm: str, to: Group | Any, obj: models.Model, reason: str = "") -> None:
    """Give ``to`` (a group or a user) ``perm`` on ``obj``, and audit the grant."""
    perm = _qualified(perm, obj)
    assign_perm(perm, to, obj)
    agency = getattr(to, "agency", None) if isinstance(to, Group) else None
    trail.record(
        actor=actor, action="permission.grant", obj=obj,
        after={"permission": perm, "to": str(agency or to),
               "group" if isinstance(to, Group) else "user": to.pk},
        reason=reason, dossier=obj if isinstance(obj, Dossier) else getattr(obj, "dossier", None),
    )


def revoke(*, actor: Any, perm: str, frm: Group | Any, obj: models.Model, reason: str = "") -> None:
    perm = _qualified(perm, obj)
    remove_perm(perm, frm, obj)
    trail.record(
        actor=actor, action="permission.remove", obj=obj,
        before={"permission": perm, "from": str(getattr(frm, "agency", None) or frm)},
        reason=reason, dossier=obj if isinstance(obj, Dossier) else getattr(obj, "dossier", None),
    )


def require(user: Any, perm: str, obj: models.Model, message: str | None = None) -> None:
    """Refuse unless ``user`` holds ``perm`` on ``obj`` (an auditor never holds a write right)."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise NotAllowed(_("You must be signed in."))
    if not user.has_perm(_qualified(perm, obj), obj):
        raise NotAllowed(message or _("You are not allowed to do this on “%(obj)s”.") % {"obj": obj})


def agencies_of(user: Any) -> models.QuerySet[Agency]:
    return Agency.objects.filter(memberships__user=user, active=True)


def acting_agency(user: Any, *, kind: str | None = None, province: Any = None,
                  among: list[Agency] | None = None) -> Agency | None:
    """The agency ``user`` acts for here (recorded on the audit event)."""
    qs = agencies_of(user)
    if kind:
        qs = qs.filter(kind=kind)
    if province is not None:
        qs = qs.filter(province=province)
    if among is not None:
        qs = qs.filter(pk__in=[a.pk for a in among])
    return qs.order_by("pk").first()


def require_member(user: Any, agency: Agency, message: str | None = None) -> Membership:
    membership = Membership.objects.filter(agency=agency, user=user, agency__active=True).first()
    if membership is None or not user.is_active:
        raise NotAllowed(message or _("You do not act for %(agency)s.") % {"agency": agency})
    return membership


def grant_dossier_rights(*, actor: Any, dossier: Dossier) -> None:
    """Rights of every agency of the province (and of the commune) on a new dossier."""
    province = dossier.commune.province
    agencies = Agency.objects.filter(province=province, active=True).select_related("group")
    for agency in agencies:
        perms: tuple[str, ...] = ()
        if agency.kind in (K.COMMUNE_COMMITTEE, K.COMMUNE_FRONT):
            if agency.commune_id == dossier.commune_id:
                perms = DOSSIER_RIGHTS[agency.kind]
        elif agency.kind == K.DISTRICT_COMMITTEE:
            if dossier.regulation.district_verification and agency.district_id and \
                    agency.district_id == dossier.commune.district_id:
                perms = DISTRICT_RIGHTS
        elif agency.kind in DOSSIER_RIGHTS:
            perms = DOSSIER_RIGHTS[agency.kind]
        if agency.kind == K.DEPARTMENT:
            if agency.confirms_debt:
                perms += DEBT_RIGHTS
            if agency.confirms_security:
                perms += SECURITY_RIGHTS
        for perm in dict.fromkeys(perms):
            grant(actor=actor, perm=perm, to=agency.group, obj=dossier,
                  reason=_("dossier registered"))


def acting_for(user: Any, *, kind: str, province: Any, message: str | None = None) -> Agency:
    """The agency of ``kind`` in ``province`` that ``user`` acts for, or refuse."""
    agency = acting_agency(user, kind=kind, province=province) if user and \
        user.is_authenticated and user.is_active else None
    if agency is None:
        raise NotAllowed(message or _("Only %(kind)s of %(province)s may do this.") % {
            "kind": Agency.Kind(kind).label, "province": province})
    return agency


def require_administrator(user: Any, province: Any) -> Agency | None:
    """Superusers, or the coordination office of ``province``, administer its set-up."""
    if user is not None and user.is_active and user.is_superuser:
        return acting_agency(user, province=province)
    return acting_for(user, kind=K.COORDINATION_OFFICE, province=province)


def step_agency(user: Any, *, actor: str, dossier: Dossier, on: models.Model) -> Agency:
    """The agency ``user`` acts for when taking a step done by ``actor`` (a row's
    ``dossiers.steps.Actor``) on ``dossier``; ``on`` is the object the step's right is on."""
    province = dossier.commune.province
    agency: Agency | None = None
    if actor in (Actor.COMMUNE_COMMITTEE, Actor.COMMUNE_FRONT):
        agency = agencies_of(user).filter(kind=actor, commune_id=dossier.commune_id).first()
    elif actor == Actor.DEPARTMENT:
        require_member(user, on.agency)
        return on.agency
    elif actor in (Actor.DEBT, Actor.SECURITY):
        flag = "confirms_debt" if actor == Actor.DEBT else "confirms_security"
        agency = agencies_of(user).filter(province=province, **{flag: True}).first()
        if agency is None:
            raise NotAllowed(_("You do not act for the agency that gives this confirmation."))
    elif actor == Actor.COUNCIL_MEMBER:
        return on.council
    elif actor == Actor.CHAIRMAN:
        membership = Membership.objects.filter(
            user=user, agency__kind=K.PROVINCIAL_COMMITTEE, agency__active=True,
            agency__province=province).select_related("agency").first()
        if membership is None or not (membership.is_head or membership.is_delegate):
            raise NotAllowed(_("Only the provincial chairman or a delegate records the decision."))
        return membership.agency
    else:
        agency = acting_agency(user, kind=actor, province=province)
    if agency is None:
        raise NotAllowed(_("Only %(kind)s may do this.") % {"kind": Agency.Kind(actor).label})
    return agency


def administered_provinces(user: Any) -> models.QuerySet[Province]:
    """The provinces whose set-up ``user`` administers: all for an administrator, its own
    for a member of a province's coordination office."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Province.objects.none()
    if user.is_superuser:
        return Province.objects.all()
    return Province.objects.filter(agencies__kind=K.COORDINATION_OFFICE, agencies__active=True,
                                   agencies__memberships__user=user).distinct()
