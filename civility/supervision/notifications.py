"""In-app notifications. Called after commit by the workflow and by the periodic command."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import ngettext

from civility.core.roles import Role


def _liaisons(unit_ids: Iterable[int]):
    from civility.core.models import User

    return User.objects.filter(
        unit_id__in=list(unit_ids), groups__name=Role.LIAISON, is_active=True
    ).distinct()


def _secretariat():
    from civility.core.models import User

    return User.objects.filter(groups__name=Role.SECRETARIAT, is_active=True).distinct()


def notify(users, kind: str, text: str, *, problem=None, commentary=None, url: str = "") -> int:
    from civility.supervision.models import Notification

    rows = [
        Notification(
            user=user, kind=kind, text=text[:300], problem=problem, commentary=commentary, url=url
        )
        for user in users
    ]
    # ignore_conflicts: the periodic kinds are unique per (user, kind, problem), so a second run
    # (or a second server) inserts nothing.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def problem_url(problem) -> str:
    return reverse("problem_detail", args=[problem.number])


def problem_changed(problem, action, *, by) -> None:
    from civility.supervision.models import Notification
    from civility.supervision.workflow import Action

    kind = Notification.Kind
    label = f"{problem.number}（{problem.site}·{problem.category}）"
    url = problem_url(problem)
    primary = [problem.primary_unit_id] if problem.primary_unit_id else []
    if action in (Action.ASSIGN, Action.REASSIGN):
        units = primary + list(problem.cooperating_units.values_list("pk", flat=True))
        notify(
            _liaisons(units),
            kind.ASSIGNED,
            f"新交办问题 {label}，请按期整改。",
            problem=problem,
            url=url,
        )
    elif action == Action.RETURN:
        notify(
            _liaisons(primary),
            kind.RETURNED,
            f"问题 {label} 复查未通过，已退回重改。",
            problem=problem,
            url=url,
        )
    elif action == Action.ESCALATE:
        notify(
            _liaisons(primary),
            kind.ESCALATED,
            f"问题 {label} 已被督办，请加快整改。",
            problem=problem,
            url=url,
        )
    elif action == Action.DISPUTE:
        notify(
            _secretariat(),
            kind.DISPUTED,
            f"问题 {label} 被提出权属异议，待协调。",
            problem=problem,
            url=url,
        )
    elif action == Action.SUBMIT:
        notify(
            [problem.reported_by],
            kind.SUBMITTED,
            f"问题 {label} 已提交整改，待复查。",
            problem=problem,
            url=url,
        )
    elif action == Action.REQUEST_EXTENSION:
        notify(
            _secretariat(),
            kind.EXTENSION,
            f"问题 {label} 申请延期，待审批。",
            problem=problem,
            url=url,
        )
    elif action in (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION, Action.REJECT_DISPUTE):
        notify(
            _liaisons(primary),
            kind.DECISION,
            f"问题 {label}：{action.label}。",
            problem=problem,
            url=url,
        )


def commentary_issued(commentary) -> None:
    from civility.supervision.models import Notification

    unit_ids = commentary.receipts.values_list("unit_id", flat=True)
    notify(
        _liaisons(unit_ids),
        Notification.Kind.COMMENTARY,
        f"{commentary.get_kind_display()}（{commentary.get_tone_display()}）：{commentary.title}",
        commentary=commentary,
        url=reverse("commentary_detail", args=[commentary.pk]),
    )


def inspection_submitted(inspection, *, by) -> None:
    """Tell the secretariat (but not the one who submitted) how many of the inspection's problems
    wait for 交办; nothing when every problem was handed over on the spot, or none was found."""
    from civility.supervision.models import Notification, Problem

    count = inspection.problems.filter(status=Problem.Status.REPORTED).count()
    if not count:
        return
    text = ngettext(
        "%(date)s %(team)s督查已提交，%(count)s 个问题待交办。",
        "%(date)s %(team)s督查已提交，%(count)s 个问题待交办。",
        count,
    ) % {"date": f"{inspection.date:%Y-%m-%d}", "team": inspection.team, "count": count}
    notify(
        _secretariat().exclude(pk=by.pk),
        Notification.Kind.TO_ASSIGN,
        text,
        url=reverse("inspection_detail", args=[inspection.pk]),
    )
