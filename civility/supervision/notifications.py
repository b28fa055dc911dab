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


# Who hears of which workflow action: (kind, recipients, text). Recipients: "units" (liaisons of
# the primary and cooperating units), "primary" (liaisons of the primary unit), "secretariat",
# "reporter". The text gets the problem's label and the action's name.
PROBLEM_NOTICES = {
    "assign": ("assigned", "units", "新交办问题 {label}，请按期整改。"),
    "reassign": ("assigned", "units", "新交办问题 {label}，请按期整改。"),
    "return": ("returned", "primary", "问题 {label} 复查未通过，已退回重改。"),
    "escalate": ("escalated", "primary", "问题 {label} 已被督办，请加快整改。"),
    "dispute": ("disputed", "secretariat", "问题 {label} 被提出权属异议，待协调。"),
    "submit": ("submitted", "reporter", "问题 {label} 已提交整改，待复查。"),
    "request_extension": ("extension", "secretariat", "问题 {label} 申请延期，待审批。"),
    "approve_extension": ("decision", "primary", "问题 {label}：{action}。"),
    "reject_extension": ("decision", "primary", "问题 {label}：{action}。"),
    "reject_dispute": ("decision", "primary", "问题 {label}：{action}。"),
}


def problem_changed(problem, action, *, by) -> None:
    notice = PROBLEM_NOTICES.get(str(action))
    if notice is None:
        return
    kind, audience, template = notice
    primary = [problem.primary_unit_id] if problem.primary_unit_id else []
    if audience == "units":
        users = _liaisons(primary + list(problem.cooperating_units.values_list("pk", flat=True)))
    elif audience == "primary":
        users = _liaisons(primary)
    elif audience == "secretariat":
        users = _secretariat()
    else:
        users = [problem.reported_by]
    label = f"{problem.number}（{problem.site}·{problem.category}）"
    text = template.format(label=label, action=getattr(action, "label", action))
    notify(users, kind, text, problem=problem, url=problem_url(problem))


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
