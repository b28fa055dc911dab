"""四级同创: enterprises, schools, garrisons and property managers that take part in a community's
campaign work (共创共建)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from civility.org.models import Unit


class ParticipatingOrganisation(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        SCHOOL = "school", _("学校")
        GARRISON = "garrison", _("驻军")
        PROPERTY = "property", _("物业")

    community = models.ForeignKey(
        Unit,
        verbose_name=_("所在社区"),
        on_delete=models.CASCADE,
        related_name="participating_organisations",
        limit_choices_to={"kind": Unit.Kind.COMMUNITY},
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    role = models.CharField(
        _("共建内容"), max_length=200, blank=True, help_text=_("例如：认领门前三包、开放操场")
    )
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("共建单位")
        verbose_name_plural = _("共建单位")
        ordering = ["community", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="participatingorganisation_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.community_id and self.community.kind != Unit.Kind.COMMUNITY:
            raise ValidationError({"community": _("共建单位必须挂在社区下。")})
