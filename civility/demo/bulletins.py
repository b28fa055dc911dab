"""The demo's bulletins (SPEC §5): every ended week's 巡报 and month's 通报 of the seeded
history, compiled and published through the product's own functions (``compile_report``,
``publish``, ``start_correction``) at the times the secretariat would have done it — each week's
巡报 on the Monday after, each month's 通报 on the 3rd — so their 发文字号 run in order, their
figures are those at each period's end, and a leader's first visit finds a year of bulletins.

Recipients read and sign them over the following days (more of the old ones than of the
recent ones), one monthly 通报 is corrected by a 更正, and a period whose publishing day has not
come yet is left as a compiled draft for the secretariat.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Min
from django.utils import timezone

from civility.core.models import User
from civility.core.periods import MONTH, WEEK, Period
from civility.core.roles import Role
from civility.reports import compile as reports
from civility.reports.compile import notify_published
from civility.reports.models import Report, ReportRead
from civility.supervision.inspections.models import Inspection

REMARKS = (
    "已阅，按通报要求抓好落实。",
    "已阅，将组织本单位逐项对照整改。",
    "收悉，已部署相关科室落实整改要求。",
    "已阅，逾期问题本周内全部办结。",
    "已阅，请各社区对照通报查漏补缺。",
    "已阅，下周组织回头看。",
    "",
    "",
    "",
)
CORRECTION_NOTE = "（更正：第一部分数据说明中“检查点位”应为“检查点位个次”，特此更正。）"


@dataclass
class Published:
    weekly: int = 0
    monthly: int = 0
    corrections: int = 0
    drafts: int = 0
    reads: int = 0
    signatures: int = 0

    def summary(self) -> str:
        return (
            f"  已发布巡报 {self.weekly} 期、通报 {self.monthly} 期"
            f"（含更正 {self.corrections} 份），待发布草稿 {self.drafts} 份；"
            f"已阅 {self.reads} 人次，签阅 {self.signatures} 人次"
        )


def _at(day, hour: int, tz) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz)


def _schedule(first_day, now: datetime) -> list[tuple[datetime, str, Period]]:
    """(publishing time, kind, period) of every ended week and month since ``first_day``."""
    tz = timezone.get_current_timezone()
    jobs = []
    for kind, report_kind, delay, hour in (
        (WEEK, Report.Kind.WEEKLY, 0, 16),  # Monday afternoon
        (MONTH, Report.Kind.MONTHLY, 2, 10),  # the 3rd, morning
    ):
        period = Period.of(first_day, kind)
        while period.end <= now:
            jobs.append(
                (_at(period.last + timedelta(days=1 + delay), hour, tz), report_kind, period)
            )
            period = period.next()
    return sorted(jobs, key=lambda job: (job[0], job[1]))


def _recipients() -> tuple[list[User], list[User]]:
    """(people who read, the leaders and liaisons among them who also 签阅)."""
    readers = list(
        User.objects.filter(
            is_active=True,
            groups__name__in=[Role.LEADER, Role.REPRESENTATIVE, Role.LIAISON],
        )
        .distinct()
        .order_by("pk")
    )
    signers = {
        pk
        for pk in User.objects.filter(
            is_active=True, groups__name__in=[Role.LEADER, Role.LIAISON]
        ).values_list("pk", flat=True)
    }
    return readers, [u for u in readers if u.pk in signers]


def _readers(report: Report, published: datetime, now: datetime, rng, people, signers, tally):
    """Spread reads and 签阅 over the days after publishing: nearly everyone reads an old
    bulletin and most leaders and liaisons sign it; fewer have got to the latest ones yet."""
    age = (now - published).days
    share = 0.35 if age < 7 else (0.7 if age < 30 else 0.92)
    reads = []
    for person in people:
        if rng.random() >= share:
            continue
        at = min(published + timedelta(hours=rng.randint(1, 96)), now - timedelta(minutes=5))
        reads.append((person, at))
    rows = ReportRead.objects.bulk_create(
        [ReportRead(report=report, user=person) for person, _ in reads], ignore_conflicts=True
    )
    stamped = {row.user_id: row for row in ReportRead.objects.filter(report=report)}
    signing = {u.pk for u in signers}
    for person, at in reads:
        row = stamped[person.pk]
        row.read_at = at
        if person.pk in signing and rng.random() < share:
            row.signed_at = min(
                at + timedelta(hours=rng.randint(0, 30)), now - timedelta(minutes=1)
            )
            row.remark = rng.choice(REMARKS)
            tally.signatures += 1
    ReportRead.objects.bulk_update(stamped.values(), ["read_at", "signed_at", "remark"])
    tally.reads += len(rows)


def publish_history(seeder) -> Published:
    """Compile and publish the history's bulletins (see the module docstring) for the seeder's
    headquarters, as its 创建办 account; its outbox stamps the 通报发布 notices with the
    publishing time, as the seeder does for every notice."""
    hq, secretariat, now, outbox = seeder.hq, seeder.secretariat, seeder.now, seeder.outbox
    seed = seeder.seed
    tally = Published()
    first = Inspection.objects.filter(headquarters=hq).aggregate(first=Min("date"))["first"]
    if first is None:
        return tally
    rng = random.Random(seed)
    people, signers = _recipients()
    schedule = _schedule(first, now)
    months = [p for at, kind, p in schedule if kind == Report.Kind.MONTHLY and at <= now]
    corrected = months[len(months) // 2] if len(months) >= 3 else None
    for published, kind, period in schedule:
        compiled = min(published - timedelta(hours=8), now)
        report, _ = reports.compile_report(hq, kind, period, now=compiled)
        if published > now:
            tally.drafts += 1  # its day has not come: the secretariat finds it as a draft
            continue
        report = reports.publish(report, by=secretariat, now=published)
        # publish() notifies after commit; the seeder's outbox sends them now, stamped in the past
        # (the after-commit ones reach the outbox once it has been flushed and are dropped).
        outbox.at = published
        notify_published(report)
        _readers(report, published, now, rng, people, signers, tally)
        if kind == Report.Kind.WEEKLY:
            tally.weekly += 1
            continue
        tally.monthly += 1
        if period == corrected:
            correction = _correct(
                report, published, secretariat=secretariat, now=now, outbox=outbox
            )
            _readers(correction, correction.published_at, now, rng, people, signers, tally)
            tally.corrections += 1
    return tally


def _correct(report: Report, published: datetime, *, secretariat, now, outbox) -> Report:
    """One 更正: the same figures (they are taken at the month's end) with a corrected text."""
    correction = reports.start_correction(report, by=secretariat)
    narrative = dict(correction.narrative)
    narrative["overview"] = f"{narrative.get('overview', '')}\n{CORRECTION_NOTE}"
    Report.objects.filter(pk=correction.pk).update(narrative=narrative)
    correction.refresh_from_db()
    at = min(published + timedelta(days=2, hours=3), now - timedelta(hours=1))
    correction = reports.publish(correction, by=secretariat, now=at)
    outbox.at = at
    notify_published(correction)
    return correction
