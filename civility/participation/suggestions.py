"""The suggestion state machine (SPEC §7 代表委员建议意见) — the only code that changes
``Suggestion.status``.

::

    待处理 ──转为问题──▶ 办理中 ──(all its problems closed: 办结)──▶ 已办结 ─┐
       │ ──交办答复──▶ 待答复 ──答复 (the unit's liaison)──▶ 已答复 ──────┤
       │ ──直接答复 (the secretariat)─────────────────────▶ 已答复 ──────┤
       ▲                                                               │
       └────────────── 不满意 (the representative) ◀── 满意 / 基本满意 / 不满意

``TRANSITIONS`` holds, per action, the states it leaves, the state it reaches, who may take it,
what it needs and who is told. ``perform`` is the one function every change goes through: it
checks person and state, swaps the status with a compare-and-swap on (status, version) in a
transaction, writes one append-only SuggestionEvent and queues the notices for after the commit.
``convert`` creates the problems through the problem workflow first; ``problem_event_saved``
closes a converted suggestion, after the commit, when the last of its problems is closed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civility.core.errors import Conflict as BaseConflict
from civility.core.errors import NotAllowed
from civility.org.models import Site, Unit
from civility.participation.models import Suggestion, SuggestionAction, SuggestionEvent
from civility.participation.permissions import (
    can_handle_suggestion,
    can_rate_suggestion,
    can_reply_suggestion,
    can_submit_suggestion,
    is_system,
)
from civility.participation.photos import as_processed, attach_photos
from civility.supervision.notifications.models import Notification
from civility.supervision.notifications.services import liaisons, notify, secretariat
from civility.supervision.photos import ProcessedPhoto, photo_files_guard
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Problem, ProblemEvent
from civility.supervision.problems.models import Sequence as NumberSequence

Status = Suggestion.Status
Rating = Suggestion.Rating
Action = SuggestionAction

# A linked problem in one of these states needs nothing more.
FINISHED = (Problem.Status.CLOSED, Problem.Status.VOID)


class Conflict(BaseConflict):
    """Someone else changed the suggestion first; ``current`` is how it is now."""

    def __init__(self, current: Suggestion):
        super().__init__(
            _("已被他人处理：该建议当前状态为「%(status)s」。")
            % {"status": current.get_status_display()}
        )
        self.current = current


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: tuple[str, ...]
    target: str | None  # None: the status stays
    allowed: Callable
    note_required: str = ""  # the message (lazy) when a required note is missing
    unit_required: bool = False
    rating: str = ""  # the rating this action records
    # Who is told, and what: (audience, text); audiences "author", "secretariat", "unit".
    notices: tuple[tuple[str, str], ...] = field(default_factory=tuple)


_RATED = "代表对建议 {label} 的办理评价：{action}。"
TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        Transition(
            Action.CONVERT,
            (Status.PENDING,),
            Status.CONVERTED,
            can_handle_suggestion,
            notices=(
                ("author", "您的建议 {label} 已转为问题交办：{problems}，可随时查看整改进展。"),
            ),
        ),
        Transition(
            Action.ASSIGN,
            (Status.PENDING,),
            Status.ASSIGNED,
            can_handle_suggestion,
            unit_required=True,
            notices=(
                ("unit", "代表建议 {label} 交由贵单位答复，请于 {deadline} 前答复。"),
                ("author", "您的建议 {label} 已交 {unit} 办理答复。"),
            ),
        ),
        Transition(
            Action.REPLY,
            (Status.ASSIGNED,),
            Status.REPLIED,
            can_reply_suggestion,
            note_required=gettext_lazy("请填写答复内容。"),
            notices=(
                ("author", "您的建议 {label} 已由 {unit} 答复，请评价办理结果。"),
                ("secretariat", "建议 {label} 已由 {unit} 答复。"),
            ),
        ),
        Transition(
            Action.ANSWER,
            (Status.PENDING,),
            Status.REPLIED,
            can_handle_suggestion,
            note_required=gettext_lazy("请填写答复内容。"),
            notices=(("author", "您的建议 {label} 已由创建办答复，请评价办理结果。"),),
        ),
        Transition(
            Action.CLOSE,
            (Status.CONVERTED,),
            Status.CLOSED,
            is_system,
            notices=(("author", "您的建议 {label} 转办的问题已全部办结，请评价办理结果。"),),
        ),
        Transition(
            Action.RATE_SATISFIED,
            Suggestion.RATEABLE,
            None,
            can_rate_suggestion,
            rating=Rating.SATISFIED,
            notices=(("secretariat", _RATED), ("unit", _RATED)),
        ),
        Transition(
            Action.RATE_BASIC,
            Suggestion.RATEABLE,
            None,
            can_rate_suggestion,
            rating=Rating.BASIC,
            notices=(("secretariat", _RATED), ("unit", _RATED)),
        ),
        Transition(
            Action.RATE_UNSATISFIED,
            Suggestion.RATEABLE,
            Status.PENDING,
            can_rate_suggestion,
            note_required=gettext_lazy("请说明不满意的原因，创建办将重新办理。"),
            rating=Rating.UNSATISFIED,
            notices=(
                ("secretariat", "代表对建议 {label} 的办理不满意，已退回重新办理：{note}"),
                ("unit", _RATED),
            ),
        ),
    )
}

# The actions a person takes by hand, in the order their buttons are shown.
HAND_ACTIONS = tuple(a for a in TRANSITIONS if a != Action.CLOSE)


def is_allowed(user, suggestion: Suggestion, action: Action) -> bool:
    transition = TRANSITIONS[action]
    return suggestion.status in transition.sources and bool(transition.allowed(user, suggestion))


def available_actions(user, suggestion: Suggestion) -> list[Action]:
    return [a for a in HAND_ACTIONS if is_allowed(user, suggestion, a)]


def _check(suggestion: Suggestion, transition: Transition, by) -> None:
    if suggestion.status not in transition.sources:
        current = Suggestion.objects.get(pk=suggestion.pk)
        if current.version != suggestion.version:
            raise Conflict(current)
        raise NotAllowed(
            _("建议处于「%(status)s」状态，不能%(action)s。")
            % {"status": suggestion.get_status_display(), "action": transition.action.label}
        )
    if not transition.allowed(by, suggestion):
        raise NotAllowed(
            _("您没有权限对该建议执行「%(action)s」。") % {"action": transition.action.label}
        )


def _validate(transition, suggestion, *, note, unit, deadline, problems, today) -> None:
    errors: dict[str, str] = {}
    if transition.note_required and not note:
        errors["note"] = str(transition.note_required)
    if transition.unit_required:
        if unit is None:
            errors["unit"] = _("请选择答复单位。")
        elif unit.headquarters_id != suggestion.headquarters_id:
            errors["unit"] = _("答复单位不属于本指挥部。")
        if deadline is None:
            errors["deadline"] = _("请填写答复期限。")
        elif deadline < today:
            errors["deadline"] = _("答复期限不能早于今天。")
    if transition.action == Action.CONVERT and not problems:
        errors["problems"] = _("请至少转出一个问题。")
    if errors:
        raise ValidationError(errors)


def perform(
    suggestion: Suggestion,
    action: Action | str,
    *,
    by,
    note: str = "",
    unit: Unit | None = None,
    deadline: date | None = None,
    problems: Sequence[Problem] = (),
    now: datetime | None = None,
    notify: bool = True,
) -> Suggestion:
    """Take ``action`` on ``suggestion`` as ``by`` (None: the system); return it as it is now.

    Raises NotAllowed (wrong person or state), ValidationError (bad input; nothing changes) or
    Conflict (someone else changed it since it was loaded).
    """
    action = Action(action)
    transition = TRANSITIONS[action]
    now = now or timezone.now()
    note = (note or "").strip()
    _check(suggestion, transition, by)
    _validate(
        transition,
        suggestion,
        note=note,
        unit=unit,
        deadline=deadline,
        problems=problems,
        today=timezone.localdate(now),
    )

    updates: dict = {}
    data: dict = {}
    if suggestion.status == Status.PENDING:
        updates["rating"] = ""  # a new round of handling, to be rated again
    if action == Action.CONVERT:
        updates.update(closed_at=None)
        data["problems"] = [p.number for p in problems]
    elif action == Action.ASSIGN:
        updates.update(
            unit=unit,
            reply_deadline=deadline,
            assigned_at=now,
            reply="",
            replied_by=None,
            replied_at=None,
        )
        data["deadline"] = deadline.isoformat()
    elif action in (Action.REPLY, Action.ANSWER):
        updates.update(reply=note, replied_by=by, replied_at=now)
        if action == Action.ANSWER:
            updates["unit"] = None
        elif suggestion.reply_deadline is not None:
            # Kept on the event: the 通报 counts replies that came by their round's deadline.
            data["deadline"] = suggestion.reply_deadline.isoformat()
            data["on_time"] = timezone.localdate(now) <= suggestion.reply_deadline
    elif action == Action.CLOSE:
        updates["closed_at"] = now
    if transition.rating:
        updates.update(rating=transition.rating, rated_at=now)
    if action == Action.RATE_UNSATISFIED:
        updates["returned_count"] = F("returned_count") + 1
    target = transition.target or suggestion.status
    event_unit = unit if action == Action.ASSIGN else suggestion.unit

    with transaction.atomic():
        swapped = Suggestion.objects.filter(
            pk=suggestion.pk, status=suggestion.status, version=suggestion.version
        ).update(status=target, version=F("version") + 1, **updates)
        if swapped != 1:
            raise Conflict(Suggestion.objects.get(pk=suggestion.pk))
        if problems:
            suggestion.problems.add(*problems)
        event = SuggestionEvent.objects.create(
            suggestion=suggestion,
            action=action,
            from_status=suggestion.status,
            to_status=target,
            actor=by,
            unit=event_unit,
            note=note,
            data=data,
            at=now,
        )
        suggestion.refresh_from_db()
        if notify:
            transaction.on_commit(lambda: send_notices(suggestion, event))
    return suggestion


def send_notices(suggestion: Suggestion, event: SuggestionEvent) -> int:
    """Tell the people the action's record names; returns how many notices were sent."""
    transition = TRANSITIONS[Action(event.action)]
    label = f"{suggestion.number}（{suggestion.excerpt}）"
    unit = suggestion.unit
    values = {
        "label": label,
        "action": Action(event.action).label,
        "unit": unit.name if unit else _("创建办"),
        "deadline": suggestion.reply_deadline.strftime("%Y-%m-%d")
        if suggestion.reply_deadline
        else "",
        "problems": "、".join(event.data.get("problems", [])),
        "note": event.note,
    }
    url = reverse("suggestion_detail", args=[suggestion.pk])
    sent = 0
    for audience, template in transition.notices:
        if audience == "author":
            users = [suggestion.author]
        elif audience == "secretariat":
            users = secretariat()
        else:
            users = liaisons([unit.pk]) if unit else []
        sent += notify(users, Notification.Kind.SUGGESTION, template.format(**values), url=url)
    return sent


