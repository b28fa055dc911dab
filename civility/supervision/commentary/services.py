"""点评 (SPEC §4): issuing commentary to units, 签收 and the reply of a written criticism.

Writes go through the three services below. Each is atomic; the receipt changes are
compare-and-swap updates (``filter(pk=..., acknowledged_at__isnull=True).update(...) == 1``), so
two people of one unit clicking 签收 at once cannot both win. Notifications are queued with
``transaction.on_commit``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date as date_type
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civility.core.errors import Conflict as BaseConflict
from civility.core.errors import NotAllowed
from civility.core.permissions import is_unit_liaison
from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.commentary.permissions import can_write_commentary
from civility.supervision.notifications.models import Notification
from civility.supervision.notifications.services import liaisons, notify
from civility.supervision.photos import ProcessedPhoto, attach_photos, photo_files_guard
from civility.supervision.problems.models import Photo

__all__ = [
    "Conflict",
    "NotAllowed",
    "ReceiptState",
    "acknowledge_receipt",
    "default_reply_days",
    "issue_commentary",
    "receipt_state",
    "reply_overdue_q",
    "reply_receipt",
]


class Conflict(BaseConflict):
    """Someone else signed or replied first; ``current`` is the receipt as it is now."""

    def __init__(self, current: CommentaryReceipt, message: str):
        super().__init__(message)
        self.current = current


def default_reply_days() -> int:
    return int(getattr(settings, "COMMENTARY_REPLY_DAYS", 5))


# --- issuing -----------------------------------------------------------------------------------


def issue_commentary(
    *,
    by,
    headquarters,
    kind: str,
    tone: str,
    title: str,
    text: str,
    units: Iterable,
    date: date_type | None = None,
    inspection=None,
    site=None,
    problems: Iterable = (),
    photos: Sequence[ProcessedPhoto] = (),
    reply_days: int | None = None,
    client_token: uuid.UUID | None = None,
) -> tuple[Commentary, bool]:
    """Create a commentary with one receipt per unit; (commentary, created).

    A repeated ``client_token`` (a double-clicked or re-sent form) returns the first commentary.
    The units' liaisons are notified once the transaction commits.
    """
    if not can_write_commentary(by):
        raise NotAllowed(_("只有指挥部领导和创建办可以发布点评。"))
    if client_token is not None:
        existing = Commentary.objects.filter(client_token=client_token).first()
        if existing is not None:
            return existing, False
    units = list(units)
    problems = list(problems)
    errors: dict[str, str] = {}
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        errors["title"] = _("请填写点评标题。")
    if not text:
        errors["text"] = _("请填写点评内容。")
    if not units:
        errors["units"] = _("请至少选择一个被点评单位。")
    elif any(u.headquarters_id != headquarters.pk for u in units):
        errors["units"] = _("被点评单位必须属于本指挥部。")
    if any(p.headquarters_id != headquarters.pk for p in problems):
        errors["problems"] = _("相关问题必须属于本指挥部。")
    if errors:
        raise ValidationError(errors)

    commentary = Commentary(
        headquarters=headquarters,
        kind=kind,
        tone=tone,
        date=date or timezone.localdate(),
        author=by,
        title=title,
        text=text,
        inspection=inspection,
        site=site,
        reply_days=reply_days if reply_days is not None else default_reply_days(),
        client_token=client_token,
    )
    commentary.full_clean(exclude=["client_token"])
    try:
        with photo_files_guard(), transaction.atomic():
            commentary.save()
            CommentaryReceipt.objects.bulk_create(
                CommentaryReceipt(commentary=commentary, unit=unit)
                for unit in {u.pk: u for u in units}.values()
            )
            if problems:
                commentary.problems.set(problems)
            if photos:
                attach_photos(photos, kind=Photo.Kind.COMMENTARY, commentary=commentary, by=by)
            transaction.on_commit(lambda: notify_issued(commentary))
    except IntegrityError:
        if client_token is not None:
            existing = Commentary.objects.filter(client_token=client_token).first()
            if existing is not None:
                return existing, False
        raise
    return commentary, True


# --- 签收 and reply ------------------------------------------------------------------------------


def acknowledge_receipt(
    receipt: CommentaryReceipt, by, *, now: datetime | None = None
) -> CommentaryReceipt:
    """签收 a written commentary for the receipt's unit; once only."""
    commentary = receipt.commentary
    if not commentary.needs_receipt:
        raise NotAllowed(_("只有书面点评需要签收。"))
    if not is_unit_liaison(by, receipt.unit_id):
        raise NotAllowed(_("只有被点评单位的联络员可以签收。"))
    if receipt.acknowledged_at is not None:
        raise NotAllowed(_("该点评已签收，不能重复签收。"))
    now = now or timezone.now()
    with transaction.atomic():
        swapped = CommentaryReceipt.objects.filter(
            pk=receipt.pk, acknowledged_at__isnull=True
        ).update(acknowledged_at=now, acknowledged_by=by)
        if swapped != 1:
            current = CommentaryReceipt.objects.select_related("acknowledged_by").get(pk=receipt.pk)
            raise Conflict(
                current,
                _("已被他人处理：%(name)s 已签收。") % {"name": current.acknowledged_by},
            )
    receipt.refresh_from_db()
    return receipt


