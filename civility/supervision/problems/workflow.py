"""The problem state machine (SPEC §4) — the only code that changes ``Problem.status``.

``ACTIONS`` holds one ``ActionSpec`` per workflow action: everything that action is — from which
states to which state, who may take it (a predicate from ``permissions``), what its form asks and
says, the button, the confirmation, the message afterwards, who hears of it and what it changes.
The forms, the buttons of the problem page and the notices are all read from it.

``perform`` is the one function every change goes through: it checks the person and the state,
runs in a transaction, swaps the status with a compare-and-swap on (status, version), writes one
append-only ProblemEvent, and queues notifications to be sent once the transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civility.core.errors import Conflict as BaseConflict
from civility.core.errors import NotAllowed, Refused
from civility.core.permissions import is_secretariat
from civility.supervision.photos import ProcessedPhoto, attach_photos, photo_files_guard
from civility.supervision.problems import notices
from civility.supervision.problems.forms import (
    AssignActionForm,
    ExtensionRequestActionForm,
    ProblemActionForm,
    ReassignActionForm,
)
from civility.supervision.problems.models import (
    CREATED,
    Action,
    ExtensionRequest,
    Photo,
    Problem,
    ProblemEvent,
)
from civility.supervision.problems.models import Sequence as NumberSequence
from civility.supervision.problems.notices import Notice
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
class Note:
    """The note an action's form asks for; ``missing`` is the refusal when it is required."""

    label: str
    missing: str | None = None


@dataclass(frozen=True)
class Photos:
    """Photos an action may attach, of ``kind``; ``missing`` makes at least one required."""

    kind: str
    label: str
    missing: str | None = None


@dataclass(frozen=True)
class ActionSpec:
    """Everything one workflow action is. ``perform`` reads the rules and effects, ``forms`` the
    form fields, the problem page the button, ``notices`` the notification."""

    action: Action
    sources: tuple[str, ...]
    target: str | None  # None: the status stays as it is
    allowed: Callable  # (user, problem) -> bool
    done: str  # the message after it was taken
    intro: str = ""  # what its form says above the fields
    form: type[ProblemActionForm] = ProblemActionForm
    note: Note | None = None  # None: the form asks for no note
    unit: str | None = None  # a unit is required; the refusal without one
    deadline: str | None = None  # a deadline is required; the refusal without one
    photos: Photos | None = None
    style: str = ""  # the button: "primary", "danger" or plain
    direct: bool = False  # the button posts at once; otherwise it opens the form in the modal
    confirm: str = ""  # asked before a direct post (may name the action as %(action)s)
    shows_dispute: bool = False  # its form shows what the unit said in its 权属异议
    notice: Notice | None = None
    # What it changes besides the status:
    hands_over: str = ""  # "first" (交办) or "again" (改派): units and a fresh deadline
    stamp: str = ""  # a milestone set to now
    count: str = ""  # a counter raised by one
    extension: str = ""  # "request", "approve" or "reject" an extension request

    @property
    def label(self) -> str:
        return gettext(self.action.label)

    @property
    def confirm_text(self) -> str:
        return str(self.confirm) % {"action": self.label} if self.confirm else ""

    def make_form(self, *args, **kwargs) -> ProblemActionForm:
        return self.form(*args, spec=self, **kwargs)


IRREVERSIBLE = _("确定%(action)s？此操作不可撤销。")
_OPEN = (Status.ASSIGNED, Status.DISPUTED, Status.SUBMITTED)
_ASSIGNED = Notice("assigned", "units", "新交办问题 {label}，请按期整改。")
_DECISION = Notice("decision", "primary", "问题 {label}：{action}。")