# --- submitting and converting ----------------------------------------------------------------


def submit(
    *,
    by,
    headquarters,
    category: str,
    text: str,
    site: Site | None = None,
    place: str = "",
    photos: Sequence[ProcessedPhoto] = (),
    client_token=None,
    now: datetime | None = None,
    notify: bool = True,
) -> tuple[Suggestion, bool]:
    """A representative's new suggestion, 待处理; (suggestion, created). A repeated
    ``client_token`` (a double-tapped submit) returns the first one."""
    if not can_submit_suggestion(by):
        raise NotAllowed(_("只有人大代表和政协委员可以提交建议。"))
    if client_token is not None:
        existing = Suggestion.objects.filter(client_token=client_token).first()
        if existing is not None:
            return existing, False
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("请填写建议内容。")
    if category not in Suggestion.Category.values:
        errors["category"] = _("请选择建议类别。")
    if site is not None and site.headquarters_id != headquarters.pk:
        errors["site"] = _("点位不属于本指挥部。")
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    with photo_files_guard(), transaction.atomic():
        year = timezone.localtime(now).year
        number = NumberSequence.next_value(headquarters, "suggestion", year)
        suggestion = Suggestion.objects.create(
            headquarters=headquarters,
            number=f"{headquarters.code}-JY-{year}-{number:04d}",
            author=by,
            category=category,
            text=text,
            site=site,
            place=(place or "").strip(),
            submitted_at=now,
            client_token=client_token,
        )
        attach_photos(photos, by=by, suggestion=suggestion)
        event = SuggestionEvent.objects.create(
            suggestion=suggestion,
            action=Action.SUBMIT,
            to_status=Status.PENDING,
            actor=by,
            at=now,
        )
        if notify:
            transaction.on_commit(lambda: notify_submitted(suggestion, event))
    return suggestion, True


