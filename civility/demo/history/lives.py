"""One problem's life after it was reported: the workflow steps, in working hours, fitted
before "now"."""

from __future__ import annotations

from datetime import timedelta

from civility.demo.history.planner import LEADER, LIAISON, SECRETARIAT, Planner
from civility.demo.history.plans import CategoryInfo, SiteInfo, Step
from civility.demo.pictures import POOL_SIZE
from civility.demo.texts import (
    APPROVE_NOTES,
    DISPUTE_REASONS,
    EXTENSION_REASONS,
    REJECT_DISPUTE_NOTE,
    REJECT_EXTENSION_NOTE,
    RETURN_REASONS,
    SUBMIT_NOTES,
    VOID_REASONS,
)
from civility.supervision.problems.models import Action

OFFICE_ACTIONS = {
    Action.ASSIGN,
    Action.VOID,
    Action.REASSIGN,
    Action.REJECT_DISPUTE,
    Action.APPROVE_EXTENSION,
    Action.REJECT_EXTENSION,
    Action.ESCALATE,
}


class Life:
    """One problem's steps after it was reported, built in hours after the report and then fitted
    before "now" (squeezed proportionally when the story would not have finished yet)."""

    def __init__(self, planner: Planner, draft: dict, reviewer: str):
        self.p = planner
        self.rng = planner.rng
        self.draft = draft
        self.reviewer = reviewer
        self.site: SiteInfo = draft["site"]
        self.category: CategoryInfo = draft["category"]
        self.limit = self.category.limit_hours
        self.t = 0.0
        self.deadline = 0.0
        self.unit = self.site.default_unit_id
        self.steps: list[tuple[float, dict]] = []

    def add(self, after: float, action: str, actor: str, **kw) -> None:
        previous = self.t
        self.t = self._working_hours(previous + max(0.05, after), previous, action, actor)
        self.steps.append((self.t, dict(action=action, actor=actor, **kw)))

    def _working_hours(self, t: float, previous: float, action: str, actor: str) -> float:
        """People act by day: the office between 8:30 and 18:00, the units and inspectors
        between 7:30 and 21:00. A step that would fall at night moves back into the evening
        when it still comes after the previous step, else on to the next morning."""
        if action == Action.ASSIGN and actor not in (SECRETARIAT, LEADER):
            return t  # 现场交办, on the spot
        office = actor in (SECRETARIAT, LEADER) and action in OFFICE_ACTIONS
        start, end = (8.5, 18.0) if office else (7.5, 21.0)
        when = self.draft["reported_at"] + timedelta(hours=t)
        hour = when.hour + when.minute / 60
        if hour < start:
            return t + start - hour + self.rng.uniform(0, 1)
        if hour >= end:
            evening = t - (hour - end) - self.rng.uniform(0.1, 1)
            if evening > previous + 0.05:
                return evening
            return t + 24 - hour + start + self.rng.uniform(0, 1)
        return t

    def build(self, fate: str) -> tuple[Step, ...]:
        if fate != "reported":
            self._story(fate)
        return self._fit()

    def _story(self, fate: str) -> None:  # noqa: C901 — one story, told in order
        rng, reporter = self.rng, self.draft["reporter"]
        if fate == "void":
            self.add(rng.uniform(2, 20), Action.VOID, SECRETARIAT, note=rng.choice(VOID_REASONS))
            return
        if reporter != SECRETARIAT and rng.random() < 0.45:  # 现场交办
            self.add(rng.uniform(0.1, 0.5), Action.ASSIGN, reporter)
        else:
            dept = self.category.default_department_id
            if dept in self.p.units and dept != self.unit and rng.random() < 0.2:
                self.unit = dept
            self.add(rng.uniform(2, 26), Action.ASSIGN, SECRETARIAT, unit_id=self.unit)
        self.deadline = self.t + self.limit
        if rng.random() < 0.9:
            self.add(rng.uniform(0.5, min(8, self.limit / 3)), Action.ACKNOWLEDGE, LIAISON)
        closed = fate == "closed"
        if fate == "disputed" or (closed and rng.random() < 0.05):
            if not self._dispute(decide=fate != "disputed"):
                return
        if fate == "extension_pending" or (closed and rng.random() < 0.06):
            self._extension(decide=fate != "extension_pending")
        if fate in ("assigned", "extension_pending", "disputed"):
            return
        if fate == "stuck":
            self.at(self.deadline + rng.uniform(4, 24), Action.ESCALATE, LEADER)
            if rng.random() < 0.5:
                self.add(rng.uniform(72, 168), Action.ESCALATE, LEADER)
            return
        sloppy = self.p.sloppiness.get(self.unit, 1.0)
        late = rng.random() < 0.08 * sloppy
        if late or self.deadline - self.t < 0.5:
            submit_at = max(self.t, self.deadline) + rng.uniform(6, 72)
        else:
            submit_at = self.t + (self.deadline - self.t) * rng.uniform(0.25, 0.8)
        if submit_at > self.deadline and (late and rng.random() < 0.45 or rng.random() < 0.05):
            escalate_at = self.deadline + (submit_at - self.deadline) * rng.uniform(0.2, 0.6)
            self.at(max(escalate_at, self.t + 0.1), Action.ESCALATE, LEADER)
        self.at(max(submit_at, self.t + 0.1), Action.SUBMIT, LIAISON, **self._report())
        if fate == "submitted":
            return
        for _ in range(rng.choices((0, 1, 2), weights=(88, 9 * sloppy, 3 * sloppy))[0]):
            back, again = rng.uniform(2, 20), rng.uniform(6, 40)
            room = self.deadline - self.t
            if not late and room > 1 and rng.random() < 0.6:  # returned and redone in time
                back, again = min(back, room * 0.2), min(again, room * 0.4)
            self.add(back, Action.RETURN, self.reviewer, note=rng.choice(RETURN_REASONS))
            self.add(again, Action.SUBMIT, LIAISON, **self._report())
        review = rng.uniform(2, 20)
        if not late and self.deadline - self.t > 0.5:  # a timely fix is reviewed in time too
            review = min(review, (self.deadline - self.t) * rng.uniform(0.3, 0.9))
        self.add(review, Action.APPROVE, self.reviewer, note=rng.choice(APPROVE_NOTES))

    def at(self, when: float, action: str, actor: str, **kw) -> None:
        self.add(when - self.t, action, actor, **kw)

    def _report(self) -> dict:
        """The note and after-photo of a 提交整改."""
        return dict(note=self.rng.choice(SUBMIT_NOTES), photo=self.rng.randrange(POOL_SIZE))

    def _dispute(self, *, decide: bool) -> bool:
        rng = self.rng
        other = self.p.other_unit(self.site, self.category, self.unit)
        if other is None:
            return True
        reason = rng.choice(DISPUTE_REASONS).format(other=self.p.units[other].label)
        self.add(rng.uniform(1, 6), Action.DISPUTE, LIAISON, note=reason)
        if not decide:
            return False
        if rng.random() < 0.6:
            self.unit = other
            self.add(rng.uniform(3, 24), Action.REASSIGN, SECRETARIAT, unit_id=other)
            self.deadline = self.t + self.limit
            if rng.random() < 0.8:
                self.add(rng.uniform(0.5, min(6, self.limit / 3)), Action.ACKNOWLEDGE, LIAISON)
        else:
            self.add(
                rng.uniform(3, 24), Action.REJECT_DISPUTE, SECRETARIAT, note=REJECT_DISPUTE_NOTE
            )
        return True

    def _extension(self, *, decide: bool) -> None:
        rng = self.rng
        room = self.deadline - self.t
        if room < 1:
            return
        days = rng.randint(2, 5)
        self.add(
            room * rng.uniform(0.3, 0.7),
            Action.REQUEST_EXTENSION,
            LIAISON,
            note=rng.choice(EXTENSION_REASONS),
            extend_days=days,
        )
        if not decide:
            return
        if rng.random() < 0.7:
            self.add(rng.uniform(2, 12), Action.APPROVE_EXTENSION, SECRETARIAT, note="同意延期。")
            self.deadline += days * 24
        else:
            self.add(
                rng.uniform(2, 12), Action.REJECT_EXTENSION, SECRETARIAT, note=REJECT_EXTENSION_NOTE
            )

    def _fit(self) -> tuple[Step, ...]:
        if not self.steps:
            return ()
        reported = self.draft["reported_at"]
        room = (self.p.now - reported).total_seconds() / 3600 - 0.25
        if room <= 0.2:
            return ()
        last = self.steps[-1][0]
        scale = min(1.0, room / last)
        return tuple(
            Step(at=reported + timedelta(seconds=round(offset * scale * 3600)), **kw)
            for offset, kw in self.steps
        )
