"""The problem state machine (SPEC §4) — the only code that changes ``Problem.status``.

``TRANSITIONS`` is the table of allowed actions: from which states, to which state, who may take
it (a predicate from ``civility.core.permissions``) and what it requires. ``perform`` is the one
function every change goes through: it checks the person and the state, runs in a transaction,
swaps the status with a compare-and-swap on (status, version), writes one append-only
ProblemEvent, and queues notifications to be sent once the transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from civility.core.errors import Conflict as BaseConflict
from civility.core.errors import NotAllowed, Refused
from civility.core.permissions import is_secretariat
from civility.supervision.photos import ProcessedPhoto, attach_photos, photo_files_guard
from civility.supervision.problems.models import (
    CREATED,
    Action,
    ExtensionRequest,
    Photo,
    Problem,
    ProblemEvent,
)
from civility.supervision.problems.models import Sequence as NumberSequence
from civility.supervision.problems.notices import problem_changed
from civility.supervision.problems.permissions import (
    can_acknowledge,
    can_assign,
    can_decide_extension,
    can_dispute,
    can_escalate,
    can_reassign,
    can_reject_dispute,
    can_report_problem,
    can_request_extension,
    can_review,
    can_submit,
    can_void,
)

Status = Problem.Status


WorkflowError = Refused  # the name the problem pages use for any refusal


class Conflict(BaseConflict):
    """Someone else changed the problem first; ``current`` is its state now."""

    def __init__(self, current: Problem):
        super().__init__(f"已被他人处理：该问题当前状态为「{current.get_status_display()}」。")
        self.current = current


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: tuple[str, ...]
    target: str | None  # None: the status stays as it is
    allowed: Callable
    note_required: bool = False
    unit_required: bool = False
    deadline_required: bool = False
    photos_required: str | None = None  # a Photo.Kind when at least one photo is needed
    photo_kind: str | None = None  # a Photo.Kind when photos may be attached


_OPEN = (Status.ASSIGNED, Status.DISPUTED, Status.SUBMITTED)

TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        Transition(
            Action.ASSIGN,
            (Status.REPORTED,),
            Status.ASSIGNED,
            can_assign,
            unit_required=True,
        ),
        Transition(Action.VOID, (Status.REPORTED,), Status.VOID, can_void, note_required=True),
        Transition(Action.ACKNOWLEDGE, (Status.ASSIGNED,), None, can_acknowledge),
        Transition(
            Action.SUBMIT,
            (Status.ASSIGNED,),
            Status.SUBMITTED,
            can_submit,
            note_required=True,
            photos_required=Photo.Kind.AFTER,
            photo_kind=Photo.Kind.AFTER,
        ),
        Transition(
            Action.DISPUTE,
            (Status.ASSIGNED,),
            Status.DISPUTED,
            can_dispute,
            note_required=True,
        ),
        Transition(
            Action.REASSIGN,
            (Status.DISPUTED,),
            Status.ASSIGNED,
            can_reassign,
            unit_required=True,
        ),
        Transition(
            Action.REJECT_DISPUTE,
            (Status.DISPUTED,),
            Status.ASSIGNED,
            can_reject_dispute,
        ),
        Transition(
            Action.APPROVE,
            (Status.SUBMITTED,),
            Status.CLOSED,
            can_review,
            photo_kind=Photo.Kind.REVIEW,
        ),
        Transition(
            Action.RETURN,
            (Status.SUBMITTED,),
            Status.ASSIGNED,
            can_review,
            note_required=True,
            photo_kind=Photo.Kind.REVIEW,
        ),
        Transition(Action.ESCALATE, _OPEN, None, can_escalate),
        Transition(
            Action.REQUEST_EXTENSION,
            (Status.ASSIGNED,),
            None,
            can_request_extension,
            note_required=True,
            deadline_required=True,
        ),
        Transition(Action.APPROVE_EXTENSION, (Status.ASSIGNED,), None, can_decide_extension),
        Transition(
            Action.REJECT_EXTENSION,
            (Status.ASSIGNED,),
            None,
            can_decide_extension,
            note_required=True,
        ),
    )
}


def is_allowed(user, problem: Problem, action: Action) -> bool:
    transition = TRANSITIONS[action]
    return problem.status in transition.sources and bool(transition.allowed(user, problem))


def available_actions(user, problem: Problem) -> list[Action]:
    """The actions this person may take on this problem now, in the table's order."""
    return [action for action in TRANSITIONS if is_allowed(user, problem, action)]


