"""One problem's life for ``seed_city``: the events ``workflow.perform`` would have written, in
order, cut at "now", and the problem's fields read off them (so status, milestones, deadline and
units always agree with the trail)."""

from __future__ import annotations

from datetime import UTC, datetime

from civility.supervision.problems.models import CREATED, Action, Photo, Problem

Status = Problem.Status
HOUR = 3600.0
DAY = 24 * HOUR

NOTES = {
    Action.VOID: "重复上报，与已有问题为同一处。",
    Action.DISPUTE: "该点位不属于本单位管辖范围，请协调。",
    Action.RETURN: "整改不彻底，现场仍有问题，请重新整改。",
    Action.REQUEST_EXTENSION: "涉及多个部门协调，申请延期办理。",
    Action.SUBMIT: "已组织人员清理整治，现场恢复整洁。",
    Action.APPROVE: "现场复查，整改到位。",
    Action.ESCALATE: "问题反复出现，请主要领导亲自过问，限期整改。",
}


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class Life:
    """The events of one problem in order: (t, action, from, to, actor, note, data, photo)."""

    def __init__(self, history, reported: float, inspector: int):
        self.h = history
        self.reported = reported
        self.events = [
            (reported, CREATED, "", Status.REPORTED, inspector, "", {}, Photo.Kind.BEFORE)
        ]
        self.status = Status.REPORTED
        self.deadline = 0.0
        self.coop: list[int] = []
        self.extension_row = None
        self.extra: list[tuple] = []

    def step(self, t, action, to, actor, *, note="", data=None, photo=None) -> None:
        self.events.append((t, action, self.status, to, actor, note, data or {}, photo))
        self.status = to

    def assign(self, t, unit, deadline, coop) -> None:
        self.deadline, self.coop = deadline, sorted(set(coop))
        data = {"unit": self.h.unit_names[unit], "deadline": _at(deadline).isoformat()}
        self.step(t, Action.ASSIGN, Status.ASSIGNED, self.h.org.secretariat, data=data)

    def reassign(self, t, unit, deadline, names) -> None:
        previous = next(e[6]["unit"] for e in reversed(self.events) if "unit" in e[6])
        self.deadline = deadline
        self.coop = [u for u in self.coop if u != unit]
        data = {"from_unit": previous, "unit": names[unit], "deadline": _at(deadline).isoformat()}
        self.step(t, Action.REASSIGN, Status.ASSIGNED, self.h.org.secretariat, note="", data=data)

    def extension(self, t, requester, decider, new: float) -> None:
        asked = {"requested_deadline": _at(new).isoformat()}
        self.step(
            t,
            Action.REQUEST_EXTENSION,
            Status.ASSIGNED,
            requester,
            note=NOTES[Action.REQUEST_EXTENSION],
            data=asked,
        )
        decided = t + 4 * HOUR
        self.step(
            decided,
            Action.APPROVE_EXTENSION,
            Status.ASSIGNED,
            decider,
            data={**asked, "deadline": _at(new).isoformat()},
        )
        self.extension_row = (t, requester, decider, self.deadline, new, decided)
        self.deadline = new

    def later(self, t, action, actor, *, note="") -> None:
        """An event that keeps the status (督办), placed among the others when cut."""
        self.extra.append((t, action, actor, note))

    def until(self, now: float) -> list[tuple]:
        events = [e for e in self.events if e[0] <= now]
        closed_at = next((e[0] for e in events if e[3] in (Status.CLOSED, Status.VOID)), None)
        for t, action, actor, note in self.extra:
            if t <= now and (closed_at is None or t < closed_at):
                status = [e for e in events if e[0] <= t][-1][3]
                if status in Problem.OPEN_STATUSES:
                    events.append((t, action, status, status, actor, note, {}, None))
        events.sort(key=lambda e: e[0])
        return events

    def state_at(self, events: list[tuple]) -> dict:
        state = {
            "status": events[-1][3],
            "primary_unit_id": None,
            "deadline": None,
            "assigned_at": None,
            "acknowledged_at": None,
            "submitted_at": None,
            "closed_at": None,
            "rework_count": 0,
            "escalation_level": 0,
        }
        units = self.h.unit_ids
        for t, action, _from, _to, _actor, _note, data, _photo in events:
            if "unit" in data:
                state["primary_unit_id"] = units[data["unit"]]
                state["assigned_at"], state["acknowledged_at"] = _at(t), None
            if "deadline" in data:
                state["deadline"] = datetime.fromisoformat(data["deadline"])
            if action == Action.ACKNOWLEDGE:
                state["acknowledged_at"] = _at(t)
            elif action == Action.SUBMIT:
                state["submitted_at"] = _at(t)
            elif action == Action.APPROVE:
                state["closed_at"] = _at(t)
            elif action == Action.RETURN:
                state["rework_count"] += 1
            elif action == Action.ESCALATE:
                state["escalation_level"] += 1
        return state
