"""签阅 (SPEC §5): besides the automatic 已阅 of opening a bulletin, a leader or a liaison
acknowledges it explicitly, optionally with a remark; the readers panel shows both, reminders go
to whoever has done neither, and a signer's home lists what waits for their 签阅.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from civility.core.errors import NotAllowed, Refused
from civility.core.models import User
from civility.core.roles import Role
from civility.reports.compile import report_url
from civility.reports.models import Report, ReportRead
from civility.reports.permissions import (
    SIGNING_ROLES,
    can_sign_report,
    is_report_signer,
    reports_visible_to,
)
from civility.supervision.notifications.models import Notification
from civility.supervision.notifications.services import notify

RECIPIENT_ROLES = (Role.LEADER, Role.REPRESENTATIVE, Role.LIAISON)
REMARK_MAX = 500
WAITING_DAYS = 31  # a month's 通报 and the weeks' 巡报 since


def sign(report: Report, user, remark: str = "", *, now=None) -> ReportRead:
    """签阅 once (it also counts as 已阅); a second 签阅 is refused and changes nothing."""
    if not can_sign_report(user, report):
        raise NotAllowed(gettext("您不能签阅该通报。"))
    remark = (remark or "").strip()
    if len(remark) > REMARK_MAX:
        raise Refused(gettext("签阅意见不能超过%(n)d字。") % {"n": REMARK_MAX})
    now = now or timezone.now()
    with transaction.atomic():
        ReportRead.objects.bulk_create(
            [ReportRead(report=report, user=user)], ignore_conflicts=True
        )
        signed = ReportRead.objects.filter(report=report, user=user, signed_at__isnull=True).update(
            signed_at=now, remark=remark
        )
        if signed != 1:
            raise Refused(gettext("您已签阅该通报。"))
    Notification.objects.filter(
        user=user, kind=Notification.Kind.REPORT, url=report_url(report), read_at__isnull=True
    ).update(read_at=now)
    return ReportRead.objects.get(report=report, user=user)


def signature(report: Report, user) -> ReportRead | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return ReportRead.objects.filter(report=report, user=user, signed_at__isnull=False).first()


def waiting_for(user, now=None) -> QuerySet:
    """Published bulletins of the last ``WAITING_DAYS`` this person should 签阅 and has not
    (older ones have been followed by newer ones: a new liaison is not greeted by a year of
    bulletins)."""
    if not is_report_signer(user):
        return Report.objects.none()
    signed = ReportRead.objects.filter(report=OuterRef("pk"), user=user, signed_at__isnull=False)
    read = ReportRead.objects.filter(report=OuterRef("pk"), user=user)
    return (
        reports_visible_to(user)
        .filter(
            status=Report.Status.PUBLISHED,
            published_at__gte=(now or timezone.now()) - timedelta(days=WAITING_DAYS),
        )
        .exclude(Exists(signed))
        .annotate(is_read=Exists(read))
        .order_by("-published_at", "-id")
    )


def remind(report: Report) -> int:
    """提醒: notify every recipient who has not read the bulletin, and every leader and liaison who
    has read but not signed it; nobody is reminded twice while the last reminder is unread."""
    if report.status != Report.Status.PUBLISHED:
        return 0
    url = report_url(report)
    reads = {
        row.user_id: row
        for row in ReportRead.objects.filter(report=report).only("user_id", "signed_at")
    }
    pending = set(
        Notification.objects.filter(
            kind=Notification.Kind.REPORT, url=url, read_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    people = (
        User.objects.filter(is_active=True, groups__name__in=[r.value for r in RECIPIENT_ROLES])
        .prefetch_related("groups")
        .distinct()
    )
    to_read, to_sign = [], []
    for person in people:
        if person.pk in pending:
            continue
        signer = any(group.name in SIGNING_ROLES for group in person.groups.all())
        row = reads.get(person.pk)
        if row is None:
            to_read.append(person)
        elif signer and row.signed_at is None:
            to_sign.append(person)
    label = f"{report.number} {report.title}"
    if to_read:
        notify(to_read, Notification.Kind.REPORT, f"请阅读：{label}", url=url)
    if to_sign:
        notify(to_sign, Notification.Kind.REPORT, f"请签阅：{label}", url=url)
    return len(to_read) + len(to_sign)


def readers(report: Report) -> dict:
    """阅读情况: every recipient (active leaders, representatives, liaisons) by role — who has not
    read, who has read but not signed (leaders, liaisons), who signed and with what remark. One
    query whatever the number of people."""
    mine = ReportRead.objects.filter(report=report, user=OuterRef("user_id"))
    memberships = (
        User.groups.through.objects.filter(
            group__name__in=[r.value for r in RECIPIENT_ROLES], user__is_active=True
        )
        .annotate(
            has_read=Exists(mine),
            signed_at=Subquery(mine.values("signed_at")[:1]),
            remark=Subquery(mine.values("remark")[:1]),
        )
        .select_related("user__unit", "group")
        .order_by("user__unit__kind", "user__unit__order", "user__name", "user_id")
    )
    roles = {
        role.value: {
            "key": role.value,
            "label": gettext(role.label),
            "signs": role in SIGNING_ROLES,
            "total": 0,
            "read": 0,
            "signed": 0,
            "unread": [],
            "unsigned": [],
            "signatures": [],
        }
        for role in RECIPIENT_ROLES
    }
    people, readers_, signers = set(), set(), set()
    for membership in memberships:
        group = roles[membership.group.name]
        group["total"] += 1
        people.add(membership.user_id)
        person = membership.user
        if membership.signed_at is not None:
            group["read"] += 1
            group["signed"] += 1
            readers_.add(person.pk)
            signers.add(person.pk)
            group["signatures"].append(
                {"user": person, "at": membership.signed_at, "remark": membership.remark}
            )
        elif membership.has_read:
            group["read"] += 1
            readers_.add(person.pk)
            if group["signs"]:
                group["unsigned"].append(person)
        else:
            group["unread"].append(person)
    return {
        "roles": list(roles.values()),
        "total": len(people),
        "read": len(readers_),
        "unread": len(people) - len(readers_),
        "signed": len(signers),
    }


def panel(report: Report, user) -> dict:
    """What the 签阅 box on a bulletin shows this person."""
    return {
        "can_sign": can_sign_report(user, report),
        "signature": signature(report, user),
        "remark_max": REMARK_MAX,
    }