# fmt: off
ACTIONS: dict[Action, ActionSpec] = {spec.action: spec for spec in (
    ActionSpec(
        Action.ASSIGN, (Status.REPORTED,), Status.ASSIGNED, can_assign,
        form=AssignActionForm, note=Note(_("交办要求")), unit=_("请选择主责单位。"),
        intro=_("交给主责单位整改；不填期限则按问题类别的整改时限计算。"),
        style="primary", done=_("已交办"), notice=_ASSIGNED, hands_over="first",
    ),
    ActionSpec(
        Action.VOID, (Status.REPORTED,), Status.VOID, can_void,
        note=Note(_("作废原因"), _("请填写作废原因。")),
        intro=_("作废后问题不再流转，但记录永久保留。"),
        style="danger", done=_("已作废"),
    ),
    ActionSpec(
        Action.ACKNOWLEDGE, (Status.ASSIGNED,), None, can_acknowledge,
        intro=_("确认本单位已收到该问题，签收时间将被记录。"),
        style="primary", direct=True, done=_("已签收"), stamp="acknowledged_at",
    ),
    ActionSpec(
        Action.SUBMIT, (Status.ASSIGNED,), Status.SUBMITTED, can_submit,
        note=Note(_("整改情况说明"), _("请填写整改情况说明。")),
        photos=Photos(Photo.Kind.AFTER, _("整改后照片"), _("请至少上传一张整改后照片。")),
        intro=_("说明整改情况，并上传至少一张整改后的现场照片。"),
        style="primary", done=_("已提交整改，等待复查"), stamp="submitted_at",
        notice=Notice("submitted", "reporter", "问题 {label} 已提交整改，待复查。"),
    ),
    ActionSpec(
        Action.DISPUTE, (Status.ASSIGNED,), Status.DISPUTED, can_dispute,
        note=Note(_("异议理由"), _("请填写权属异议的理由。")),
        intro=_("认为该问题不属于本单位管辖时，说明理由，由创建办协调。"),
        style="danger", done=_("已提出权属异议，等待创建办协调"),
        notice=Notice("disputed", "secretariat", "问题 {label} 被提出权属异议，待协调。"),
    ),
    ActionSpec(
        Action.REASSIGN, (Status.DISPUTED,), Status.ASSIGNED, can_reassign,
        form=ReassignActionForm, note=Note(_("改派说明")), unit=_("请选择改派的单位。"),
        intro=_("改派给另一个主责单位，整改期限重新计算。"), shows_dispute=True,
        style="primary", done=_("已改派"), notice=_ASSIGNED, hands_over="again",
    ),
    ActionSpec(
        Action.REJECT_DISPUTE, (Status.DISPUTED,), Status.ASSIGNED, can_reject_dispute,
        note=Note(_("驳回说明")), shows_dispute=True,
        intro=_("异议不成立，问题退回原主责单位继续整改，期限不变。"),
        style="danger", done=_("已驳回异议"), notice=_DECISION,
    ),
    ActionSpec(
        Action.APPROVE, (Status.SUBMITTED,), Status.CLOSED, can_review,
        note=Note(_("复查意见")), photos=Photos(Photo.Kind.REVIEW, _("复查照片")),
        intro=_("现场复查合格，问题销号。"),
        style="primary", done=_("复查通过，问题已销号"), stamp="closed_at",
    ),
    ActionSpec(
        Action.RETURN, (Status.SUBMITTED,), Status.ASSIGNED, can_review,
        note=Note(_("退回原因"), _("请填写退回重改的原因。")),
        photos=Photos(Photo.Kind.REVIEW, _("复查照片")),
        intro=_("整改不到位，退回主责单位重新整改（退回次数加一）。"),
        style="danger", done=_("已退回重改"), count="rework_count",
        notice=Notice("returned", "primary", "问题 {label} 复查未通过，已退回重改。"),
    ),
    ActionSpec(
        Action.ESCALATE, _OPEN, None, can_escalate,
        note=Note(_("督办意见")),
        intro=_("督办后督办次数加一、扣分加倍，并通知主责单位。"),
        done=_("已督办"), count="escalation_level",
        notice=Notice("escalated", "primary", "问题 {label} 已被督办，请加快整改。"),
    ),
    ActionSpec(
        Action.REQUEST_EXTENSION, (Status.ASSIGNED,), None, can_request_extension,
        form=ExtensionRequestActionForm, note=Note(_("延期理由"), _("请填写延期理由。")),
        deadline=_("请填写新的整改期限。"),
        intro=_("说明理由并填写申请延至的期限，由创建办审批。"),
        done=_("已申请延期，等待审批"), extension="request",
        notice=Notice("extension", "secretariat", "问题 {label} 申请延期，待审批。"),
    ),
    ActionSpec(
        Action.APPROVE_EXTENSION, (Status.ASSIGNED,), None, can_decide_extension,
        intro=_("批准后整改期限改为申请的期限。"),
        style="primary", direct=True, confirm=IRREVERSIBLE, done=_("已批准延期"),
        notice=_DECISION, extension="approve",
    ),
    ActionSpec(
        Action.REJECT_EXTENSION, (Status.ASSIGNED,), None, can_decide_extension,
        note=Note(_("驳回理由"), _("请填写驳回理由。")),
        intro=_("驳回后整改期限不变。"),
        style="danger", done=_("已驳回延期申请"), notice=_DECISION, extension="reject",
    ),
)}
# fmt: on


def is_allowed(user, problem: Problem, action: Action) -> bool:
    spec = ACTIONS[action]
    return problem.status in spec.sources and bool(spec.allowed(user, problem))


def available_actions(user, problem: Problem) -> list[Action]:
    """The actions this person may take on this problem now, in the table's order."""
    return [action for action in ACTIONS if is_allowed(user, problem, action)]


def _default_deadline(problem: Problem, now: datetime) -> datetime:
    return now + timedelta(hours=problem.category.time_limit_hours)


