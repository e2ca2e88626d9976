"""Agencies (cơ quan) and the people who act for them."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _

from .geography import Commune, District, Province


class Agency(models.Model):
    """An agency that owns steps of the process.

    Each agency has its own auth group; its members are in that group, and object
    permissions are granted to the group (see ``dossiers.permissions``).
    """

    class Kind(models.TextChoices):
        COMMUNE_COMMITTEE = "commune_committee", _("commune People's Committee")
        COMMUNE_FRONT = "commune_front", _("commune Fatherland Front")
        DISTRICT_COMMITTEE = "district_committee", _("district People's Committee (historic)")
        DEPARTMENT = "department", _("sector department or agency")
        MASS_ORGANISATION = "mass_organisation", _("mass organisation")
        PROVINCIAL_FRONT = "provincial_front", _("provincial Fatherland Front")
        COORDINATION_OFFICE = "coordination_office", _("coordination office")
        COUNCIL = "council", _("appraisal council")
        PROVINCIAL_COMMITTEE = "provincial_committee", _("provincial People's Committee")
        AUDIT = "audit", _("inspection and audit")

    province = models.ForeignKey(Province, models.PROTECT, related_name="agencies",
                                 verbose_name=_("province"))
    commune = models.ForeignKey(Commune, models.PROTECT, null=True, blank=True,
                                related_name="agencies", verbose_name=_("commune"))
    district = models.ForeignKey(District, models.PROTECT, null=True, blank=True,
                                 related_name="agencies", verbose_name=_("district"))
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    confirms_debt = models.BooleanField(
        _("confirms capital-construction debt"), default=False,
        help_text=_("Finance / planning: confirms there is no outstanding capital-construction debt."))
    confirms_security = models.BooleanField(
        _("confirms the security condition"), default=False,
        help_text=_("Police: confirms there is no complex security situation."))
    group = models.OneToOneField(Group, models.PROTECT, related_name="agency", editable=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["province", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="agency_unique_code"),
        ]
        permissions = [("act_for_agency", _("Can act for the agency"))]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person acting for an agency (in its auth group while the membership exists)."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="memberships",
                               verbose_name=_("agency"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships",
                             verbose_name=_("user"))
    title = models.CharField(_("title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_head = models.BooleanField(_("head of the agency"), default=False)
    is_delegate = models.BooleanField(
        _("delegate of the chairman"), default=False,
        help_text=_("Only for the provincial committee: may record decisions for the chairman."))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "user"], name="membership_unique"),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency}"
