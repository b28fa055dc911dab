"""The problem list's city-scale means (issue 11) keep its meaning: visibility by indexed lookups
or by walking an index gives the same rows, pagination without a full COUNT, indexed text
search, local-midnight date bounds, the unit search box, and exports equal to the screen."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse

from civility.core import tables as core_tables
from civility.org.models import ProblemCategory, Site, Unit
from civility.supervision.problems import permissions, workflow
from civility.supervision.problems.models import Action, Problem
from civility.supervision.problems.permissions import problems_visible_to

SHANGHAI = ZoneInfo("Asia/Shanghai")


def report(by, site, description="路口流动摊贩占道经营。", **kwargs) -> Problem:
    problem, _ = workflow.report_problem(
        by=by,
        site=site,
        category=ProblemCategory.objects.get(name="占道经营"),
        description=description,
        **kwargs,
    )
    return problem


def assign(problem, by, unit, cooperating=()) -> Problem:
    return workflow.perform(
        problem, Action.ASSIGN, by=by, unit=unit, cooperating_units=list(cooperating)
    )


@pytest.fixture(autouse=True)
def _fresh_plan_cache():
    """Which plan a unit's list uses is cached per unit id; ids repeat across tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(street):
    return Site.objects.get(name="湖里大道")


@pytest.fixture
def spread(secretariat, inspector, site, street, department, hq):
    """Problems of the liaison's unit as primary, as cooperating, of nobody, of another unit."""
    other = Unit.objects.get(headquarters=hq, name="殿前街道")
    return {
        "primary": assign(report(inspector, site), secretariat, street),
        "cooperating": assign(report(inspector, site), secretariat, department, [street]),
        "foreign": assign(report(inspector, site), secretariat, other),
        "reported": report(inspector, site),
    }


def numbers(queryset) -> set[str]:
    return set(queryset.values_list("number", flat=True))


def page_numbers(response) -> list[str]:
    return [row.record.number for row in response.context["table"].page.object_list]


# --- visibility: the two plans agree ---------------------------------------------------------


@pytest.mark.parametrize("persona", ["liaison", "other_liaison"])
def test_visibility_walk_and_union_give_the_same_rows(request, monkeypatch, spread, persona):
    user = request.getfixturevalue(persona)
    monkeypatch.setattr(permissions, "MANY", 10**9)
    by_union = numbers(problems_visible_to(user))
    monkeypatch.setattr(permissions, "MANY", 1)
    assert permissions.unit_sees_many(user.unit_id)
    by_walk = numbers(problems_visible_to(user))
    assert by_walk == by_union
    expected = {
        "liaison": {spread["primary"].number, spread["cooperating"].number},
        "other_liaison": {spread["cooperating"].number},
    }[persona]
    assert by_union == expected


def test_busy_liaison_list_shows_only_visible_rows(client, monkeypatch, liaison, spread, street):
    monkeypatch.setattr(permissions, "MANY", 1)
    client.force_login(liaison)
    response = client.get(reverse("problem_list"))
    assert sorted(page_numbers(response)) == sorted(
        [spread["primary"].number, spread["cooperating"].number]
    )
    streets = response.context["filter"].form.fields["street"].queryset
    assert list(streets.values_list("name", flat=True)) == ["湖里街道"]


# --- pagination without a full count --------------------------------------------------------


def test_pagination_shows_next_without_knowing_the_last_page(client, leader, inspector, site):
    for n in range(7):
        report(inspector, site, description=f"第{n}个问题")
    client.force_login(leader)
    response = client.get(reverse("problem_list"), {"per_page": 3})
    page = response.context["table"].page
    assert [p.record.number for p in page.object_list] == list(
        Problem.objects.order_by("-reported_at", "-id").values_list("number", flat=True)[:3]
    )
    assert page.has_next() and page.window == [1, 2, "..."]
    body = response.content.decode()
    assert "下一页" in body and "共 7 个问题" in body
    last = client.get(reverse("problem_list"), {"per_page": 3, "page": 3}).context["table"].page
    assert not last.has_next() and last.window == [1, 2, 3]
    assert len(last.object_list) == 1


def test_pagination_caps_the_count(client, monkeypatch, leader, inspector, site):
    monkeypatch.setattr(core_tables, "COUNT_CAP", 3)
    for n in range(5):
        report(inspector, site, description=f"第{n}个问题")
    client.force_login(leader)
    body = client.get(reverse("problem_list"), {"per_page": 2}).content.decode()
    assert "超过 3 个问题" in body and "共 5 个问题" not in body


def test_pagination_beyond_the_end_shows_the_last_page(client, leader, inspector, site):
    for n in range(3):
        report(inspector, site, description=f"第{n}个问题")
    client.force_login(leader)
    response = client.get(reverse("problem_list"), {"per_page": 2, "page": 99})
    assert response.status_code == 200
    assert response.context["table"].page.number == 2


# --- text search ------------------------------------------------------------------------------


def test_text_search_finds_description_number_and_site(client, leader, inspector, site, hq):
    far = Site.objects.get(name="高崎南五路")
    litter = report(inspector, site, description="绿化带内暴露垃圾未清运")
    stall = report(inspector, far, description="流动摊贩占道经营")
    client.force_login(leader)

    def found(q) -> list[str]:
        return sorted(page_numbers(client.get(reverse("problem_list"), {"q": q})))

    assert found("暴露垃圾") == [litter.number]  # three or more characters: the index
    assert found("垃圾") == [litter.number]  # two: a scan
    assert found(stall.number[-6:]) == [stall.number]
    assert found("高崎南五") == [stall.number]  # the site's name
    assert found("没有这个词") == []