def reply_receipt(
    receipt: CommentaryReceipt, by, text: str, *, now: datetime | None = None
) -> CommentaryReceipt:
    """Reply with the unit's measures to a written criticism, after 签收; once only."""
    commentary = receipt.commentary
    text = (text or "").strip()
    if not commentary.needs_reply:
        raise NotAllowed(_("只有书面批评需要回复整改措施。"))
    if not is_unit_liaison(by, receipt.unit_id):
        raise NotAllowed(_("只有被点评单位的联络员可以回复。"))
    if receipt.acknowledged_at is None:
        raise NotAllowed(_("请先签收，再回复整改措施。"))
    if receipt.replied_at is not None:
        raise NotAllowed(_("该点评已回复，不能重复回复。"))
    if not text:
        raise ValidationError({"reply": _("请填写整改措施。")})
    now = now or timezone.now()
    with transaction.atomic():
        swapped = CommentaryReceipt.objects.filter(
            pk=receipt.pk, acknowledged_at__isnull=False, replied_at__isnull=True
        ).update(reply=text, replied_at=now, replied_by=by)
        if swapped != 1:
            current = CommentaryReceipt.objects.select_related("replied_by").get(pk=receipt.pk)
            raise Conflict(
                current, _("已被他人处理：%(name)s 已回复。") % {"name": current.replied_by}
            )
        transaction.on_commit(lambda: _notify_author_of_reply(receipt))
    receipt.refresh_from_db()
    return receipt


def _notify_author_of_reply(receipt: CommentaryReceipt) -> None:
    from django.urls import reverse

    commentary = receipt.commentary
    notify(
        [commentary.author],
        Notification.Kind.COMMENTARY,
        f"{receipt.unit}已回复整改措施：{commentary.title}",
        commentary=commentary,
        url=reverse("commentary_detail", args=[commentary.pk]),
    )


# --- reading: receipt state and overdue replies -----------------------------------------------


@dataclass(frozen=True)
class ReceiptState:
    """How one unit's copy stands, for badges: ``code`` is a CSS suffix, ``label`` Chinese."""

    code: str
    label: str
    overdue: bool = False


def receipt_state(receipt: CommentaryReceipt, today: date_type | None = None) -> ReceiptState:
    commentary = receipt.commentary
    today = today or timezone.localdate()
    if not commentary.needs_receipt:
        return ReceiptState("none", _("无需签收"))
    if commentary.needs_reply:
        due = commentary.reply_due
        if receipt.replied_at is not None:
            late = timezone.localdate(receipt.replied_at) > due
            if late:
                return ReceiptState("late", _("逾期回复"), overdue=True)
            return ReceiptState("done", _("已回复"))
        if today > due:
            label = _("逾期未回复") if receipt.acknowledged_at else _("逾期未签收")
            return ReceiptState("overdue", label, overdue=True)
        if receipt.acknowledged_at is not None:
            return ReceiptState("waiting", _("已签收，待回复"))
        return ReceiptState("pending", _("待签收"))
    if receipt.acknowledged_at is not None:
        return ReceiptState("done", _("已签收"))
    return ReceiptState("pending", _("待签收"))


def reply_overdue_q(today: date_type, reply_days: Iterable[int] | None = None) -> Q:
    """Receipts of written criticism not replied by the due date (still open, or replied late).

    The due date is ``commentary.date + reply_days`` with a per-row number of days, which SQLite
    cannot multiply into an interval; so the condition is written once per distinct value of
    ``reply_days`` (a handful), keeping it one set-based query on every database.
    """
    if reply_days is None:
        reply_days = (
            Commentary.objects.filter(kind=Commentary.Kind.WRITTEN, tone=Commentary.Tone.CRITICISM)
            .values_list("reply_days", flat=True)
            .distinct()
            .order_by()
        )
    condition = Q(pk__in=[])
    for days in sorted(set(reply_days)):
        grace = timedelta(days=days)
        condition |= Q(commentary__reply_days=days) & (
            Q(replied_at__isnull=True, commentary__date__lt=today - grace)
            | Q(replied_at__date__gt=F("commentary__date") + grace)
        )
    return (
        Q(commentary__kind=Commentary.Kind.WRITTEN, commentary__tone=Commentary.Tone.CRITICISM)
        & condition
    )


def overdue_receipts(today: date_type | None = None) -> QuerySet:
    return CommentaryReceipt.objects.filter(reply_overdue_q(today or timezone.localdate()))


def notify_issued(commentary) -> None:
    unit_ids = commentary.receipts.values_list("unit_id", flat=True)
    notify(
        liaisons(unit_ids),
        Notification.Kind.COMMENTARY,
        f"{commentary.get_kind_display()}（{commentary.get_tone_display()}）：{commentary.title}",
        commentary=commentary,
        url=reverse("commentary_detail", args=[commentary.pk]),
    )
