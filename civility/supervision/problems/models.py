"""The closed loop's data (SPEC §4): problems, their photos, the append-only event trail,
extension requests and numbering sequences (drives live in ``supervision.drives``).

``Problem.status`` is written only by ``civility.supervision.problems.workflow``.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.org.models import Headquarters, ProblemCategory, Site, Unit
from civility.supervision.drives.models import Drive  # noqa: F401 (its old home; still imported)

DUE_SOON = timedelta(hours=24)


class Sequence(models.Model):
    """Yearly counters per headquarters (problem numbers, later document numbers)."""

    headquarters = models.ForeignKey(Headquarters, on_delete=models.CASCADE)
    name = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "name", "year"], name="sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}: {self.value}"

    @classmethod
    def next_value(cls, headquarters, name: str, year: int) -> int:
        """The next number; must run inside a transaction (the UPDATE row lock serialises it)."""
        cls.objects.get_or_create(headquarters=headquarters, name=name, year=year)
        row = cls.objects.filter(headquarters=headquarters, name=name, year=year)
        row.update(value=F("value") + 1)
        return row.values_list("value", flat=True).get()


class Problem(models.Model):
    class Status(models.TextChoices):
        REPORTED = "reported", _("待交办")
        ASSIGNED = "assigned", _("待整改")
        DISPUTED = "disputed", _("待协调")
        SUBMITTED = "submitted", _("待复查")
        CLOSED = "closed", _("已销号")
        VOID = "void", _("已作废")

    OPEN_STATUSES = (Status.ASSIGNED, Status.DISPUTED, Status.SUBMITTED)

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("督查发现")
        LEADER = "leader", _("领导交办")
        SUGGESTION = "suggestion", _("代表建议")
        HOTLINE = "hotline", _("热线转办")
        OTHER = "other", _("其他")

    class DueState(models.TextChoices):
        """Derived, never stored: shown as coloured badges."""

        ON_TIME = "on_time", _("正常")
        DUE_SOON = "due_soon", _("即将到期")
        OVERDUE = "overdue", _("逾期")
        CLOSED_ON_TIME = "closed_on_time", _("按期销号")
        CLOSED_LATE = "closed_late", _("逾期销号")
        NONE = "none", "—"

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.PROTECT, related_name="problems"
    )
    number = models.CharField(_("编号"), max_length=30, unique=True, editable=False)
    source = models.CharField(
        _("来源"), max_length=20, choices=Source.choices, default=Source.INSPECTION
    )
    inspection = models.ForeignKey(
        "supervision.Inspection",
        verbose_name=_("所属督查"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
    )
    drive = models.ForeignKey(
        Drive,
        verbose_name=_("专项行动"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
    )
    # 回潮: the same category at the same site, reported within the headquarters' recurrence
    # window after this earlier problem was closed (set once, at report time).
    recurrence_of = models.ForeignKey(
        "self",
        verbose_name=_("回潮自"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="recurrences",
    )
    site = models.ForeignKey(
        Site, verbose_name=_("点位"), on_delete=models.PROTECT, related_name="problems"
    )
    category = models.ForeignKey(
        ProblemCategory,
        verbose_name=_("问题类别"),
        on_delete=models.PROTECT,
        related_name="problems",
    )
    description = models.TextField(_("问题描述"))
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    primary_unit = models.ForeignKey(
        Unit,
        verbose_name=_("主责单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="primary_problems",
    )
    cooperating_units = models.ManyToManyField(
        Unit, verbose_name=_("协办单位"), blank=True, related_name="cooperating_problems"
    )
    deadline = models.DateTimeField(_("整改期限"), null=True, blank=True)
    deduction = models.DecimalField(_("扣分"), max_digits=5, decimal_places=1)
    escalation_level = models.PositiveSmallIntegerField(_("督办次数"), default=0)
    rework_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.REPORTED, editable=False
    )
    # Compare-and-swap token: every workflow change bumps it, so two people acting at once on
    # the same problem cannot both win, even for actions that keep the status.
    version = models.PositiveIntegerField(default=0, editable=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        on_delete=models.PROTECT,
        related_name="reported_problems",
    )
    reported_at = models.DateTimeField(_("上报时间"), default=timezone.now, db_index=True)
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交整改时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    client_token = models.UUIDField(
        _("提交令牌"), unique=True, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["headquarters", "status", "deadline"]),
            models.Index(fields=["primary_unit", "status"]),
            models.Index(fields=["deadline"]),
            models.Index(fields=["closed_at"]),
            # City scale (issue 11): a unit's problems newest first, a status by deadline.
            models.Index(fields=["primary_unit", "reported_at"], name="problem_unit_reported"),
            models.Index(fields=["status", "deadline"], name="problem_status_deadline"),
            models.Index(fields=["site", "reported_at"], name="problem_site_reported"),
            # 问责 suggestions (campaign.accountability): the few problems 督办 twice or more.
            models.Index(
                fields=["headquarters", "escalation_level"],
                condition=Q(escalation_level__gte=2),
                name="problem_escalated_twice",
            ),
            # A drive's figures (drives.progress): its problems read from the index alone.
            models.Index(
                fields=["drive", "status", "deadline", "closed_at", "recurrence_of"],
                condition=Q(drive__isnull=False),
                name="problem_drive_figures",
            ),
            # The scores' running month (counts.rectification_counts_aggregated): the problems
            # still open or closed since the month began, read from the index alone.
            models.Index(
                fields=[
                    "closed_at",
                    "primary_unit",
                    "assigned_at",
                    "deadline",
                    "status",
                    "headquarters",
                ],
                name="problem_closed_window",
            ),
            # The dashboard's figures and overdue units: the pending problems by status and
            # deadline, read from the index alone.
            models.Index(
                fields=[
                    "status",
                    "deadline",
                    "primary_unit",
                    "escalation_level",
                    "reported_at",
                    "closed_at",
                    "headquarters",
                ],
                name="problem_status_figures",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="reported") | Q(status="void") | Q(primary_unit__isnull=False),
                name="problem_assigned_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="problem_closed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(deduction__gte=0), name="problem_deduction_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def effective_deduction(self):
        """A problem's deduction counts double while it is under 督办."""
        return self.deduction * 2 if self.escalation_level else self.deduction

    def due_state(self, now=None) -> "Problem.DueState":
        now = now or timezone.now()
        if self.deadline is None or self.status in (self.Status.VOID, self.Status.REPORTED):
            return self.DueState.NONE
        if self.status == self.Status.CLOSED:
            late = self.closed_at and self.closed_at > self.deadline
            return self.DueState.CLOSED_LATE if late else self.DueState.CLOSED_ON_TIME
        if self.deadline < now:
            return self.DueState.OVERDUE
        if self.deadline < now + DUE_SOON:
            return self.DueState.DUE_SOON
        return self.DueState.ON_TIME

    @classmethod
    def due_state_q(cls, state: str, now) -> Q:
        open_ = Q(status__in=cls.OPEN_STATUSES)
        return {
            cls.DueState.OVERDUE: open_ & Q(deadline__lt=now),
            cls.DueState.DUE_SOON: open_ & Q(deadline__gte=now, deadline__lt=now + DUE_SOON),
            cls.DueState.ON_TIME: open_ & Q(deadline__gte=now + DUE_SOON),
            cls.DueState.CLOSED_LATE: Q(status=cls.Status.CLOSED, closed_at__gt=F("deadline")),
            cls.DueState.CLOSED_ON_TIME: Q(status=cls.Status.CLOSED, closed_at__lte=F("deadline")),
        }[state]