def test_text_search_index_follows_changed_descriptions(client, leader, inspector, site):
    problem = report(inspector, site, description="公益广告牌破损")
    Problem.objects.filter(pk=problem.pk).update(description="井盖缺失存在隐患")
    client.force_login(leader)
    assert page_numbers(client.get(reverse("problem_list"), {"q": "井盖缺失"})) == [problem.number]
    assert page_numbers(client.get(reverse("problem_list"), {"q": "广告牌破损"})) == []


def test_text_search_quotes_are_plain_text(client, leader, inspector, site):
    report(inspector, site, description='张贴"办证"小广告')
    client.force_login(leader)
    response = client.get(reverse("problem_list"), {"q": '"办证"小'})
    assert response.status_code == 200
    assert len(page_numbers(response)) == 1


# --- date filter on local midnight ------------------------------------------------------------


def test_date_filter_uses_local_days(client, leader, inspector, site):
    late = report(inspector, site, now=datetime(2026, 3, 9, 23, 59, tzinfo=SHANGHAI))
    next_day = report(inspector, site, now=datetime(2026, 3, 10, 0, 0, tzinfo=SHANGHAI))
    client.force_login(leader)
    response = client.get(reverse("problem_list"), {"date_to": "2026-03-09"})
    assert page_numbers(response) == [late.number]
    response = client.get(reverse("problem_list"), {"date_from": "2026-03-10"})
    assert next_day.number in page_numbers(response) and late.number not in page_numbers(response)


# --- the unit search box ----------------------------------------------------------------------


def test_unit_filter_renders_only_the_chosen_unit(client, leader, secretariat, spread, street):
    client.force_login(leader)
    body = client.get(reverse("problem_list"), {"unit": street.pk}).content.decode()
    select = body[body.index('name="unit"') : body.index("</select>", body.index('name="unit"'))]
    assert select.count("<option") == 2  # 全部单位 and the chosen one
    assert f'<option value="{street.pk}" selected>湖里街道</option>' in select
    assert 'name="unit_q"' in body and reverse("problem_unit_options") in body


def test_unit_options_match_what_was_typed(client, leader, spread):
    client.force_login(leader)
    body = client.get(reverse("problem_unit_options"), {"unit_q": "湖里"}).content.decode()
    assert body.startswith('<option value="">全部单位</option>')
    assert "湖里街道" in body and "殿前街道" not in body


def test_unit_options_for_a_liaison_only_name_visible_units(client, liaison, spread):
    client.force_login(liaison)
    body = client.get(reverse("problem_unit_options"), {"unit_q": "街道"}).content.decode()
    assert "湖里街道" in body and "殿前街道" not in body


def test_unit_options_bulk_box_keeps_its_blank_label(client, secretariat, spread):
    client.force_login(secretariat)
    body = client.get(
        reverse("problem_unit_options"), {"bulk-unit_q": "湖里", "blank": "default"}
    ).content.decode()
    assert body.startswith('<option value="">各点位默认责任单位</option>')


def test_unit_options_refused_without_access(client, db):
    response = client.get(reverse("problem_unit_options"), {"unit_q": "湖里"})
    assert response.status_code == 302


# --- exports equal the screen -----------------------------------------------------------------


def test_xlsx_export_equals_the_screens_rows(client, leader, inspector, site, secretariat):
    problems = [report(inspector, site, description=f"=SUM(A{n})问题") for n in range(4)]
    assign(problems[0], secretariat, site.default_unit)
    client.force_login(leader)
    screen = page_numbers(client.get(reverse("problem_list"), {"sort": "number"}))
    response = client.get(reverse("problem_list"), {"sort": "number", "_export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "编号"
    assert [row[0] for row in values[1:]] == screen
    descriptions = [row[values[0].index("问题描述")] for row in values[1:]]
    assert sorted(descriptions) == sorted(p.description for p in problems)  # text, not formulas
    assert response["Cache-Control"] == "private, no-store"


def test_large_csv_export_is_streamed_with_the_same_rows(
    client, monkeypatch, leader, inspector, site
):
    for n in range(4):
        report(inspector, site, description=f"第{n}个问题")
    client.force_login(leader)
    small = client.get(reverse("problem_list"), {"_export": "csv"})
    assert not small.streaming
    monkeypatch.setattr("civility.core.exports.STREAM_ABOVE", 2)
    large = client.get(reverse("problem_list"), {"_export": "csv"})
    assert large.streaming
    body = b"".join(large.streaming_content).decode("utf-8")
    assert body == small.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 5 and rows[0][0] == "编号"


@pytest.mark.parametrize("status", ["assigned", "reported", "valid", ""])
def test_street_filter_with_or_without_a_status_gives_the_street_rows(
    client, leader, inspector, spread, street, hq, status
):
    """With one status chosen the street is checked per row of the status index; the rows are
    those of the street's sites whatever the status filter."""
    client.force_login(leader)
    other = Unit.objects.get(headquarters=hq, name="殿前街道")
    other_site = Site.objects.filter(street=other).first()
    report(inspector, other_site)  # 待交办, another street
    for chosen in (street, other):
        expected = Problem.objects.filter(site__street=chosen)
        if status == "valid":
            expected = expected.exclude(status=Problem.Status.VOID)
        elif status:
            expected = expected.filter(status=status)
        response = client.get(
            reverse("problem_list"), {"street": chosen.pk, "status": status, "per_page": 50}
        )
        assert set(page_numbers(response)) == numbers(expected)
        assert status != "reported" or chosen != other or numbers(expected)
