"""Photos of suggestions, activities and nominations, processed like the problems' photos
(``civility.supervision.photos``) and served only to people who may see their owner."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility.supervision.problems.models import photo_path, thumb_path


class ParticipationPhoto(models.Model):
    suggestion = models.ForeignKey(
        "participation.Suggestion",
        verbose_name=_("建议意见"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
    )
    activity = models.ForeignKey(
        "participation.Activity",
        verbose_name=_("活动"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
    )
    nomination = models.ForeignKey(
        "participation.Nomination",
        verbose_name=_("推荐对象"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
    )
    image = models.ImageField(
        _("图片"), upload_to=photo_path, width_field="width", height_field="height"
    )
    thumbnail = models.ImageField(_("缩略图"), upload_to=thumb_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("参与照片")
        verbose_name_plural = _("参与照片")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    suggestion__isnull=False, activity__isnull=True, nomination__isnull=True
                )
                | Q(suggestion__isnull=True, activity__isnull=False, nomination__isnull=True)
                | Q(suggestion__isnull=True, activity__isnull=True, nomination__isnull=False),
                name="participationphoto_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"
