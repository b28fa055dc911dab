"""Periodic reminders (SPEC §4, §5): 明日到期 and 已逾期 notices to the primary unit's liaisons.

Run by ``manage.py send_reminders`` from cron/systemd. Each (person, kind, problem) is notified at
most once: the partial unique constraint ``notification_periodic_once`` plus
``bulk_create(ignore_conflicts=True)`` make a second run, or a second server running at the same
moment, insert nothing. The work is set-based: one query for the problems, one for the liaisons,
one for what was already sent, one insert.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from civility.core.models import User
from civility.core.roles import Role
from civility.supervision.notifications.models import Notification
from civility.supervision.problems.models import DUE_SOON, Problem
from civility.supervision.problems.notices import problem_url

Kind = Notification.Kind


def _label(problem: Problem) -> str:
    return f"{problem.number}（{problem.site}·{problem.category}）"


def _text(kind: str, problem: Problem) -> str:
    deadline = timezone.localtime(problem.deadline)
    if kind == Kind.DUE_TOMORROW:
        return f"问题 {_label(problem)} 将于 {deadline:%m月%d日 %H:%M} 到期，请抓紧整改。"
    return f"问题 {_label(problem)} 已超过整改期限（{deadline:%m月%d日 %H:%M}），请立即整改。"


def send_due_reminders(now: datetime | None = None) -> dict[str, int]:
    """Notify liaisons of problems due within 24 h (待整改) and of open problems past deadline.

    Returns how many new notifications of each kind were written.
    """

    now = now or timezone.now()
    due_soon = Q(status=Problem.Status.ASSIGNED, deadline__gte=now, deadline__lt=now + DUE_SOON)
    overdue = Q(status__in=Problem.OPEN_STATUSES, deadline__lt=now)
    problems = list(
        Problem.objects.filter(due_soon | overdue, primary_unit__isnull=False)
        .select_related("site", "category")
        .order_by("deadline", "id")
    )
    if not problems:
        return {Kind.DUE_TOMORROW.value: 0, Kind.OVERDUE.value: 0}

    liaisons: dict[int, list[int]] = defaultdict(list)
    for user_id, unit_id in (
        User.objects.filter(
            unit_id__in={p.primary_unit_id for p in problems},
            groups__name=Role.LIAISON,
            is_active=True,
        )
        .values_list("pk", "unit_id")
        .distinct()
    ):
        liaisons[unit_id].append(user_id)
    already = set(
        Notification.objects.filter(
            kind__in=Notification.ONCE_KINDS, problem_id__in=[p.pk for p in problems]
        ).values_list("user_id", "kind", "problem_id")
    )

    rows: list[Notification] = []
    counts = {Kind.DUE_TOMORROW.value: 0, Kind.OVERDUE.value: 0}
    for problem in problems:
        kind = Kind.OVERDUE if problem.deadline < now else Kind.DUE_TOMORROW
        for user_id in liaisons.get(problem.primary_unit_id, ()):
            if (user_id, kind.value, problem.pk) in already:
                continue
            rows.append(
                Notification(
                    user_id=user_id,
                    kind=kind,
                    problem=problem,
                    text=_text(kind, problem)[:300],
                    url=problem_url(problem),
                )
            )
            counts[kind.value] += 1
    with transaction.atomic():
        # A concurrent run may have inserted some of these since ``already`` was read: the
        # unique constraint turns those into no-ops.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return counts


def summary(counts: dict[str, int]) -> str:
    return (
        f"明日到期提醒 {counts.get(Kind.DUE_TOMORROW.value, 0)} 条，"
        f"逾期提醒 {counts.get(Kind.OVERDUE.value, 0)} 条"
    )