def notify_submitted(suggestion: Suggestion, event: SuggestionEvent) -> int:
    text = f"收到代表建议 {suggestion.number}（{suggestion.author}）：{suggestion.excerpt}"
    url = reverse("suggestion_detail", args=[suggestion.pk])
    return notify(secretariat(), Notification.Kind.SUGGESTION, text, url=url)


@dataclass(frozen=True)
class ProblemDraft:
    """One problem the secretariat makes of a suggestion; ``unit`` set: 交办 at once."""

    site: Site
    category: object  # org.ProblemCategory
    description: str
    unit: Unit | None = None
    with_photos: bool = True


def convert(
    suggestion: Suggestion,
    drafts: Sequence[ProblemDraft],
    *,
    by,
    note: str = "",
    now: datetime | None = None,
    notify: bool = True,
) -> Suggestion:
    """转为问题: report each draft as a problem (source 代表建议, the suggestion's photos as its
    before-photos), 交办 those with a unit, and link them; all or nothing."""
    _check(suggestion, TRANSITIONS[Action.CONVERT], by)
    if not drafts:
        raise ValidationError({"problems": _("请至少转出一个问题。")})
    photos = [p for p in map(as_processed, suggestion.photos.all()) if p is not None]
    with photo_files_guard(), transaction.atomic():
        created = []
        for draft in drafts:
            problem, _created = workflow.report_problem(
                by=by,
                site=draft.site,
                category=draft.category,
                description=draft.description,
                photos=photos if draft.with_photos else (),
                source=Problem.Source.SUGGESTION,
                now=now,
            )
            if draft.unit is not None:
                problem = workflow.perform(
                    problem, workflow.Action.ASSIGN, by=by, unit=draft.unit, now=now, notify=notify
                )
            created.append(problem)
        return perform(
            suggestion, Action.CONVERT, by=by, note=note, problems=created, now=now, notify=notify
        )


