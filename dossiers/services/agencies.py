"""Agencies and their members."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from audit import trail

from .. import permissions
from ..exceptions import NotAllowed, RuleViolation
from ..models import Agency, Commune, District, Membership, Province

MEMBER_FIELDS = ("agency", "user", "title", "phone", "is_head", "is_delegate")
AGENCY_FIELDS = ("kind", "code", "name", "commune", "district", "confirms_debt",
                 "confirms_security", "active")


@transaction.atomic
def agency_create(*, actor: Any, province: Province, kind: str, code: str, name: str,
                  commune: Commune | None = None, district: District | None = None,
                  confirms_debt: bool = False, confirms_security: bool = False) -> Agency:
    acting = permissions.require_administrator(actor, province)
    if kind not in Agency.Kind.values:
        raise RuleViolation(_("Unknown kind of agency “%(kind)s”.") % {"kind": kind})
    if kind in (Agency.Kind.COMMUNE_COMMITTEE, Agency.Kind.COMMUNE_FRONT) and commune is None:
        raise RuleViolation(_("A commune-level agency needs its commune."))
    if commune is not None and commune.province_id != province.pk:
        raise RuleViolation(_("The commune belongs to another province."))
    if kind == Agency.Kind.DISTRICT_COMMITTEE and district is None:
        raise RuleViolation(_("A district committee needs its district."))
    if Agency.objects.filter(province=province, code=code).exists():
        raise RuleViolation(_("%(province)s already has an agency with code “%(code)s”.")
                            % {"province": province, "code": code})
    group = Group.objects.create(name=f"agency:{province.code}:{code}"[:150])
    agency = Agency(province=province, kind=kind, code=code, name=name, commune=commune,
                    district=district, confirms_debt=confirms_debt,
                    confirms_security=confirms_security, group=group)
    agency.full_clean()
    agency.save()
    trail.record(actor=actor, agency=acting, action="agency.create", obj=agency,
                 province=province, after=trail.snapshot(agency, AGENCY_FIELDS))
    permissions.grant(actor=actor, perm="act_for_agency", to=group, obj=agency,
                      reason=_("agency created"))
    return agency


@transaction.atomic
def agency_update(*, actor: Any, agency: Agency, name: str, confirms_debt: bool = False,
                  confirms_security: bool = False, reason: str = "") -> Agency:
    """Rename an agency or change what it confirms (its kind, code and place stay)."""
    acting = permissions.require_administrator(actor, agency.province)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    before = trail.snapshot(agency, AGENCY_FIELDS)
    agency.name, agency.confirms_debt, agency.confirms_security = \
        name, confirms_debt, confirms_security
    agency.full_clean()
    agency.save()
    after = trail.snapshot(agency, AGENCY_FIELDS)
    if after != before:
        trail.record(actor=actor, agency=acting, action="agency.change", obj=agency,
                     province=agency.province, before=before, after=after, reason=reason)
    return agency


@transaction.atomic
def agency_add_member(*, actor: Any, agency: Agency, user: Any, title: str = "",
                      phone: str = "", is_head: bool = False,
                      is_delegate: bool = False) -> Membership:
    """Put ``user`` into ``agency`` (or change their title, phone, head or delegate flags)."""
    acting = permissions.require_administrator(actor, agency.province)
    if is_delegate and agency.kind != Agency.Kind.PROVINCIAL_COMMITTEE:
        raise RuleViolation(_("Only the provincial committee has delegates of the chairman."))
    if user.is_superuser and not actor.is_superuser:
        raise NotAllowed(_("Only an administrator may make an administrator a member."))
    elsewhere = Membership.objects.filter(user=user).exclude(agency__province=agency.province)
    if not actor.is_superuser and elsewhere.exists():
        raise NotAllowed(_("%(user)s works in another province: only an administrator may "
                           "add them here.") % {"user": user})
    membership, created = Membership.objects.get_or_create(
        agency=agency, user=user,
        defaults={"title": title, "phone": phone, "is_head": is_head,
                  "is_delegate": is_delegate})
    before = None if created else trail.snapshot(membership, MEMBER_FIELDS)
    membership.title, membership.is_head, membership.is_delegate = title, is_head, is_delegate
    membership.phone = phone
    membership.full_clean()
    membership.save()
    if agency.active and user.is_active:  # a deactivated agency or person gets no right
        user.groups.add(agency.group)
    trail.record(actor=actor, agency=acting, action="agency.member_add", obj=membership,
                 province=agency.province, before=before,
                 after=trail.snapshot(membership, MEMBER_FIELDS))
    return membership


@transaction.atomic
def agency_remove_member(*, actor: Any, agency: Agency, user: Any, reason: str) -> None:
    permissions.require_administrator(actor, agency.province)
    membership = Membership.objects.filter(agency=agency, user=user).first()
    if membership is None:
        raise RuleViolation(_("%(user)s is not a member of %(agency)s.")
                            % {"user": user, "agency": agency})
    trail.record(actor=actor, action="agency.member_remove", obj=membership,
                 province=agency.province, before=trail.snapshot(membership, MEMBER_FIELDS),
                 reason=reason)
    membership.delete()
    user.groups.remove(agency.group)


@transaction.atomic
def agency_set_active(*, actor: Any, agency: Agency, active: bool, reason: str) -> Agency:
    """Deactivate (or reactivate) an agency. Its rights, reads included, are object
    permissions of its group: deactivating empties the group, so every member loses every
    right at once (pages, API, tasks); reactivating puts its members back."""
    permissions.require_administrator(actor, agency.province)
    agency = Agency.objects.select_for_update().select_related("group").get(pk=agency.pk)
    if agency.active == active:
        return agency
    agency.active = active
    agency.save(update_fields=["active"])
    members = list(get_user_model().objects.filter(memberships__agency=agency).order_by("pk"))
    if active:
        agency.group.user_set.add(*members)
    else:
        agency.group.user_set.clear()
    trail.record(actor=actor, action="agency.activate" if active else "agency.deactivate",
                 obj=agency, province=agency.province, before={"active": not active},
                 after={"active": active, "members": [u.pk for u in members]}, reason=reason)
    return agency
