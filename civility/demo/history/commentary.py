"""Planning the 点评 (written, meeting, on-site) and the units' receipts and replies."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

from civility.demo.history.planner import Planner
from civility.demo.history.plans import CommentaryPlan, ReceiptPlan
from civility.demo.texts import COMMENTARY_TOPICS, REPLIES


def plan_commentaries(p: Planner, inspections, problems) -> list[CommentaryPlan]:
    rng = p.rng
    units = [u for u in p.cat.units if u.kind in ("street", "community", "department")]
    if not units:
        return []
    unit_weights = [3 if u.kind == "street" else 1 for u in units]
    span = (p.today - p.start).days
    count = max(4, round(span / 30.5 * 4))
    kinds = ("written", "meeting", "onsite")
    result = []
    for n in range(count):
        day = p.start + timedelta(days=round((n + rng.random()) * span / count))
        day = min(day, p.today - timedelta(days=1))
        kind = kinds[n % 3] if n < 3 else rng.choice(kinds)
        tone = "criticism" if n == 0 or (n != 1 and rng.random() < 0.55) else "praise"
        chosen = []
        for _ in range(rng.randint(1, 3)):
            unit = rng.choices(units, weights=unit_weights)[0]
            if unit not in chosen:
                chosen.append(unit)
        names = "、".join(u.label for u in chosen)
        topic = rng.choice(COMMENTARY_TOPICS)
        category = rng.choice(p.categories).name
        if tone == "praise":
            title = f"表扬{names}{topic}工作"
            text = (
                f"{names}高度重视创建工作，{topic}措施有力、成效明显，"
                "督查发现的问题整改及时到位，值得各单位学习借鉴。"
            )
        else:
            title = f"{names}{category}问题整改不力"
            text = (
                f"近期督查发现，{names}辖区{category}问题反复出现，整改不及时、不彻底。"
                "请立即组织力量整改，并于5日内书面报告整改措施。"
            )
        inspection = site_id = None
        related: tuple[int, ...] = ()
        same_day = [i for i, ins in enumerate(inspections) if ins.date <= day]
        if kind == "onsite" and same_day:
            inspection = same_day[-1]
            day = inspections[inspection].date
            site_id = rng.choice(inspections[inspection].site_ids)
            related = tuple(i for i, p in enumerate(problems) if p.inspection == inspection)[:3]
        receipts = tuple(_receipt(p, kind, tone, day, u) for u in chosen)
        result.append(
            CommentaryPlan(
                kind, tone, day, title[:200], text, inspection, site_id, related, receipts
            )
        )
    return _leave_overdue(p, result)


def _receipt(p: Planner, kind, tone, day, unit) -> ReceiptPlan:
    rng = p.rng
    if kind != "written":
        return ReceiptPlan(unit.pk, None, "", None)
    issued = datetime.combine(day, time(10), tzinfo=p.tz)
    ack = issued + timedelta(hours=rng.uniform(2, 30))
    if ack >= p.now or rng.random() < 0.1:
        return ReceiptPlan(unit.pk, None, "", None)
    if tone != "criticism":
        return ReceiptPlan(unit.pk, ack, "", None)
    replied = ack + timedelta(hours=rng.uniform(20, 100))
    if replied >= p.now or rng.random() < 0.15:
        return ReceiptPlan(unit.pk, ack, "", None)
    return ReceiptPlan(unit.pk, ack, rng.choice(REPLIES), replied)


def _leave_overdue(p: Planner, commentaries) -> list[CommentaryPlan]:
    """The last two past-due written criticisms stay unanswered (逾期未回复)."""
    due = [
        i
        for i, c in enumerate(commentaries)
        if c.kind == "written" and c.tone == "criticism" and c.date + timedelta(days=5) < p.today
    ]
    for i in due[-2:]:
        c = commentaries[i]
        first = c.receipts[0]
        receipts = (
            ReceiptPlan(first.unit_id, first.acknowledged_at, "", None),
            *c.receipts[1:],
        )
        commentaries[i] = replace(c, receipts=receipts)
    return commentaries
