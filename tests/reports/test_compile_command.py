"""``manage.py compile_reports``: what cron runs every morning."""

import io

import pytest
from django.core.management import CommandError, call_command

from civility.reports import compile as compiling
from civility.reports.models import Report

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("compile_reports", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_compile_reports_twice_keeps_one_draft_per_period(march):
    first = run("--period", "2026-03", "--headquarters", "TS")
    second = run("--period", "2026-03", "--headquarters", "TS")
    reports = Report.objects.filter(headquarters=march["hq"], kind="monthly", period="2026-03")
    assert [(r.status, r.title) for r in reports] == [
        ("draft", "关于2026年3月文明城区创建督查情况的通报")
    ]
    assert first.strip() == "已生成草稿：测试区创建指挥部 每月通报 2026-03 " + reports[0].title
    assert second.strip() == "已更新草稿：测试区创建指挥部 每月通报 2026-03 " + reports[0].title
    assert reports[0].data["overview"]["found"] == 18  # every problem of the march district


def test_compile_reports_never_touches_a_published_report(march):
    run("--period", "2026-03", "--headquarters", "TS")
    report = Report.objects.get(headquarters=march["hq"], period="2026-03")
    report.narrative = {**report.narrative, "requirements": "各单位要立即整改。"}
    report.save()
    report = compiling.publish(report, by=march["secretariat"])
    frozen = (report.snapshot, report.data, report.updated_at, report.number)

    out = run("--period", "2026-03", "--headquarters", "TS")

    assert (
        out.strip()
        == f"已发布，未改动：测试区创建指挥部 每月通报 2026-03 {report.number} {report.title}"
    )
    report.refresh_from_db()
    assert (report.snapshot, report.data, report.updated_at, report.number) == frozen
    assert report.status == "published"
    assert Report.objects.filter(headquarters=march["hq"], period="2026-03").count() == 1


def test_compile_reports_on_a_monday_compiles_last_week_only(march):
    out = run("--date", "2026-03-16", "--headquarters", "TS")  # a Monday
    assert list(Report.objects.values_list("kind", "period")) == [("weekly", "2026-W11")]
    assert "已生成草稿：测试区创建指挥部 每周巡报 2026-W11" in out
    assert "今天不是每月1日，不生成每月通报" in out


def test_compile_reports_on_the_first_compiles_last_month_only(march):
    out = run("--date", "2026-04-01", "--headquarters", "TS")  # a Wednesday
    assert list(Report.objects.values_list("kind", "period")) == [("monthly", "2026-03")]
    assert "今天不是周一，不生成每周巡报" in out


def test_compile_reports_on_another_day_does_nothing_unless_forced(march):
    assert "不生成" in run("--date", "2026-03-18", "--headquarters", "TS")
    assert not Report.objects.exists()
    run("--date", "2026-03-18", "--headquarters", "TS", "--force")
    assert sorted(Report.objects.values_list("kind", "period")) == [
        ("monthly", "2026-02"),
        ("weekly", "2026-W11"),
    ]


def test_compile_reports_weekly_flag_limits_the_kind(march):
    run("--date", "2026-04-01", "--headquarters", "TS", "--weekly", "--force")
    assert list(Report.objects.values_list("kind", "period")) == [("weekly", "2026-W13")]


def test_compile_reports_without_headquarters_compiles_for_every_one(march, hq):
    run("--period", "2026-W11")
    assert sorted(Report.objects.values_list("headquarters__code", "period")) == [
        ("HL", "2026-W11"),
        ("TS", "2026-W11"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "期间格式不正确"),
        (["--period", "2026-W11", "--monthly"], "不一致"),
        (["--headquarters", "XX", "--force"], "XX"),
    ],
)
def test_compile_reports_rejects_bad_input(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not Report.objects.exists()