# --- following the problems -------------------------------------------------------------------


def follow_problem(problem_id: int, *, at: datetime | None = None) -> list[Suggestion]:
    """Close (办结) every converted suggestion of this problem whose problems are all finished,
    and tell its representative; the suggestions closed. Running it again changes nothing."""
    closed = []
    waiting = Suggestion.objects.filter(problems=problem_id, status=Status.CONVERTED)
    for suggestion in waiting:
        if suggestion.problems.exclude(status__in=FINISHED).exists():
            continue
        try:
            suggestion = perform(suggestion, Action.CLOSE, by=None, now=at, notify=False)
        except Conflict:
            continue  # someone else closed it first
        event = suggestion.events.filter(action=Action.CLOSE).order_by("-at", "-id").first()
        send_notices(suggestion, event)
        closed.append(suggestion)
    return closed


@receiver(post_save, sender=ProblemEvent, dispatch_uid="participation.follow_problems")
def problem_event_saved(sender, instance: ProblemEvent, created: bool, raw: bool = False, **kw):
    """A problem made of a suggestion reached 已销号 or 已作废: once that is committed, its
    suggestions may be done. After the commit, so that closing a problem never waits for, or
    fails with, the suggestions it came from (``robust``: a failure is logged; running
    ``follow_problem`` again repairs it). Other events and other problems are not followed."""
    if not created or raw or instance.to_status not in FINISHED:
        return
    if instance.problem.source != Problem.Source.SUGGESTION:
        return
    problem_id, at = instance.problem_id, instance.at
    transaction.on_commit(lambda: follow_problem(problem_id, at=at), robust=True)
