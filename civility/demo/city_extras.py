"""Commentary and 责任分解 of the city-sized district (``seed_city``); few rows, so plain ORM
writes. ``h`` is the ``CityHistory`` being written (its random source, organisation and dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction

from civility.org.models import Assignment, WorkGroup
from civility.supervision.commentary.models import Commentary, CommentaryReceipt


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def seed_commentary(h) -> None:
    """About three commentaries a week, with their receipts and replies."""
    rng, org = h.rng, h.org
    units = org.streets + org.departments + [s[2] for s in org.sites[::25]]
    day = h.start_day
    last = Commentary.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    commentaries, receipts = [], []
    while day < h.end_day:
        day += timedelta(days=rng.randint(1, 4))
        if day > h.end_day:
            break
        kind = rng.choice(list(Commentary.Kind))
        tone = rng.choices(list(Commentary.Tone), (35, 65))[0]
        targets = sorted(set(rng.sample(units, rng.randint(1, 3))))
        names = "、".join(h.unit_names[u] for u in targets)
        verb = "表扬" if tone == Commentary.Tone.PRAISE else "批评"
        last += 1
        commentary = Commentary(
            pk=last,
            headquarters=org.hq,
            kind=kind,
            tone=tone,
            date=day,
            author_id=org.leader,
            title=f"关于{names}创建工作的{verb}",
            text=f"{day:%m月%d日}督查中，{names}……",
            created_at=_at(datetime.combine(day, time(16), tzinfo=h.tz).timestamp()),
        )
        commentaries.append(commentary)
        for unit in targets:
            receipt = CommentaryReceipt(commentary=commentary, unit_id=unit)
            signed = datetime.combine(day + timedelta(days=1), time(10), tzinfo=h.tz)
            if kind == Commentary.Kind.WRITTEN and signed.timestamp() < h.now:
                receipt.acknowledged_by_id = org.liaison_of.get(unit)
                receipt.acknowledged_at = signed
                if tone == Commentary.Tone.CRITICISM and rng.random() < 0.9:
                    receipt.reply = "已召开专题会议，落实整改措施，问题已整改到位。"
                    receipt.replied_by_id, receipt.replied_at = (
                        receipt.acknowledged_by_id,
                        signed + timedelta(days=2),
                    )
            receipts.append(receipt)
    with transaction.atomic():
        Commentary.objects.bulk_create(commentaries, batch_size=500)
        CommentaryReceipt.objects.bulk_create(receipts, batch_size=500)
    h.rows.written["commentary"] += len(commentaries)


def seed_assignments(h) -> None:
    """Yearly 责任分解 for every unit without any, in one or two work groups."""
    rng, org = h.rng, h.org
    groups = list(WorkGroup.objects.filter(headquarters=org.hq).order_by("id"))
    covered = set(Assignment.objects.values_list("unit_id", flat=True))
    rows = []
    for unit in sorted(h.unit_names):
        if unit in covered:
            continue
        for group in rng.sample(groups, rng.randint(1, 2)):
            for year in range(h.start_day.year + 1, h.end_day.year + 1):
                due = date(year, 12, 20)
                done = (
                    due - timedelta(days=rng.randint(-20, 60))
                    if due < h.end_day and rng.random() < 0.85
                    else None
                )
                rows.append(
                    Assignment(
                        work_group=group,
                        unit_id=unit,
                        goal=f"{year}年{group.name}目标任务",
                        task=f"按照{group.name}分工，完成本单位{year}年度创建任务。",
                        responsible_person=f"{h.unit_names[unit]}主要负责人",
                        cycle=Assignment.Cycle.YEARLY,
                        due_date=due,
                        completed_on=done,
                    )
                )
    Assignment.objects.bulk_create(rows, batch_size=1000)
    h.rows.written["assignment"] += len(rows)
