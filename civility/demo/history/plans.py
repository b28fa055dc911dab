"""What the demo planner is given (a catalogue of one headquarters) and what it decides (a
plan): plain frozen dataclasses, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

# --- what the planner is given ------------------------------------------------------------------


@dataclass(frozen=True)
class SiteInfo:
    pk: int
    name: str
    type_name: str
    street_id: int
    community_id: int | None
    default_unit_id: int


@dataclass(frozen=True)
class CategoryInfo:
    pk: int
    name: str
    limit_hours: int
    default_department_id: int | None


@dataclass(frozen=True)
class TeamInfo:
    pk: int
    kind: str
    name: str


@dataclass(frozen=True)
class UnitInfo:
    pk: int
    name: str
    short_name: str
    kind: str

    @property
    def label(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True)
class DemoMember:
    """An existing demo login that joins teams of the given kinds (and reports if an inspector)."""

    username: str
    team_kinds: tuple[str, ...]
    reports: bool


@dataclass(frozen=True)
class Catalogue:
    sites: tuple[SiteInfo, ...]
    categories: tuple[CategoryInfo, ...]
    teams: tuple[TeamInfo, ...]
    units: tuple[UnitInfo, ...]  # active units
    demo_members: tuple[DemoMember, ...] = ()


# --- what the planner decides -------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedUser:
    username: str
    name: str
    title: str
    team_id: int


@dataclass(frozen=True)
class InspectionPlan:
    team_id: int
    kind: str
    date: date
    street_id: int
    site_ids: tuple[int, ...]
    inspectors: tuple[str, ...]
    created_by: str
    summary: str
    submitted_at: datetime


@dataclass(frozen=True)
class Step:
    action: str
    at: datetime
    actor: str
    note: str = ""
    unit_id: int | None = None
    extend_days: int = 0  # 申请延期: the new deadline is the current one plus these days
    photo: int | None = None  # index into the after-photo pool


@dataclass(frozen=True)
class ProblemPlan:
    inspection: int | None  # index into Plan.inspections
    source: str
    site_id: int
    category_id: int
    reported_at: datetime
    reporter: str
    description: str
    photo: int  # index into the before-photo pool
    drive: int | None  # index into Plan.drives
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class DrivePlan:
    name: str
    start: date
    end: date


@dataclass(frozen=True)
class ReceiptPlan:
    unit_id: int
    acknowledged_at: datetime | None
    reply: str
    replied_at: datetime | None


@dataclass(frozen=True)
class CommentaryPlan:
    kind: str
    tone: str
    date: date
    title: str
    text: str
    inspection: int | None
    site_id: int | None
    problems: tuple[int, ...]  # indexes into Plan.problems
    receipts: tuple[ReceiptPlan, ...]


@dataclass(frozen=True)
class Plan:
    users: tuple[PlannedUser, ...]
    team_members: tuple[tuple[int, tuple[str, ...]], ...]  # (team pk, usernames)
    drives: tuple[DrivePlan, ...]
    inspections: tuple[InspectionPlan, ...]
    problems: tuple[ProblemPlan, ...]
    commentaries: tuple[CommentaryPlan, ...]
