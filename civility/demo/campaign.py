"""The campaign's levers in the demo (SPEC §7): the 百日大会战 with its 五大战役, a 专项整治 of
占道经营, the 拼搏年 with its 四拼, 问责 records decided on the rules' suggestions, and honours
with one warning and one revocation confirmed in the year's review.

Everything goes through the functions the pages use (``campaign.accountability.record`` /
``dismiss``, ``campaign.honours.award`` / ``review`` / ``decide``); problems are tagged by the
workflow itself (``drives.services.running_drive_for``). Deterministic for a given ``now``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from civility.campaign import accountability, honours
from civility.campaign.models import Accountability, Honour, HonourReviewDecision
from civility.org.models import ProblemCategory, Unit, WorkGroup
from civility.supervision.commentary.models import Commentary
from civility.supervision.drives.models import Drive, DriveTarget
from civility.supervision.drives.services import default_drive_for_inspection
from civility.supervision.inspections.models import Inspection
from civility.supervision.problems.models import Problem
from civility.supervision.problems.recurrence import earlier_closed

M = DriveTarget.Metric

# (name, categories, lead work group) — the 五大战役 of the 百日大会战.
BATTLES = (
    (
        "市容环境战役",
        ("暴露垃圾", "卫生死角", "楼道乱堆乱放", "公厕保洁不到位", "渣土撒漏"),
        "市容环境整治组",
    ),
    ("占道整治战役", ("占道经营", "占道堆放", "乱拉乱挂"), "市容环境整治组"),
    ("交通秩序战役", ("非机动车乱停乱放", "机动车违章停放", "路口交通秩序混乱"), "交通秩序整治组"),
    ("拆违攻坚战役", ("违章搭建",), "市容环境整治组"),
    ("宣传氛围战役", ("公益广告缺失或破损", "乱张贴乱涂写/非法小广告"), "宣传教育组"),
)
# The 四拼 of the 拼搏年.
STRIVINGS = (
    ("拼环境", ("暴露垃圾", "卫生死角", "绿化带损毁", "油烟噪音扰民"), "市容环境整治组"),
    (
        "拼秩序",
        ("占道经营", "非机动车乱停乱放", "机动车违章停放", "路口交通秩序混乱"),
        "交通秩序整治组",
    ),
    ("拼设施", ("设施破损", "公益广告缺失或破损", "公厕保洁不到位"), "市容环境整治组"),
    ("拼素质", ("不文明行为", "窗口服务不规范", "网吧接纳未成年人", "黑网吧"), "宣传教育组"),
)
PEOPLE = (("陈志明", "分管副主任"), ("林建华", "副局长"), ("黄丽珍", "社区主任"))


def _make(hq, name, kind, start, end, *, parent=None, categories=(), group=None, text=""):
    groups = {g.name: g for g in WorkGroup.objects.filter(headquarters=hq)}
    drive = Drive(
        headquarters=hq,
        name=name,
        kind=kind,
        parent=parent,
        start_date=start,
        end_date=end,
        lead_group=groups.get(group),
        description=text,
    )
    drive.full_clean()
    drive.save()
    wanted = ProblemCategory.objects.filter(headquarters=hq, name__in=categories)
    drive.categories.set(wanted)
    return drive


def _targets(drive, *rows):
    for order, (label, metric, value) in enumerate(rows):
        DriveTarget.objects.create(
            drive=drive, label=label, metric=metric, value=value, order=order
        )


def create_drives(hq, *, now: datetime, months: int) -> list[Drive]:
    """The demo's drives, placed in the seeded window; returns the top-level ones."""
    today = timezone.localdate(now)
    days = max(30, months * 30)
    start = today - timedelta(days=int(days * 0.75))
    battle = _make(
        hq,
        "城市环境百日大会战",
        Drive.Kind.HUNDRED_DAYS,
        start,
        start + timedelta(days=99),
        group="市容环境整治组",
        text="集中一百天，打好市容环境、占道整治、交通秩序、拆违攻坚、宣传氛围五大战役。",
    )
    _targets(
        battle,
        ("问题销号率", M.CLOSURE_RATE, 90),
        ("按期办结率", M.ON_TIME_RATE, 85),
        ("回潮率", M.RECURRENCE_RATE, 5),
    )
    for name, categories, group in BATTLES:
        _make(
            hq,
            name,
            Drive.Kind.BATTLE,
            battle.start_date,
            battle.end_date,
            parent=battle,
            categories=categories,
            group=group,
        )
    special_start = min(battle.end_date + timedelta(days=1), today - timedelta(days=20))
    special = _make(
        hq,
        "占道经营专项整治",
        Drive.Kind.SPECIAL,
        special_start,
        special_start + timedelta(days=44),
        categories=("占道经营",),
        group="市场秩序整治组",
        text="反复抓、抓反复：重点整治主次干道、农贸市场周边的占道经营，防止回潮。",
    )
    _targets(
        special, ("占道经营点位清零", M.SITES_CLEARED, 10), ("回潮率不高于5%", M.RECURRENCE_RATE, 5)
    )
    year = _make(
        hq,
        f"{today.year}“拼搏年”",
        Drive.Kind.THEME_YEAR,
        date(today.year, 1, 1),
        date(today.year, 12, 31),
        group="综合协调组",
        text="全年开展拼环境、拼秩序、拼设施、拼素质“四拼”活动。",
    )
    _targets(year, ("全年问题销号率", M.CLOSURE_RATE, 95))
    four_start = max(year.start_date, battle.end_date + timedelta(days=1))
    if four_start > year.end_date:
        four_start = year.start_date
    for name, categories, group in STRIVINGS:
        _make(
            hq,
            name,
            Drive.Kind.BATTLE,
            four_start,
            year.end_date,
            parent=year,
            categories=categories,
            group=group,
        )
    return [battle, special, year]


