"""A drive's progress on the hand-built fixture of conftest.py: every figure written out."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civility.campaign.links import problems_url
from civility.supervision.drives.progress import drive_progress
from tests.campaign.conftest import at, report

pytestmark = pytest.mark.django_db


def numbers(figures):
    return (figures.found, figures.closed, figures.on_time, figures.overdue, figures.recurring)


def test_tagging_put_each_problem_in_its_battle(drive_problems, drives):
    p = drive_problems
    assert [p[k].drive for k in ("p1", "p2", "p3", "p4")] == [
        drives["order"],
        drives["order"],
        drives["order"],
        drives["clean"],
    ]
    assert p["p3"].recurrence_of == p["p1"]


def test_progress_overall_counts_sub_drives_and_leaves_out_voided(drive_problems, drives):
    progress = drive_progress(drives["whole"])
    assert numbers(progress.figures) == (4, 2, 1, 1, 1)
    assert str(progress.figures.closure_rate) == "50.0"
    assert str(progress.figures.on_time_rate) == "50.0"
    assert str(progress.figures.recurrence_rate) == "25.0"


def test_progress_per_unit(drive_problems, drives, liaison, department):
    progress = drive_progress(drives["whole"])
    assert [(row.name, numbers(row.figures)) for row in progress.units] == [
        (liaison.unit.name, (3, 2, 1, 0, 1)),
        (department.name, (1, 0, 0, 1, 0)),
    ]


def test_progress_per_week_by_week_found(drive_problems, drives, d0):
    progress = drive_progress(drives["whole"])
    assert [row.period.first for row in progress.weeks] == [
        d0,
        d0 + timedelta(days=7),
        d0 + timedelta(days=14),
        d0 + timedelta(days=21),
    ]
    assert [numbers(row.figures) for row in progress.weeks] == [
        (2, 1, 1, 1, 0),
        (2, 1, 0, 0, 1),
        (0, 0, 0, 0, 0),
        (0, 0, 0, 0, 0),
    ]


def test_progress_per_sub_drive(drive_problems, drives):
    progress = drive_progress(drives["whole"])
    assert [(row.drive.name, numbers(row.figures)) for row in progress.sub_drives] == [
        ("市容秩序战役", (3, 1, 1, 1, 1)),
        ("环境卫生战役", (1, 1, 0, 0, 0)),
    ]


def test_progress_targets_against_actual(drive_problems, drives):
    progress = drive_progress(drives["whole"])
    assert [(t.target.label, str(t.actual), t.met) for t in progress.targets] == [
        ("销号率", "50.0", False),
        ("回潮率", "25.0", True),
        ("点位清零", "1", False),
    ]
    assert (progress.sites_touched, progress.sites_cleared) == (3, 1)


def test_progress_scoped_to_a_unit(drive_problems, drives, liaison):
    from civility.supervision.problems.models import Problem

    scope = Problem.objects.filter(primary_unit=liaison.unit)
    assert numbers(drive_progress(drives["whole"], scope=scope).figures) == (3, 2, 1, 0, 1)


def test_drive_page_shows_the_figures_with_links(client, leader, drive_problems, drives):
    client.force_login(leader)
    whole = drives["whole"]
    body = client.get(reverse("drive_detail", args=[whole.pk])).content.decode()
    found_url = problems_url(drive=whole.pk, status="valid").replace("&", "&amp;")
    recurring_url = problems_url(drive=whole.pk, recurring="yes").replace("&", "&amp;")
    assert (
        f'<a class="card" id="fig-found" href="{found_url}"><span class="card-count">4</span>'
        in body
    )
    assert f'id="fig-recurring" href="{recurring_url}"><span class="card-count">1</span>' in body
    assert "回潮 · 25.0%" in body
    assert "市容秩序战役" in body and "环境卫生战役" in body
    assert '<span class="badge state-overdue">未达标</span>' in body


def test_drive_figure_links_list_exactly_the_counted_problems(
    client, leader, drive_problems, drives
):
    client.force_login(leader)
    whole = drives["whole"]
    p = drive_problems

    def listed(**params):
        response = client.get(problems_url(drive=whole.pk, **params))
        return sorted(problem.number for problem in response.context["table"].data)

    assert listed(status="valid") == sorted(p[k].number for k in ("p1", "p2", "p3", "p4"))
    assert listed(recurring="yes") == [p["p3"].number]
    assert listed(status="closed") == sorted([p["p1"].number, p["p4"].number])
    assert listed(due_state="closed_on_time") == [p["p1"].number]
    assert listed(due_state="overdue") == [p["p2"].number]


def test_drive_export_has_the_page_tables(client, secretariat, drive_problems, drives):
    import io

    import openpyxl

    client.force_login(secretariat)
    response = client.get(reverse("drive_export", args=[drives["whole"].pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "总体情况",
        "目标完成",
        "分单位",
        "分周",
        "子行动",
        "回潮分类别",
        "回潮点位",
    ]
    units = [row for row in book["分单位"].iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[1], r[2], r[7]) for r in units] == [
        ("湖里街道", 3, 2, 1),
        ("区城市管理行政执法局", 1, 0, 0),
    ]


def test_drive_page_query_count_is_constant_in_rows(
    client, leader, drive_problems, drives, d0, sites, categories, inspector
):
    client.force_login(leader)
    url = reverse("drive_detail", args=[drives["whole"].pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for day in range(3, 6):
        report(inspector, sites[day % 3], categories["占道经营"], at(d0 + timedelta(days=day * 2)))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_drive_list_shows_drives_with_their_counts(client, leader, drive_problems, drives):
    client.force_login(leader)
    body = client.get(reverse("drive_list")).content.decode()
    assert 'id="drives-running"' in body
    assert f'href="{reverse("drive_detail", args=[drives["whole"].pk])}">百日大会战</a>' in body
    found = problems_url(drive=drives["whole"].pk, status="valid").replace("&", "&amp;")
    assert f'<dd><a href="{found}">4</a></dd>' in body


def test_home_shows_running_drives_and_this_months_recurrence(
    client, leader, drive_problems, drives
):
    client.force_login(leader)
    body = client.get(reverse("home")).content.decode()
    assert 'id="home-drives"' in body
    found = problems_url(drive=drives["whole"].pk, status="valid").replace("&", "&amp;")
    assert f'<dd><a href="{found}">4</a></dd>' in body
    # Sub-drives are counted in their parent, not listed again.
    assert "市容秩序战役" not in body


def test_home_drives_are_for_leaders_and_the_secretariat(client, liaison, drive_problems):
    client.force_login(liaison)
    assert 'id="home-drives"' not in client.get(reverse("home")).content.decode()
