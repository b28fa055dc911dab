"""Who hears of which workflow action, and the text they get."""

from __future__ import annotations

from django.urls import reverse

from civility.supervision.notifications.services import liaisons, notify, secretariat


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
        users = liaisons(primary + list(problem.cooperating_units.values_list("pk", flat=True)))
    elif audience == "primary":
        users = liaisons(primary)
    elif audience == "secretariat":
        users = secretariat()
    else:
        users = [problem.reported_by]
    label = f"{problem.number}（{problem.site}·{problem.category}）"
    text = template.format(label=label, action=getattr(action, "label", action))
    notify(users, kind, text, problem=problem, url=problem_url(problem))