def _default_deadline(problem: Problem, now: datetime) -> datetime:
    return now + timedelta(hours=problem.category.time_limit_hours)


def _validate(transition: Transition, problem: Problem, *, note, unit, deadline, photos, now):
    errors: dict[str, str] = {}
    if transition.note_required and not note.strip():
        errors["note"] = {
            Action.VOID: "请填写作废原因。",
            Action.SUBMIT: "请填写整改情况说明。",
            Action.DISPUTE: "请填写权属异议的理由。",
            Action.RETURN: "请填写退回重改的原因。",
            Action.REQUEST_EXTENSION: "请填写延期理由。",
            Action.REJECT_EXTENSION: "请填写驳回理由。",
        }.get(transition.action, "请填写说明。")
    if transition.unit_required and unit is None:
        errors["unit"] = "请选择主责单位。"
    if unit is not None and unit.headquarters_id != problem.headquarters_id:
        errors["unit"] = "主责单位不属于本指挥部。"
    if (
        transition.action == Action.REASSIGN
        and unit is not None
        and (unit.pk == problem.primary_unit_id)
    ):
        errors["unit"] = "改派必须选择另一个单位。"
    if transition.deadline_required and deadline is None:
        errors["deadline"] = "请填写新的整改期限。"
    if deadline is not None and deadline <= now:
        errors["deadline"] = "整改期限必须晚于现在。"
    if (
        transition.action == Action.REQUEST_EXTENSION
        and deadline is not None
        and problem.deadline is not None
        and deadline <= problem.deadline
    ):
        errors["deadline"] = "申请的期限必须晚于当前期限。"
    if transition.photos_required and not photos:
        errors["photos"] = "请至少上传一张整改后照片。"
    if errors:
        raise ValidationError(errors)


def perform(
    problem: Problem,
    action: Action | str,
    *,
    by,
    note: str = "",
    unit=None,
    cooperating_units: Iterable | None = None,
    deadline: datetime | None = None,
    photos: Sequence[ProcessedPhoto] = (),
    now: datetime | None = None,
    notify: bool = True,
) -> Problem:
    """Take ``action`` on ``problem`` as ``by``; return the problem as it is afterwards.

    Raises NotAllowed (wrong person or state), ValidationError (bad input; nothing changes) or
    Conflict (someone else changed the problem since it was loaded). ``notify=False`` leaves the
    notices to the caller (the demo sends them itself, stamped with the step's past time).
    """
    action = Action(action)
    transition = TRANSITIONS[action]
    now = now or timezone.now()
    note = (note or "").strip()

    if action == Action.ASSIGN and not is_secretariat(by):
        # 现场交办: an inspector hands the problem to the site's default unit, nothing else.
        unit = problem.site.default_unit
    if problem.status not in transition.sources:
        current = Problem.objects.get(pk=problem.pk)
        if current.version != problem.version:
            raise Conflict(current)
        raise NotAllowed(f"问题处于「{problem.get_status_display()}」状态，不能{action.label}。")
    if not transition.allowed(by, problem):
        raise NotAllowed(f"您没有权限对该问题执行「{action.label}」。")
    _validate(transition, problem, note=note, unit=unit, deadline=deadline, photos=photos, now=now)

    updates: dict = {}
    data: dict = {}
    target = transition.target or problem.status
    pending = None
    if action == Action.ASSIGN:
        updates.update(
            primary_unit=unit,
            assigned_at=now,
            deadline=deadline or _default_deadline(problem, now),
        )
    elif action == Action.ACKNOWLEDGE:
        updates["acknowledged_at"] = now
    elif action == Action.SUBMIT:
        updates["submitted_at"] = now
    elif action == Action.REASSIGN:
        data["from_unit"] = problem.primary_unit_id and str(problem.primary_unit)
        updates.update(
            primary_unit=unit,
            assigned_at=now,
            acknowledged_at=None,
            deadline=deadline or _default_deadline(problem, now),
        )
    elif action == Action.APPROVE:
        updates["closed_at"] = now
    elif action == Action.RETURN:
        updates["rework_count"] = F("rework_count") + 1
    elif action == Action.ESCALATE:
        updates["escalation_level"] = F("escalation_level") + 1
    elif action in (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION):
        pending = problem.extension_requests.get(status=ExtensionRequest.Status.PENDING)
        data["requested_deadline"] = pending.requested_deadline.isoformat()
        if action == Action.APPROVE_EXTENSION:
            updates["deadline"] = pending.requested_deadline
    if "primary_unit" in updates:
        data["unit"] = str(updates["primary_unit"])
        data["unit_id"] = updates["primary_unit"].pk  # lets reports replay the unit at a moment
    if "deadline" in updates:
        data["deadline"] = updates["deadline"].isoformat()

    with photo_files_guard(), transaction.atomic():
        swapped = Problem.objects.filter(
            pk=problem.pk, status=problem.status, version=problem.version
        ).update(status=target, version=F("version") + 1, **updates)
        if swapped != 1:
            raise Conflict(Problem.objects.get(pk=problem.pk))
        if action in (Action.ASSIGN, Action.REASSIGN):
            if cooperating_units is None:
                cooperating_units = _default_cooperating(problem, unit)
            problem.cooperating_units.set([u for u in cooperating_units if u.pk != unit.pk])
        if action == Action.REQUEST_EXTENSION:
            ExtensionRequest.objects.create(
                problem=problem,
                requested_by=by,
                reason=note,
                old_deadline=problem.deadline,
                requested_deadline=deadline,
            )
            data["requested_deadline"] = deadline.isoformat()
        elif pending is not None:
            pending.status = (
                ExtensionRequest.Status.APPROVED
                if action == Action.APPROVE_EXTENSION
                else ExtensionRequest.Status.REJECTED
            )
            pending.decided_by, pending.decided_at, pending.decision_note = by, now, note
            pending.save()
        event = ProblemEvent.objects.create(
            problem=problem,
            action=action,
            from_status=problem.status,
            to_status=target,
            actor=by,
            note=note,
            data=data,
            at=now,
        )
        if photos:
            attach_photos(photos, kind=transition.photo_kind, problem=problem, event=event, by=by)
        problem.refresh_from_db()
        if notify:
            transaction.on_commit(lambda: problem_changed(problem, action, by=by))
    return problem


