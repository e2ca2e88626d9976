"""Administrative units: provinces, (historic) districts, communes and villages."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    """Tỉnh / thành phố: the recognising authority."""

    code = models.CharField(_("official code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=120)
    codename = models.SlugField(_("code name"), max_length=80, blank=True)
    publish_decisions = models.BooleanField(
        _("publish signed decisions"), default=False,
        help_text=_("The signed recognition and revocation decisions can be downloaded from "
                    "the public page."))

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """Huyện: abolished on 1 July 2025, kept for historic dossiers and the older variant."""

    province = models.ForeignKey(Province, models.PROTECT, related_name="districts",
                                 verbose_name=_("province"))
    code = models.CharField(_("official code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=120)
    abolished_on = models.DateField(_("abolished on"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district (historic)")
        verbose_name_plural = _("districts (historic)")

    def __str__(self) -> str:
        return self.name


class Region(models.TextChoices):
    """The seven regions whose thresholds differ in the 2021-2025 set (Decision 318/QĐ-TTg)."""

    NORTHERN_MIDLANDS = "Trung du miền núi phía Bắc", _("Northern midlands and mountains")
    RED_RIVER_DELTA = "Đồng bằng sông Hồng", _("Red River Delta")
    NORTH_CENTRAL = "Bắc Trung Bộ", _("North Central Coast")
    SOUTH_CENTRAL = "Duyên hải Nam Trung Bộ", _("South Central Coast")
    CENTRAL_HIGHLANDS = "Tây Nguyên", _("Central Highlands")
    SOUTH_EAST = "Đông Nam Bộ", _("South East")
    MEKONG_DELTA = "Đồng bằng sông Cửu Long", _("Mekong River Delta")


class Commune(models.Model):
    """Xã / phường: the applicant."""

    class Kind(models.TextChoices):
        COMMUNE = "xa", _("commune")
        WARD = "phuong", _("ward")
        SPECIAL_ZONE = "dac_khu", _("special zone")

    class Group(models.IntegerChoices):
        """Commune group of the 2026-2030 set (Decision 51/2025/QĐ-TTg)."""

        NEAR_TOWN = 1, _("group 1 (near towns)")
        OTHER = 2, _("group 2")
        MOUNTAIN = 3, _("group 3 (ethnic-minority and mountain areas)")

    province = models.ForeignKey(Province, models.PROTECT, related_name="communes",
                                 verbose_name=_("province"))
    district = models.ForeignKey(District, models.PROTECT, null=True, blank=True,
                                 related_name="communes", verbose_name=_("district (historic)"))
    code = models.CharField(_("official code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMMUNE)
    Region = Region  # the regions of the 2021-2025 set, also as Commune.Region

    group = models.PositiveSmallIntegerField(_("commune group"), choices=Group.choices,
                                             null=True, blank=True)
    # A commune abolished by a merger (2025) is kept as a historic unit: its recognitions
    # count for the commune it merged into (DOMAIN.md §4, mergers).
    abolished_on = models.DateField(_("abolished on"), null=True, blank=True)
    successor = models.ForeignKey("self", models.PROTECT, null=True, blank=True,
                                  related_name="predecessors",
                                  verbose_name=_("merged into"))
    region = models.CharField(
        _("region (2021-2025 set)"), max_length=40, choices=Region.choices, blank=True,
        help_text=_("The region whose thresholds apply under the 2021-2025 set, as the province "
                    "decides it (especially difficult communes follow the northern midlands)."))
    group_decided_on = models.DateField(_("group decided on"), null=True, blank=True)
    region_decided_on = models.DateField(_("region decided on"), null=True, blank=True)

    class Meta:
        ordering = ["province__code", "name"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self) -> str:
        return self.name


class Village(models.Model):
    """Ấp / thôn: the unit of the satisfaction survey."""

    commune = models.ForeignKey(Commune, models.CASCADE, related_name="villages",
                                verbose_name=_("commune"))
    name = models.CharField(_("name"), max_length=120)
    households = models.PositiveIntegerField(_("households"), default=0)

    class Meta:
        ordering = ["commune", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="village_unique_name"),
        ]
        verbose_name = _("village")
        verbose_name_plural = _("villages")

    def __str__(self) -> str:
        return f"{self.name} ({self.commune})"