def _validate(spec: ActionSpec, problem: Problem, *, note, unit, deadline, photos, now):
    errors: dict[str, str] = {}
    if spec.note and spec.note.missing and not note.strip():
        errors["note"] = str(spec.note.missing)
    if spec.unit and unit is None:
        errors["unit"] = str(spec.unit)
    if unit is not None and unit.headquarters_id != problem.headquarters_id:
        errors["unit"] = "主责单位不属于本指挥部。"
    if spec.hands_over == "again" and unit is not None and unit.pk == problem.primary_unit_id:
        errors["unit"] = "改派必须选择另一个单位。"
    if spec.deadline and deadline is None:
        errors["deadline"] = str(spec.deadline)
    if deadline is not None and deadline <= now:
        errors["deadline"] = "整改期限必须晚于现在。"
    if (
        spec.extension == "request"
        and deadline is not None
        and problem.deadline is not None
        and deadline <= problem.deadline
    ):
        errors["deadline"] = "申请的期限必须晚于当前期限。"
    if spec.photos and spec.photos.missing and not photos:
        errors["photos"] = str(spec.photos.missing)
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
    spec = ACTIONS[action]
    now = now or timezone.now()
    note = (note or "").strip()

    if spec.hands_over == "first" and not is_secretariat(by):
        # 现场交办: an inspector hands the problem to the site's default unit, nothing else.
        unit = problem.site.default_unit
    if problem.status not in spec.sources:
        current = Problem.objects.get(pk=problem.pk)
        if current.version != problem.version:
            raise Conflict(current)
        raise NotAllowed(f"问题处于「{problem.get_status_display()}」状态，不能{action.label}。")
    if not spec.allowed(by, problem):
        raise NotAllowed(f"您没有权限对该问题执行「{action.label}」。")
    _validate(spec, problem, note=note, unit=unit, deadline=deadline, photos=photos, now=now)

    updates: dict = {}
    data: dict = {}
    target = spec.target or problem.status
    pending = None
    if spec.hands_over:
        if spec.hands_over == "again":
            data["from_unit"] = problem.primary_unit_id and str(problem.primary_unit)
            updates["acknowledged_at"] = None
        updates.update(
            primary_unit=unit,
            assigned_at=now,
            deadline=deadline or _default_deadline(problem, now),
        )
    if spec.stamp:
        updates[spec.stamp] = now
    if spec.count:
        updates[spec.count] = F(spec.count) + 1
    if spec.extension in ("approve", "reject"):
        pending = problem.extension_requests.get(status=ExtensionRequest.Status.PENDING)
        data["requested_deadline"] = pending.requested_deadline.isoformat()
        if spec.extension == "approve":
            updates["deadline"] = pending.requested_deadline
    if "primary_unit" in updates:
        data["unit"] = str(updates["primary_unit"])
    if "deadline" in updates:
        data["deadline"] = updates["deadline"].isoformat()

    with photo_files_guard(), transaction.atomic():
        swapped = Problem.objects.filter(
            pk=problem.pk, status=problem.status, version=problem.version
        ).update(status=target, version=F("version") + 1, **updates)
        if swapped != 1:
            raise Conflict(Problem.objects.get(pk=problem.pk))
        if spec.hands_over:
            if cooperating_units is None:
                cooperating_units = _default_cooperating(problem, unit)
            problem.cooperating_units.set([u for u in cooperating_units if u.pk != unit.pk])
        if spec.extension == "request":
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
                if spec.extension == "approve"
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
            attach_photos(photos, kind=spec.photos.kind, problem=problem, event=event, by=by)
        problem.refresh_from_db()
        if notify:
            transaction.on_commit(lambda: announce(problem, action, by=by))
    return problem


def announce(problem: Problem, action: Action, *, by) -> None:
    """Tell the people the action's notice names (``perform`` does it once the change commits)."""
    notice = ACTIONS[Action(action)].notice
    if notice is not None:
        notices.send(notice, problem, action_label=Action(action).label)


@dataclass
class Outcome:
    """What ``perform_many`` did: the problems changed, and (problem, reasons) for the others."""

    done: list[Problem]
    failed: list[tuple[Problem, list[str]]]


def perform_many(problems: Iterable[Problem], action: Action, *, by, unit_for=None) -> Outcome:
    """Take ``action`` on each problem in turn (each its own transaction); a refusal of one does
    not stop the others. ``unit_for(problem)`` gives the unit where the action needs one."""
    outcome = Outcome(done=[], failed=[])
    for problem in problems:
        extra = {"unit": unit_for(problem)} if unit_for else {}
        try:
            outcome.done.append(perform(problem, action, by=by, **extra))
        except Refused as error:
            outcome.failed.append((problem, [error.message]))
        except ValidationError as error:
            outcome.failed.append((problem, list(error.messages)))
    return outcome


def assign_many(problems: Iterable[Problem], *, by, unit=None) -> Outcome:
    """批量交办: each problem to ``unit``, or to its site's default unit when none is given."""
    return perform_many(
        problems, Action.ASSIGN, by=by, unit_for=lambda problem: unit or problem.site.default_unit
    )


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