def _default_cooperating(problem: Problem, unit) -> list:
    """条 departments of the site, and the category's default department."""
    units = list(problem.site.cooperating_units.all())
    if problem.category.default_department_id:
        units.append(problem.category.default_department)
    return [u for u in units if u.pk != unit.pk]


def report_problem(
    *,
    by,
    site,
    category,
    description: str,
    photos: Sequence[ProcessedPhoto] = (),
    inspection=None,
    source: str = Problem.Source.INSPECTION,
    latitude=None,
    longitude=None,
    drive=None,
    client_token=None,
    now: datetime | None = None,
) -> tuple[Problem, bool]:
    """Create a problem in 待交办 with its before-photos; (problem, created).

    A repeated ``client_token`` (a double-clicked or re-sent form) returns the first problem.
    """
    if not can_report_problem(by):
        raise NotAllowed("只有督查员和创建办可以上报问题。")
    if client_token is not None:
        existing = Problem.objects.filter(client_token=client_token).first()
        if existing is not None:
            return existing, False
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "请填写问题描述。"})
    now = now or timezone.now()
    hq = site.headquarters
    try:
        with photo_files_guard(), transaction.atomic():
            year = timezone.localtime(now).year
            number = NumberSequence.next_value(hq, "problem", year)
            problem = Problem.objects.create(
                headquarters=hq,
                number=f"{hq.code}-{year}-{number:06d}",
                source=source,
                inspection=inspection,
                drive=drive,
                site=site,
                category=category,
                description=description,
                latitude=latitude,
                longitude=longitude,
                deduction=category.deduction,
                reported_by=by,
                reported_at=now,
                client_token=client_token,
            )
            event = ProblemEvent.objects.create(
                problem=problem,
                action=CREATED,
                from_status="",
                to_status=Status.REPORTED,
                actor=by,
                at=now,
            )
            if photos:
                attach_photos(photos, kind=Photo.Kind.BEFORE, problem=problem, event=event, by=by)
    except IntegrityError:
        if client_token is not None:
            existing = Problem.objects.filter(client_token=client_token).first()
            if existing is not None:
                return existing, False
        raise
    return problem, True