def tag_inspections(inspections) -> None:
    """The seeded inspections get the drive running on their day, as the form preselects it."""
    for inspection in inspections:
        inspection.drive = default_drive_for_inspection(inspection.headquarters_id, inspection.date)
    Inspection.objects.bulk_update(inspections, ["drive"], batch_size=500)


def _decided_on(suggestion, today: date) -> date:
    return min(today, suggestion.raised_on + timedelta(days=2))


def record_accountability(hq, *, secretariat, leader, now: datetime) -> list[Accountability]:
    """Decide some of the rules' suggestions as the secretariat and a leader would."""
    today = timezone.localdate(now)
    found = accountability.suggestions(hq, today=today)
    by_rule: dict[str, list] = {}
    for suggestion in sorted(found, key=lambda s: s.key):
        by_rule.setdefault(suggestion.rule, []).append(suggestion)
    escalated, replies = by_rule.get("escalated", []), by_rule.get("reply", [])
    blacklist = by_rule.get("blacklist", [])
    records = []
    plan = []
    if escalated:
        plan.append((escalated[0], Accountability.Measure.INTERVIEW, PEOPLE[0], leader))
    if replies:
        plan.append((replies[0], Accountability.Measure.CRITICISM, None, secretariat))
    if len(escalated) > 1:
        plan.append((escalated[1], Accountability.Measure.DISQUALIFY, None, secretariat))
    if blacklist:
        plan.append((blacklist[0], Accountability.Measure.ADMONITION, PEOPLE[1], leader))
    for suggestion, measure, person, by in plan:
        records.append(
            accountability.record(
                hq=hq,
                by=by,
                unit=suggestion.unit,
                measure=measure,
                reason=suggestion.reason,
                on=_decided_on(suggestion, today),
                person_name=person[0] if person else "",
                person_title=person[1] if person else "",
                problems=list(Problem.objects.filter(pk__in=suggestion.problem_ids)),
                commentaries=list(Commentary.objects.filter(pk__in=suggestion.commentary_ids)),
                suggestion_key=suggestion.key,
            )
        )
    for suggestion in escalated[2:3] + replies[1:2]:
        accountability.dismiss(
            hq=hq,
            by=secretariat,
            suggestion=suggestion,
            note="已完成整改并作出书面说明，经研究不予问责。",
        )
    return records


