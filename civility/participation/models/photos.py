"""Photos of suggestions, activities and nominations, processed like the problems' photos
(``civility.supervision.photos``) and served only to people who may see their owner."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility.supervision.problems.models import StoredPhoto


class ParticipationPhoto(StoredPhoto):
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

    class Meta(StoredPhoto.Meta):
        verbose_name = _("参与照片")
        verbose_name_plural = _("参与照片")
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
