"""Compiling, publishing and correcting reports on the hand-worked March of conftest.py."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civility.core.periods import Period
from civility.reports import compile as reports
from civility.reports.models import Report, ReportRead
from civility.supervision.notifications.models import Notification
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Problem
from tests.reports.conftest import assign, at, inspect, problem

pytestmark = pytest.mark.django_db
MONTHLY = Report.Kind.MONTHLY


def test_compile_monthly_twice_updates_one_draft(march):
    first, created = reports.compile_report(march["hq"], MONTHLY, "2026-03")
    again, changed = reports.compile_report(march["hq"], MONTHLY, "2026-03")
    assert (created, changed) == (True, True)
    assert first.pk == again.pk
    assert Report.objects.filter(kind=MONTHLY, period="2026-03").count() == 1
    assert first.title == "关于2026年3月文明城区创建督查情况的通报"


def test_compile_monthly_holds_the_hand_worked_numbers(march):
    report, _ = reports.compile_report(march["hq"], MONTHLY, "2026-03")
    data = report.data
    assert data["overview"]["inspections"] == 3
    assert data["overview"]["site_visits"] == 7
    streets = next(r for r in data["rankings"] if r["kind"] == "street")["rows"]
    assert [(r["unit"], r["rank"], r["total"], r["band"]) for r in streets] == [
        ("A", 1, "83.5", "良好"),
        ("B", 2, "73.3", "合格"),
    ]
    # The snapshot carries the counts behind the scores, for the annual assessment and pages.
    a = streets[0]
    assert (a["visits"], a["due"], a["on_time"], a["returned"], a["escalated"]) == (4, 3, 3, 1, 1)
    communities = next(r for r in data["rankings"] if r["kind"] == "community")
    assert [u["unit"] for u in communities["unassessed"]] == ["B1"]
    assert [r["unit"] for r in data["red_list"]] == ["B1", "D3"]
    assert [r["unit"] for r in data["black_list"]] == ["A", "B", "D1", "D2"]
    assert data["red_list"][0]["reasons"] == ["点评表扬：点评（3月18日）"]
    assert "暴露垃圾" in report.narrative["problems"]


def test_compile_keeps_edited_narrative(march):
    report, _ = reports.compile_report(march["hq"], MONTHLY, "2026-03")
    report.narrative["requirements"] = "各单位要立即整改。"
    report.narrative["overview"] = "人工修改的总体情况。"
    report.save()
    report, _ = reports.compile_report(march["hq"], MONTHLY, "2026-03")
    assert report.narrative["requirements"] == "各单位要立即整改。"
    assert report.narrative["overview"] == "人工修改的总体情况。"


def test_compile_query_count_is_constant_in_problems(march):
    # February's overview is computed once and then kept with its stored facts: compared here
    # are compilations that read it, each after a new March problem (March counted again).
    d = march
    reports.monthly_data(d["hq"], Period.month(2026, 3))
    assign(d, problem(d, "SA", at(3, 27)), "A", at(3, 27))
    with CaptureQueriesContext(connection) as few:
        reports.compile_report(march["hq"], MONTHLY, "2026-03")
    inspection = inspect(d, 27, ["SA", "SB", "SB1"])
    for i in range(25):
        p = problem(d, ["SA", "SB", "SB1"][i % 3], at(3, 27), inspection)
        assign(d, p, ["A", "B", "D1"][i % 3], at(3, 27))
    with CaptureQueriesContext(connection) as many:
        reports.compile_report(march["hq"], MONTHLY, "2026-03")
    # The second compile updates instead of inserting, and counts March again (its stored
    # facts went stale with the new March problems); the third and fourth read them.
    with CaptureQueriesContext(connection) as again:
        reports.compile_report(march["hq"], MONTHLY, "2026-03")
    with CaptureQueriesContext(connection) as stored:
        reports.compile_report(march["hq"], MONTHLY, "2026-03")
    assert len(stored.captured_queries) == len(again.captured_queries)
    assert abs(len(few.captured_queries) - len(many.captured_queries)) <= 3


def test_publish_refuses_a_draft_whose_requirements_were_cleared(march):
    report, _ = reports.compile_report(march["hq"], MONTHLY, "2026-03")
    assert report.narrative["requirements"]  # pre-filled
    report.narrative["requirements"] = ""
    report.save()
    with pytest.raises(ValidationError):
        reports.publish(report, by=march["secretariat"])
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT


def publish_march(march):
    report, _ = reports.compile_report(march["hq"], MONTHLY, "2026-03")
    report.narrative["requirements"] = "立即整改。"
    report.save()
    return reports.publish(report, by=march["secretariat"])


def test_publish_numbers_freezes_and_notifies(march, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = publish_march(march)
    year = report.published_at.astimezone().year
    assert report.number == f"测创指〔{year}〕1号"
    assert report.snapshot["data"]["overview"]["found"] == report.data["overview"]["found"]
    assert Notification.objects.filter(user=march["A"], kind="report").count() == 1
    assert not Notification.objects.filter(user=march["secretariat"], kind="report").exists()


def test_published_report_does_not_change_when_problems_change(march):
    report = publish_march(march)
    frozen = report.snapshot
    open_problem = Problem.objects.filter(status="assigned", primary_unit=march["u"]["B1"]).get()
    workflow.perform(open_problem, workflow.Action.ESCALATE, by=march["leader"])
    again, changed = reports.compile_report(march["hq"], MONTHLY, "2026-03")
    report.refresh_from_db()
    assert (again.pk, changed) == (report.pk, False)
    assert report.snapshot == frozen
    assert report.content == frozen


def test_correction_supersedes_and_links_both_ways(march):
    original = publish_march(march)
    late = Problem.objects.filter(status="assigned", primary_unit=march["u"]["B1"]).get()
    workflow.perform(late, workflow.Action.ESCALATE, by=march["leader"], now=at(3, 28))
    correction = reports.start_correction(original, by=march["secretariat"])
    assert correction.narrative["requirements"] == "立即整改。"
    correction = reports.publish(correction, by=march["secretariat"])
    original.refresh_from_db()
    assert original.status == Report.Status.SUPERSEDED
    assert original.correction == correction and correction.corrects == original
    assert correction.snapshot["corrects"] == original.number
    assert correction.number != original.number
    esc_then = original.snapshot["data"]["overview"]["escalations"]
    assert correction.snapshot["data"]["overview"]["escalations"] == esc_then + 1


def test_publish_twice_is_refused(march):
    report = publish_march(march)
    with pytest.raises(reports.ReportError):
        reports.publish(Report.objects.get(pk=report.pk), by=march["secretariat"])


def test_mark_read_records_once(march):
    report = publish_march(march)
    reports.mark_read(report, march["A"])
    reports.mark_read(report, march["A"])
    assert ReportRead.objects.filter(report=report).count() == 1


def test_weekly_compile_counts_the_iso_week(march):
    report, _ = reports.compile_report(march["hq"], Report.Kind.WEEKLY, "2026-W11")
    assert (str(report.period_start), str(report.period_end)) == ("2026-03-09", "2026-03-15")
    assert report.data["overview"]["inspections"] == 1  # I2 on 3/12
    assert report.title.startswith("2026年第11周文明城区创建巡报")


def test_previous_period_for_the_periodic_command():
    from datetime import date

    assert str(Period.last_ended("month", date(2026, 1, 1))) == "2025-12"
    assert str(Period.last_ended("week", date(2026, 11, 30))) == "2026-W48"


def test_bad_period_is_rejected():
    with pytest.raises(ValueError):
        reports.report_period(MONTHLY, "2026-13")
    with pytest.raises(ValueError):
        reports.report_period(Report.Kind.WEEKLY, "2026-47")
    with pytest.raises(ValueError):
        reports.compile_report(None, Report.Kind.WEEKLY, Period.parse("2026-03"))