def award_honours(hq, *, secretariat, records, now: datetime) -> list[Honour]:
    """Honours of a few streets, communities and departments — including the units just held to
    account — then the year's review: one revocation and one warning confirmed."""
    today = timezone.localdate(now)
    units = list(Unit.objects.filter(headquarters=hq, active=True).order_by("kind", "order", "pk"))
    streets = [u for u in units if u.kind == Unit.Kind.STREET][:3]
    communities = [u for u in units if u.kind == Unit.Kind.COMMUNITY][:4]
    departments = [u for u in units if u.kind == Unit.Kind.DEPARTMENT][:2]
    chosen = {u.pk: u for u in streets + communities + departments}
    for record in records:
        chosen.setdefault(record.unit_id, record.unit)
    made = []
    for index, unit in enumerate(chosen.values()):
        kind = {
            Unit.Kind.STREET: Honour.Kind.CIVILISED_UNIT,
            Unit.Kind.COMMUNITY: Honour.Kind.CIVILISED_COMMUNITY,
        }.get(unit.kind, Honour.Kind.CIVILISED_UNIT)
        level = (Honour.Level.CITY, Honour.Level.DISTRICT, Honour.Level.PROVINCE)[index % 3]
        year = today.year - 1 - index % 3
        made.append(
            honours.award(
                hq=hq,
                by=secretariat,
                unit=unit,
                kind=kind,
                level=level,
                year_awarded=year,
                awarded_by={"city": "厦门市委、市政府", "district": "湖里区委、区政府"}.get(
                    level, "福建省委、省政府"
                ),
                at=datetime.combine(date(year, 12, 20), time(10), tzinfo=now.tzinfo),
            )
        )
    if communities:
        made.append(
            honours.award(
                hq=hq,
                by=secretariat,
                unit=communities[0],
                kind=Honour.Kind.TOP_PROPERTY,
                level=Honour.Level.DISTRICT,
                year_awarded=today.year - 1,
                title="十佳文明物业（辖区物业服务中心）",
                at=datetime.combine(date(today.year - 1, 12, 20), time(10), tzinfo=now.tzinfo),
            )
        )
    rows = honours.review(hq, today.year, grades={})
    P = HonourReviewDecision.Proposal
    for proposal in (P.REVOKE, P.WARN):
        row = next((r for r in rows if r.proposal == proposal), None)
        if row is not None:
            honours.decide(
                hq=hq,
                year=today.year,
                honour=row.honour,
                confirm=True,
                note="经指挥部研究，同意复核建议。",
                by=secretariat,
                rows=rows,
            )
    return made


def seed_levers(hq, secretariat, leader, *, now: datetime) -> None:
    """问责 and honours, once the history (problems, commentary) is in place."""
    records = record_accountability(hq, secretariat=secretariat, leader=leader, now=now)
    award_honours(hq, secretariat=secretariat, records=records, now=now)


def link_recurrences(problems) -> int:
    """Link 回潮 with the workflow's own rule (``earlier_closed``). The workflow links it when a
    problem is reported; the demo reports every problem of its history before it replays their
    lives, so it links them afterwards, in the order they were reported."""
    linked = []
    for problem in sorted(problems, key=lambda p: (p.reported_at, p.pk)):
        earlier = earlier_closed(
            site=problem.site, category=problem.category, reported_at=problem.reported_at
        )
        if earlier is not None and earlier.pk != problem.pk:
            problem.recurrence_of = earlier
            linked.append(problem)
    Problem.objects.bulk_update(linked, ["recurrence_of"], batch_size=500)
    return len(linked)
