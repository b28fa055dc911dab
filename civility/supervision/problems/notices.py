"""Who hears of a workflow action, and the text they get (each action's ``notice`` in
``workflow.ACTIONS`` says which)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from civility.supervision.notifications.services import liaisons, notify, secretariat


def problem_url(problem) -> str:
    return reverse("problem_detail", args=[problem.number])


@dataclass(frozen=True)
class Notice:
    """A notification: its ``kind``, the ``audience`` and the ``text``.

    Audience: "units" (liaisons of the primary and cooperating units), "primary" (liaisons of the
    primary unit), "secretariat" or "reporter". The text gets the problem's {label} and the
    action's name as {action}.
    """

    kind: str
    audience: str
    text: str


def send(notice: Notice, problem, *, action_label: str) -> None:
    primary = [problem.primary_unit_id] if problem.primary_unit_id else []
    if notice.audience == "units":
        users = liaisons(primary + list(problem.cooperating_units.values_list("pk", flat=True)))
    elif notice.audience == "primary":
        users = liaisons(primary)
    elif notice.audience == "secretariat":
        users = secretariat()
    else:
        users = [problem.reported_by]
    label = f"{problem.number}（{problem.site}·{problem.category}）"
    text = notice.text.format(label=label, action=action_label)
    notify(users, notice.kind, text, problem=problem, url=problem_url(problem))
