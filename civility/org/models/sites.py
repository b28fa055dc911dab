"""点位 and 点位类型 (SPEC §3): where inspectors look, and who answers there by default."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility.org.models.headquarters import Headquarters
from civility.org.models.units import Unit


class SiteType(models.Model):
    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="site_types"
    )
    name = models.CharField(_("名称"), max_length=30)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("点位类型")
        verbose_name_plural = _("点位类型")
        ordering = ["headquarters", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "name"], name="sitetype_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="sites"
    )
    name = models.CharField(_("名称"), max_length=100)
    type = models.ForeignKey(
        SiteType, verbose_name=_("点位类型"), on_delete=models.PROTECT, related_name="sites"
    )
    street = models.ForeignKey(
        Unit,
        verbose_name=_("所在街道"),
        on_delete=models.PROTECT,
        related_name="street_sites",
        limit_choices_to={"kind": Unit.Kind.STREET},
    )
    community = models.ForeignKey(
        Unit,
        verbose_name=_("所在社区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="community_sites",
        limit_choices_to={"kind": Unit.Kind.COMMUNITY},
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    default_unit = models.ForeignKey(
        Unit,
        verbose_name=_("默认责任单位（块）"),
        on_delete=models.PROTECT,
        related_name="default_sites",
        help_text=_("通常为所在街道或社区，现场交办时默认交给它。"),
    )
    cooperating_units = models.ManyToManyField(
        Unit, verbose_name=_("协办部门（条）"), blank=True, related_name="cooperating_sites"
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("点位")
        verbose_name_plural = _("点位")
        ordering = ["headquarters", "street__order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "name"], name="site_name_unique"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="site_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = "经纬度必须同时填写或同时留空。"
        if self.street_id and self.street.kind != Unit.Kind.STREET:
            errors["street"] = "所在街道必须是街道。"
        if self.community_id and self.street_id and self.community.parent_id != self.street_id:
            errors["community"] = "所在社区必须属于所在街道。"
        if self.default_unit_id and not self.default_unit.is_area:
            errors["default_unit"] = "默认责任单位（块）必须是街道或社区。"
        if errors:
            raise ValidationError(errors)
