"""The 通报's drive and 回潮 lines (SPEC §5 五、六, §7; issue 12) on a hand-built April of the
empty district of conftest.py, every figure written out.

百日大会战 (4/1–7/9) with 战役一 (4/1–5/31) and 战役二 (4/1–7/9); targets: 销号 ≥ 3, 回潮率 ≤ 5 %,
清零点位 ≥ 1. Problems (time limit 48 h):
  Q1 SA 占道经营 战役一   4/2,  fixed 4/3 (on time)
  Q2 SA 占道经营 战役一   4/10, fixed 4/11 (on time) — 回潮 of Q1 (closed 4/3, within 30 days)
  Q3 SB 暴露垃圾 战役二   4/15, open, due 4/17 → overdue
  Q4 SB1 暴露垃圾 大会战  4/20, due 4/22, fixed only on 5/3 → open and overdue at April's end
  Q5 SC 乱停乱放 (no drive) 4/21, open
April as at 5/1 00:00: found 4, closed 2 (on time 2), overdue 2, 回潮 1 (25.0 %), closed 50.0 %;
sites: SA cleared, SB and SB1 not → 1 cleared.
"""

import io
from datetime import date
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civility.core.periods import Period
from civility.reports import compile as reports
from civility.reports import docx as report_docx
from civility.reports import levers
from civility.reports import xlsx as report_xlsx
from civility.reports.models import Report
from civility.supervision.drives.models import Drive, DriveTarget
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Problem
from tests.reports.conftest import assign, at, fix

pytestmark = pytest.mark.django_db
MONTHLY, WEEKLY = Report.Kind.MONTHLY, Report.Kind.WEEKLY
M = DriveTarget.Metric


def report(d, site, category, when, drive):
    p, _ = workflow.report_problem(
        by=d["inspector"], site=d["sites"][site], category=d["categories"][category],
        description="问题", now=when, source="hotline", drive=drive,
    )  # fmt: skip
    return p


@pytest.fixture
def april(district):
    d = district
    hq = d["hq"]
    drive = Drive.objects.create(
        headquarters=hq, name="百日大会战", kind=Drive.Kind.HUNDRED_DAYS,
        start_date=date(2026, 4, 1), end_date=date(2026, 7, 9),
    )  # fmt: skip
    one = Drive.objects.create(
        headquarters=hq, name="战役一", kind=Drive.Kind.BATTLE, parent=drive,
        start_date=date(2026, 4, 1), end_date=date(2026, 5, 31),
    )  # fmt: skip
    two = Drive.objects.create(
        headquarters=hq, name="战役二", kind=Drive.Kind.BATTLE, parent=drive,
        start_date=date(2026, 4, 1), end_date=date(2026, 7, 9),
    )  # fmt: skip
    for order, (label, metric, value) in enumerate(
        [("销号3个", M.CLOSED, "3"), ("回潮率不高于5%", M.RECURRENCE_RATE, "5"),
         ("清零点位1个", M.SITES_CLEARED, "1")]
    ):  # fmt: skip
        DriveTarget.objects.create(
            drive=drive, label=label, metric=metric, value=Decimal(value), order=order
        )
    q1 = assign(d, report(d, "SA", "占道经营", at(4, 2), one), "A1", at(4, 2))
    fix(d, q1, "A1", at(4, 3))
    q2 = assign(d, report(d, "SA", "占道经营", at(4, 10), one), "A1", at(4, 10))
    fix(d, q2, "A1", at(4, 11))
    assign(d, report(d, "SB", "暴露垃圾", at(4, 15), two), "B", at(4, 15))
    q4 = assign(d, report(d, "SB1", "暴露垃圾", at(4, 20), drive), "B1", at(4, 20))
    fix(d, q4, "B1", at(5, 3))
    q5 = assign(d, report(d, "SC", "乱停乱放", at(4, 21), None), "A1", at(4, 21))
    Problem.objects.filter(pk=q5.pk).update(drive=None)  # tagged automatically; not the drive's
    return {**d, "drive": drive, "one": one, "two": two, "q1": q1, "q2": q2, "q4": q4}


def sub(name, start, end, found, closed, on_time, overdue, recurring, rates):
    closure, on_time_rate, recurrence = rates
    return {
        "name": name, "start": start, "end": end, "found": found, "found_in_period": found,
        "closed": closed, "on_time": on_time, "overdue": overdue, "recurring": recurring,
        "closure_rate": closure, "on_time_rate": on_time_rate, "recurrence_rate": recurrence,
    }  # fmt: skip