def photo_path(instance, filename: str) -> str:
    return f"photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


def thumb_path(instance, filename: str) -> str:
    return f"photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}_t.jpg"


class StoredPhoto(models.Model):
    """A stored photo: the re-encoded JPEG and its thumbnail (``civility.supervision.photos``
    writes both under MEDIA_ROOT/photos), its size, who uploaded it and when.

    Each concrete photo (a problem's ``Photo``, participation's ``ParticipationPhoto``) adds only
    its owners and the constraint that it has exactly one; ``sweep_photos`` keeps the files of
    every concrete model built on this one.
    """

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
        abstract = True
        ordering = ["uploaded_at", "id"]


class Photo(StoredPhoto):
    class Kind(models.TextChoices):
        BEFORE = "before", _("整改前")
        AFTER = "after", _("整改后")
        REVIEW = "review", _("复查")
        COMMENTARY = "commentary", _("点评")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("问题"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
    )
    commentary = models.ForeignKey(
        "Commentary",
        verbose_name=_("点评"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
    )
    event = models.ForeignKey(
        "ProblemEvent",
        verbose_name=_("所属操作"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="photos",
    )

    class Meta(StoredPhoto.Meta):
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        constraints = [
            models.CheckConstraint(
                condition=Q(problem__isnull=False, commentary__isnull=True)
                | Q(problem__isnull=True, commentary__isnull=False),
                name="photo_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Action(models.TextChoices):
    """What a person can do to a problem (SPEC §4); ``workflow.ACTIONS`` describes each one."""

    ASSIGN = "assign", _("交办")
    VOID = "void", _("作废")
    ACKNOWLEDGE = "acknowledge", _("签收")
    SUBMIT = "submit", _("提交整改")
    DISPUTE = "dispute", _("权属异议")
    REASSIGN = "reassign", _("改派")
    REJECT_DISPUTE = "reject_dispute", _("驳回异议")
    APPROVE = "approve", _("复查通过")
    RETURN = "return", _("退回重改")
    ESCALATE = "escalate", _("督办")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    APPROVE_EXTENSION = "approve_extension", _("批准延期")
    REJECT_EXTENSION = "reject_extension", _("驳回延期")


CREATED = "create"  # the event written when a problem is reported (上报)


def action_label(action: str) -> str:
    if action == CREATED:
        return _("上报")
    try:
        return Action(action).label
    except ValueError:
        return action


class ProblemEvent(models.Model):
    """Append-only audit trail of every change to a problem."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("问题"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("问题流转记录")
        verbose_name_plural = _("问题流转记录")
        ordering = ["at", "id"]
        indexes = [
            # "Was this problem 改派 or extended?" answered from the index alone (the scores'
            # counts ask it of every open problem).
            models.Index(fields=["problem", "action"], name="event_problem_action"),
        ]

    def __str__(self) -> str:
        return f"{self.problem} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("ProblemEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("ProblemEvent is append-only")

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def to_status_label(self) -> str:
        return Problem.Status(self.to_status).label if self.to_status else ""


class ExtensionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    problem = models.ForeignKey(
        Problem, verbose_name=_("问题"), on_delete=models.PROTECT, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("延期理由"))
    old_deadline = models.DateTimeField(_("原期限"))
    requested_deadline = models.DateTimeField(_("申请延至"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem"],
                condition=Q(status="pending"),
                name="extension_one_pending_per_problem",
            ),
            models.CheckConstraint(
                condition=Q(requested_deadline__gt=F("old_deadline")),
                name="extension_moves_deadline_later",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.problem} 延期至 {self.requested_deadline:%Y-%m-%d}"
