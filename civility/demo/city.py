"""Five years of a city-sized district for ``seed_city``: inspections, problems with the events the
workflow writes, photo rows (no files), extension requests, commentary and assignments.

Everything goes in with ``bulk_create`` in batches with explicit primary keys (no per-row
workflow call), so half a million problems take minutes. Deterministic for a seed and an end date.
A problem's life is planned as the list of events ``workflow.perform`` would have written, cut at
"now"; its status and milestone fields are read off that list, so they always agree.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from civility.demo.city_extras import seed_assignments, seed_commentary
from civility.demo.city_life import NOTES, Life, _at
from civility.demo.city_org import CityOrg
from civility.demo.city_rows import Rows
from civility.demo.texts import DESCRIPTIONS
from civility.org.models import Assignment, Checklist, ProblemCategory, Unit
from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.inspections.visits import SiteVisit, SiteVisitItem, score_site
from civility.supervision.problems.models import (
    Action,
    ExtensionRequest,
    Photo,
    Problem,
    ProblemEvent,
    Sequence,
)

Status = Problem.Status
HOUR = 3600.0
DAY = 24 * HOUR
YEARS = 5
PROBLEMS_PER_INSPECTION = 4.25  # 500,000 problems, ~100,000 inspections
INSPECTION_SHARE = 0.85  # the rest come from leaders, hotline and representatives
# Rates of the issue: 15 % late, 10 % returned, 5 % 督办.
LATE, RETURNED, ESCALATED, DISPUTED, EXTENDED, VOIDED, NEVER_DONE = (
    0.15,
    0.10,
    0.05,
    0.03,
    0.02,
    0.02,
    0.08,
)
BATCH = 2000  # problems per flush


ORDER = (
    Inspection,
    Inspection.inspectors.through,
    Inspection.sites.through,
    Problem,
    SiteVisit,
    SiteVisitItem,
    SiteVisitItem.problems.through,
    Problem.cooperating_units.through,
    ProblemEvent,
    Photo,
    ExtensionRequest,
)


@contextmanager
def past_timestamps():
    """Let Commentary.objects.create keep the planned creation time."""
    fields = [
        Commentary._meta.get_field("created_at"),
    ]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True


class CityHistory:
    def __init__(self, org: CityOrg, *, problems: int, until: date, seed: int, say):
        self.org, self.total, self.say = org, problems, say
        self.rng = random.Random(seed)
        self.rows = Rows(ORDER)
        tz = timezone.get_current_timezone()
        self.end_day = until
        self.start_day = until - timedelta(days=365 * YEARS)
        self.now = datetime.combine(until, time(18, 0), tzinfo=tz).timestamp()
        self.tz = tz
        hq = org.hq
        self.categories = list(
            ProblemCategory.objects.filter(headquarters=hq, active=True).order_by("order", "id")
        )
        self.category_weights = [1 / (1 + i * 0.12) for i in range(len(self.categories))]
        self.teams = list(
            InspectionTeam.objects.filter(headquarters=hq)
            .order_by("id")
            .values_list("id", flat=True)
        )
        self.unit_names = dict(Unit.objects.filter(headquarters=hq).values_list("id", "name"))
        self.unit_ids = {name: pk for pk, name in self.unit_names.items()}
        self.site_names = dict(org.hq.sites.values_list("id", "name"))
        self.site_coop: dict[int, list[int]] = {}
        through = org.hq.sites.model.cooperating_units.through
        for site_id, unit_id in through.objects.filter(site__headquarters=hq).values_list(
            "site_id", "unit_id"
        ):
            self.site_coop.setdefault(site_id, []).append(unit_id)
        self.sites_by_street: dict[int, list[tuple]] = {}
        for site in org.sites:
            self.sites_by_street.setdefault(site[1], []).append(site)
        self.numbers: Counter = Counter()
        self.statuses: Counter = Counter()
        self.checklists: dict[int, dict] = {}  # year: {site type: checklist}

    # --- the plan -------------------------------------------------------------------------------

    def run(self) -> None:
        days = (self.end_day - self.start_day).days
        weights = []
        for d in range(days):
            day = self.start_day + timedelta(days=d + 1)
            weight = 0.6 + 0.8 * d / days  # the campaign grows over the years
            weights.append(weight * (0.4 if day.weekday() >= 5 else 1.0))
        scale = self.total / sum(weights)
        carried, made = 0.0, 0
        for d, weight in enumerate(weights):
            day = self.start_day + timedelta(days=d + 1)
            carried += weight * scale
            count = (
                min(int(carried) - made, self.total - made) if d < days - 1 else self.total - made
            )
            if count <= 0:
                continue
            self.day(day, count)
            made += count
            if made // BATCH != (made - count) // BATCH or made == self.total:
                self.rows.flush()
                self.say(f"问题 {made:,}/{self.total:,}（{day:%Y-%m-%d}）")
        self.rows.flush()
        self._sequences()
        seed_commentary(self)
        seed_assignments(self)
        self._reset_sequences()

    def day(self, day: date, count: int) -> None:
        rng = self.rng
        from_inspections = round(count * INSPECTION_SHARE)
        inspections = [
            self.inspection(day)
            for _ in range(max(1, round(from_inspections / PROBLEMS_PER_INSPECTION)))
        ]
        found: dict[tuple[int, int], list] = {}  # (inspection, site): its problems
        for n in range(count):
            if n < from_inspections:
                inspection, sites, inspector = inspections[rng.randrange(len(inspections))]
                site = rng.choice(sites)
                source = Problem.Source.INSPECTION
            else:
                inspection, inspector = None, rng.choice(self.org.inspectors)
                site = rng.choice(self.org.sites)
                source = rng.choice(
                    (Problem.Source.LEADER, Problem.Source.HOTLINE, Problem.Source.SUGGESTION)
                )
            start = datetime.combine(day, time(9, 0), tzinfo=self.tz).timestamp()
            reported = start + rng.uniform(0, 8 * HOUR)
            if reported < self.now:
                pk, category, status = self.problem(site, inspection, inspector, source, reported)
                if inspection is not None and status != Status.VOID:
                    found.setdefault((inspection, site[0]), []).append(
                        SimpleNamespace(pk=pk, category_id=category.pk,
                                        deduction=category.deduction, has_photo=True)
                    )  # fmt: skip
        for inspection, sites, _inspector in inspections:
            self.visits(day, inspection, sites, found)

    def inspection(self, day: date):
        rng, rows = self.rng, self.rows
        street = rng.choice(self.org.streets)
        sites = rng.sample(
            self.sites_by_street[street], min(len(self.sites_by_street[street]), rng.randint(4, 7))
        )
        inspectors = rng.sample(self.org.inspectors, rng.randint(1, 2))
        at = _at(datetime.combine(day, time(17, 30), tzinfo=self.tz).timestamp())
        pk = rows.pk(Inspection)
        rows.add(
            Inspection,
            id=pk,
            headquarters_id=self.org.hq.pk,
            team_id=rng.choice(self.teams),
            kind=rng.choices(list(Inspection.Kind), (70, 15, 10, 5))[0],
            date=day,
            street_id=street,
            summary=f"本次督查{len(sites)}个点位。",
            status=Inspection.Status.SUBMITTED,
            created_by_id=inspectors[0],
            created_at=at,
            submitted_at=at,
            client_token=uuid.UUID(int=rng.getrandbits(128)),
        )
        for user in inspectors:
            rows.add(Inspection.inspectors.through, inspection_id=pk, user_id=user)
        for site in sites:
            rows.add(Inspection.sites.through, inspection_id=pk, site_id=site[0])
        return pk, sites, inspectors[0]

    # --- one problem ----------------------------------------------------------------------------

    def visits(self, day: date, inspection: int, sites, found) -> None:
        """The inspection's site visits scored as submitting it scores them (``score_site``: the
        site type's checklist for the year, items failed by the visit's problems)."""
        if day.year not in self.checklists:
            self.checklists[day.year] = Checklist.for_year(self.org.hq, day.year)
        checklists = self.checklists[day.year]
        at = _at(datetime.combine(day, time(17, 30), tzinfo=self.tz).timestamp())
        rows = self.rows
        for site_id, _street, _unit, _community, type_id in sites:
            checklist = checklists.get(type_id)
            outcome = score_site(checklist, found.get((inspection, site_id), []), {})
            visit = rows.pk(SiteVisit)
            rows.add(
                SiteVisit, id=visit, inspection_id=inspection, site_id=site_id,
                checklist_id=checklist.pk if checklist else None, score_rate=outcome["rate"],
                applicable_points=outcome["applicable"], passed_points=outcome["passed"],
                items_failed=outcome["failed"], deductions=outcome["deductions"], scored_at=at,
            )  # fmt: skip
            for item, result, marked, problem_ids in outcome["items"]:
                row = rows.pk(SiteVisitItem)
                rows.add(SiteVisitItem, id=row, visit_id=visit, item_id=item.pk,
                         points=item.points, result=result, marked=marked)  # fmt: skip
                for problem in problem_ids:
                    rows.add(SiteVisitItem.problems.through, sitevisititem_id=row,
                             problem_id=problem)  # fmt: skip

    def problem(self, site, inspection, inspector, source, reported: float) -> tuple:
        rng = self.rng
        site_id, street_id, default_unit, _community, _type = site
        category = rng.choices(self.categories, self.category_weights)[0]
        limit = category.time_limit_hours * HOUR
        primary = default_unit
        if category.default_department_id and rng.random() < 0.2:
            primary = category.default_department_id
        life = Life(self, reported, inspector)
        if rng.random() < VOIDED:
            life.step(
                reported + rng.uniform(HOUR, 2 * DAY),
                Action.VOID,
                Status.VOID,
                self.org.secretariat,
                note=NOTES[Action.VOID],
            )
        else:
            self._story(life, primary, limit, category, site_id)
        pk, status = self._write(life, site_id, category, source, inspection, inspector, reported)
        return pk, category, status

    def _story(self, life: Life, unit: int, limit: float, category, site_id: int) -> None:
        rng, org = self.rng, self.org
        late, never = rng.random() < LATE, rng.random() < NEVER_DONE
        t = life.reported + rng.uniform(0.5 * HOUR, 20 * HOUR)
        coop = [
            u
            for u in self.site_coop.get(site_id, []) + [category.default_department_id]
            if u and u != unit
        ]
        life.assign(t, unit, t + limit, coop)
        liaison = org.liaison_of.get(unit, org.secretariat)
        t += rng.uniform(0.5 * HOUR, min(limit / 3, 12 * HOUR))
        life.step(t, Action.ACKNOWLEDGE, Status.ASSIGNED, liaison)
        if rng.random() < DISPUTED:
            t += rng.uniform(HOUR, 6 * HOUR)
            life.step(t, Action.DISPUTE, Status.DISPUTED, liaison, note=NOTES[Action.DISPUTE])
            t += rng.uniform(4 * HOUR, 2 * DAY)
            if rng.random() < 0.5:
                new = rng.choice([u for u in org.departments + org.streets if u != unit])
                life.reassign(t, new, t + limit, self.unit_names)
                unit, liaison = new, org.liaison_of.get(new, org.secretariat)
            else:
                life.step(
                    t,
                    Action.REJECT_DISPUTE,
                    Status.ASSIGNED,
                    org.secretariat,
                    note="经核实属于本单位职责。",
                )
        elif rng.random() < EXTENDED / (1 - DISPUTED):
            t += rng.uniform(HOUR, max(HOUR, (life.deadline - t) / 2))
            life.extension(t, liaison, org.secretariat, life.deadline + 3 * DAY)
        start, deadline = t, life.deadline
        if rng.random() < ESCALATED:
            when = (
                deadline + rng.uniform(2 * HOUR, 2 * DAY)
                if late
                else start + 0.3 * (deadline - start)
            )
            life.later(when, Action.ESCALATE, org.leader, note=NOTES[Action.ESCALATE])
        if late and never:
            return  # still open, long overdue
        if late:
            t = deadline + rng.uniform(HOUR, 3 * limit)
        else:
            t = start + rng.uniform(0.1, 0.5) * max(deadline - start, HOUR)

        def gap(low: float, high: float) -> float:
            """On time, everything up to 复查通过 fits before the deadline; late, it takes hours."""
            if late:
                return rng.uniform(2 * HOUR, 36 * HOUR)
            return rng.uniform(low, high) * max(deadline - t, 60.0)

        submit = {"note": NOTES[Action.SUBMIT], "photo": Photo.Kind.AFTER}
        life.step(t, Action.SUBMIT, Status.SUBMITTED, liaison, **submit)
        reviewer = rng.choice(org.inspectors)
        if rng.random() < RETURNED:
            t += gap(0.1, 0.3)
            life.step(t, Action.RETURN, Status.ASSIGNED, reviewer, note=NOTES[Action.RETURN])
            t += gap(0.2, 0.5) if not late else rng.uniform(0.2, 0.8) * limit
            life.step(t, Action.SUBMIT, Status.SUBMITTED, liaison, **submit)
        t += gap(0.1, 0.9)
        photo = Photo.Kind.REVIEW if rng.random() < 0.1 else None
        life.step(
            t, Action.APPROVE, Status.CLOSED, reviewer, note=NOTES[Action.APPROVE], photo=photo
        )

    def _write(
        self, life: Life, site_id, category, source, inspection, inspector, reported
    ) -> tuple[int, str]:
        rng, rows = self.rng, self.rows
        events = life.until(self.now)
        state = life.state_at(events)
        local = timezone.localtime(_at(reported), self.tz)
        self.numbers[local.year] += 1
        pk = rows.pk(Problem)
        self.statuses[state["status"]] += 1
        name = self.site_names[site_id]
        rows.add(
            Problem,
            id=pk,
            headquarters_id=self.org.hq.pk,
            number=f"{self.org.hq.code}-{local.year}-{self.numbers[local.year]:06d}",
            source=source,
            inspection_id=inspection,
            site_id=site_id,
            category_id=category.pk,
            description=rng.choice(
                DESCRIPTIONS.get(category.name, ("{site}发现{category}问题。",))
            ).format(site=name, category=category.name),
            deduction=category.deduction,
            reported_by_id=inspector,
            reported_at=_at(reported),
            version=len(events) - 1,
            **state,
        )
        if state["status"] not in (Status.REPORTED, Status.VOID):
            for unit in life.coop:
                rows.add(Problem.cooperating_units.through, problem_id=pk, unit_id=unit)
        for event in events:
            event_pk = rows.pk(ProblemEvent)
            t, action, from_status, to_status, actor, note, data, photo = event
            rows.add(
                ProblemEvent,
                id=event_pk,
                problem_id=pk,
                action=action,
                from_status=from_status,
                to_status=to_status,
                actor_id=actor,
                note=note,
                data=data,
                at=_at(t),
            )
            for _ in range(
                2 if photo == Photo.Kind.BEFORE and rng.random() < 0.2 else int(bool(photo))
            ):
                self._photo(pk, event_pk, photo, actor, t)
        if life.extension_row and life.extension_row[0] <= self.now:
            asked, requester, decider, old, new, decided = life.extension_row
            done = decided <= self.now
            rows.add(
                ExtensionRequest,
                id=rows.pk(ExtensionRequest),
                problem_id=pk,
                requested_by_id=requester,
                reason=NOTES[Action.REQUEST_EXTENSION],
                old_deadline=_at(old),
                requested_deadline=_at(new),
                created_at=_at(asked),
                status=ExtensionRequest.Status.APPROVED
                if done
                else ExtensionRequest.Status.PENDING,
                decided_by_id=decider if done else None,
                decided_at=_at(decided) if done else None,
            )
        return pk, state["status"]

    def _photo(self, problem: int, event: int, kind: str, actor: int, t: float) -> None:
        pk = self.rows.pk(Photo)
        when = _at(t)
        self.rows.add(
            Photo,
            id=pk,
            kind=kind,
            problem_id=problem,
            event_id=event,
            uploaded_by_id=actor,
            uploaded_at=when,
            width=1600,
            height=1200,
            image=f"photos/{when:%Y/%m}/city{pk:08d}.jpg",
            thumbnail=f"photos/{when:%Y/%m}/city{pk:08d}_t.jpg",
        )

    # --- the rest -------------------------------------------------------------------------------

    def _sequences(self) -> None:
        for year, value in self.numbers.items():
            row, _ = Sequence.objects.get_or_create(
                headquarters=self.org.hq, name="problem", year=year
            )
            Sequence.objects.filter(pk=row.pk, value__lt=value).update(value=value)

    def _reset_sequences(self) -> None:
        """PostgreSQL's id sequences must move past the explicit primary keys."""
        sql = connection.ops.sequence_reset_sql(
            no_style(), [*ORDER, Commentary, CommentaryReceipt, Assignment]
        )
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)