def test_monthly_drive_line_as_at_the_months_end(april):
    d = april
    assert Problem.objects.get(pk=d["q4"].pk).status == Problem.Status.CLOSED  # closed on 5/3
    assert Problem.objects.get(pk=d["q2"].pk).recurrence_of_id == d["q1"].pk
    draft, _ = reports.compile_report(d["hq"], MONTHLY, "2026-04", now=at(5, 1, 9))
    assert draft.data["drives"] == [
        {
            "drive_id": d["drive"].pk,
            "name": "百日大会战",
            "kind": "百日大会战",
            "start": "2026-04-01",
            "end": "2026-07-09",
            "found": 4,
            "found_in_period": 4,
            "closed": 2,
            "on_time": 2,
            "overdue": 2,
            "recurring": 1,
            "closure_rate": "50.0",
            "on_time_rate": "100.0",
            "recurrence_rate": "25.0",
            "sub_drives": [
                sub("战役一", "2026-04-01", "2026-05-31", 2, 2, 2, 0, 1,
                    ("100.0", "100.0", "50.0")),
                sub("战役二", "2026-04-01", "2026-07-09", 1, 0, 0, 1, 0, ("0.0", None, "0.0")),
            ],
            "targets": [
                {"label": "销号3个", "metric": "销号问题数", "value": "3", "actual": "2",
                 "met": False, "ceiling": False},
                {"label": "回潮率不高于5%", "metric": "回潮率上限（%）", "value": "5",
                 "actual": "25.0", "met": False, "ceiling": True},
                {"label": "清零点位1个", "metric": "清零点位数", "value": "1", "actual": "1",
                 "met": True, "ceiling": False},
            ],
        }
    ]  # fmt: skip
    # Compiled again ten days later (Q4 closed since): the same lines.
    again, _ = reports.compile_report(d["hq"], MONTHLY, "2026-04", now=at(5, 11))
    assert again.data["drives"] == draft.data["drives"]
    assert again.data["recurrence_rates"] == draft.data["recurrence_rates"]


def test_monthly_recurrence_lines(april):
    d = april
    draft, _ = reports.compile_report(d["hq"], MONTHLY, "2026-04", now=at(5, 1, 9))
    assert draft.data["recurrences"] == [
        {"site": "SA", "street": "A", "category": "占道经营", "count": 1}
    ]
    # April found Q1–Q5: one 回潮 (Q2). A1 had Q1, Q2 and Q5; 占道经营 Q1 and Q2.
    assert draft.data["recurrence_rates"] == {
        "found": 5,
        "recurring": 1,
        "rate": "20.0",
        "units": [{"unit": "A1", "found": 3, "recurring": 1, "rate": "33.3"}],
        "categories": [{"category": "占道经营", "found": 2, "recurring": 1, "rate": "50.0"}],
    }


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_monthly_page_docx_and_xlsx_show_the_lines(client, april):
    d = april
    draft, _ = reports.compile_report(d["hq"], MONTHLY, "2026-04", now=at(5, 1, 9))
    published = reports.publish(draft, by=d["secretariat"])
    line = (
        "百日大会战（4月1日至7月9日）：累计发现问题4个，本月新发现4个，已整改销号2个（按期2个），"
        "整改完成率50.0%，逾期未办结2个；回潮1个，回潮率25.0%。"
    )
    rate = "本月发现问题5个，其中回潮1个，回潮率20.0%。回潮较多的类别：占道经营1个（50.0%）。"
    client.force_login(d["leader"])
    html = client.get("/reports/monthly/2026-04/").content.decode()
    assert line in html and rate in html
    assert "战役一" in html and "回潮率不高于5%" in html and "未达到" in html
    word = docx_text(report_docx.build(published))
    assert line in word and rate in word
    assert "清零点位1个" in word and "已达到" in word
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx.build(published)))
    drives = list(book["专项行动"].iter_rows(values_only=True))
    assert drives[1] == ("百日大会战", "2026-04-01", "2026-07-09", 4, 4, 2, 2, 50, 1, 25)
    assert drives[2][0] == "百日大会战 · 战役一"
    assert list(book["回潮率"].iter_rows(values_only=True))[1] == ("A1", 3, 1, 33.3)


def test_weekly_drive_line(april):
    d = april
    weekly, _ = reports.compile_report(d["hq"], WEEKLY, "2026-W16", now=at(4, 27))  # 4/13–4/19
    (line,) = weekly.data["drives"]
    # By 4/20 00:00: Q1, Q2 (closed), Q3 (found this week, overdue since 4/17).
    assert {k: line[k] for k in ("found", "found_in_period", "closed", "overdue", "recurring")} == {
        "found": 3, "found_in_period": 1, "closed": 2, "overdue": 1, "recurring": 1,
    }  # fmt: skip
    word = docx_text(report_docx.build(weekly))
    assert "累计发现问题3个，本周新发现1个，已整改销号2个（按期2个），整改完成率66.7%" in word


def test_drive_lines_queries_do_not_grow_with_problems(april):
    d = april
    period, moment = Period.month(2026, 4), at(5, 1)
    with CaptureQueriesContext(connection) as few:
        levers.drive_lines(d["hq"], period, moment)
    for day in (22, 23, 24):
        p = assign(d, report(d, "SB", "暴露垃圾", at(4, day), d["two"]), "B", at(4, day))
        fix(d, p, "B", at(4, day + 1))
    with CaptureQueriesContext(connection) as many:
        lines = levers.drive_lines(d["hq"], period, moment)
    assert lines[0]["found"] == 7
    assert len(many.captured_queries) == len(few.captured_queries)
