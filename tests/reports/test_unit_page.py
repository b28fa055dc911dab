"""A unit's page (/units/<pk>/): who may open it, the hand-worked March scores of street A with
the counts behind them and the rows each count links to, the liaison's way there, and constant
queries. The March numbers are those of tests/reports/test_scoring.py (the ``march`` district)."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civility.org.models import Assignment, Linkage, WorkGroup
from tests.reports.conftest import hotline, january_and_february_published

pytestmark = pytest.mark.django_db


def page(client, user, unit):
    client.force_login(user)
    return client.get(f"/units/{unit.pk}/")


def march_row(html: str) -> str:
    match = re.search(r'<tr data-month="2026-03">(.*?)</tr>', html, re.S)
    assert match, "no March row"
    return match[1]


def href(html: str, css: str) -> str:
    match = re.search(rf'class="{css}" href="([^"]+)"', html)
    assert match, css
    return match[1].replace("&amp;", "&")


def numbers(html: str) -> set[str]:
    return set(re.findall(r'data-number="([^"]+)"', html))


# --- who may see ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leader", "secretariat"])
def test_leaders_and_secretariat_open_every_unit(client, request, persona, street, department):
    user = request.getfixturevalue(persona)
    for unit in (street, department):
        response = page(client, user, unit)
        assert response.status_code == 200
        html = response.content.decode()
        assert f"<h1>{unit.name}" in html
        assert "月度考评" in html and "同奖同罚" in html


def test_liaison_opens_their_own_unit(client, liaison, street, other_liaison, department):
    html = page(client, liaison, street).content.decode()
    assert f"<h1>{street.name}" in html
    assert "本月至今" in html
    # A department's liaison, too: its own page, rectification only.
    html = page(client, other_liaison, department).content.decode()
    assert f"<h1>{department.name}" in html and "整改分" in html
    assert 'class="count-visits"' not in html


def test_liaison_is_refused_another_unit_in_chinese(client, liaison, department):
    response = page(client, liaison, department)
    assert response.status_code == 403
    assert "您只能查看本单位的考评页面。" in response.content.decode()


@pytest.mark.parametrize("persona", ["inspector", "representative"])
def test_other_roles_are_refused(client, request, persona, street):
    response = page(client, request.getfixturevalue(persona), street)
    assert response.status_code == 403
    assert street.name not in response.content.decode()


def test_anonymous_is_sent_to_login(client, street):
    response = client.get(f"/units/{street.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_unknown_unit_is_404(client, leader):
    client.force_login(leader)
    assert client.get("/units/999999/").status_code == 404


def test_liaison_is_sent_from_rankings_to_their_unit(client, liaison, other_liaison):
    for user in (liaison, other_liaison):
        client.force_login(user)
        response = client.get("/rankings/")
        assert response.status_code == 302
        assert response["Location"] == f"/units/{user.unit_id}/"
        year = timezone.localdate().year
        assert client.get(f"/rankings/annual/{year}/")["Location"] == f"/units/{user.unit_id}/"


def test_liaison_home_links_to_their_unit(client, liaison, street, leader):
    client.force_login(liaison)
    html = client.get("/").content.decode()
    assert f'id="own-unit-link" href="/units/{street.pk}/"' in html
    client.force_login(leader)
    assert 'id="own-unit-link"' not in client.get("/").content.decode()


def test_org_links_unit_names_where_allowed(client, leader, liaison, street, department):
    client.force_login(leader)
    html = client.get("/org/").content.decode()
    assert f'href="/units/{street.pk}/">{street.name}</a>' in html
    assert f'href="/units/{department.pk}/">{department.name}</a>' in html
    client.force_login(liaison)
    html = client.get("/org/").content.decode()
    assert f'href="/units/{street.pk}/">{street.name}</a>' in html
    assert f'href="/units/{department.pk}/"' not in html


# --- the scores and the counts behind them -------------------------------------------------


def test_march_of_street_a_with_counts_that_link_to_their_rows(client, march):
    a = march["u"]["A"]
    html = page(client, march["leader"], a).content.decode()
    row = march_row(html)
    # Hand-worked: 0.7 × 82.9 + 0.3 × 85.0 = 83.5, 良好, first of two streets.
    assert "<strong>83.5</strong>" in row and "良好" in row
    assert re.search(r'class="num rank">1\b', row)
    assert "点位测评 4 次" in row and "不合格项 2" in row
    assert "到期 3" in row and "按期 3（100%）" in row
    assert "退回 1（返工率25%）" in row and "督办 1（督办率33%）" in row
    assert "点评批评：点评（3月18日）" in row

    due = client.get(href(row, "count-due")).content.decode()
    assert len(numbers(due)) == 3
    returned = client.get(href(row, "count-returned")).content.decode()
    escalated = client.get(href(row, "count-escalated")).content.decode()
    assert len(numbers(returned)) == 1 and len(numbers(escalated)) == 1
    assert numbers(returned) != numbers(escalated)
    assert numbers(returned) | numbers(escalated) <= numbers(due)
    visits = client.get(href(row, "count-visits")).content.decode()
    # The three submitted March inspections visited A's site SA; the draft is not one.
    assert visits.count('class="col-date"><a href="/inspections/') == 3


def test_department_month_is_rectification_only(client, march):
    html = page(client, march["leader"], march["u"]["D1"]).content.decode()
    row = march_row(html)
    assert "<strong>66.7</strong>" in row and "合格" in row
    assert "到期 3" in row and "按期 2（67%）" in row
    assert "点位测评" not in row


def test_published_month_shows_the_bulletin_figures(client, march):
    january_and_february_published(march)
    html = page(client, march["leader"], march["u"]["A"]).content.decode()
    february = re.search(r'<tr data-month="2026-02">(.*?)</tr>', html, re.S)[1]
    assert "<strong>80.0</strong>" in february and "已通报" in february
    assert "未通报" in march_row(html)


def test_partners_and_how_often_they_were_listed(client, march):
    u = march["u"]
    Linkage.objects.create(
        headquarters=march["hq"], kind="pairing", target=u["A"], department=u["D2"],
        start_date=date(2026, 1, 1),
    )  # fmt: skip
    html = page(client, march["leader"], u["D2"]).content.decode()
    section = html.split('id="unit-partners"')[1].split("</section>")[0]
    # A was on the 黑榜 in March (criticised), and on no other list in the months shown.
    assert f'结对共建：<a href="/units/{u["A"].pk}/">A</a>' in section
    assert "A近期上红榜 0 次、黑榜 1 次" in section
    html = page(client, march["leader"], u["A1"]).content.decode()
    section = html.split('id="unit-partners"')[1].split("</section>")[0]
    assert f'结对共建：<a href="/units/{u["D1"].pk}/">D1</a>' in section
    assert "挂钩联系：王领导" in section


def test_assignments_listed(client, march):
    group = WorkGroup.objects.create(headquarters=march["hq"], name="综合协调组")
    Assignment.objects.create(
        work_group=group,
        unit=march["u"]["A"],
        goal="背街小巷整治",
        task="任务",
        responsible_person="张三",
        due_date=date(2026, 3, 1),
    )
    html = page(client, march["leader"], march["u"]["A"]).content.decode()
    assert "背街小巷整治" in html.split('id="unit-assignments"')[1]


def test_query_count_is_constant_in_rows(client, march):
    a = march["u"]["A"]
    client.force_login(march["leader"])
    with CaptureQueriesContext(connection) as before:
        assert client.get(f"/units/{a.pk}/").status_code == 200
    group = WorkGroup.objects.create(headquarters=march["hq"], name="综合协调组")
    for n in range(4):
        Assignment.objects.create(
            work_group=group, unit=a, goal=f"目标{n}", task="任务", responsible_person="张三",
            due_date=date(2026, 3, n + 1),
        )  # fmt: skip
        hotline(march, "A", 10 + n, closed_after=1)
    with CaptureQueriesContext(connection) as after:
        html = client.get(f"/units/{a.pk}/").content.decode()
    assert "目标3" in html
    assert len(after) == len(before)


def test_rankings_link_names_to_unit_pages_and_counts_to_rows(client, march):
    client.force_login(march["leader"])
    html = client.get(f"/rankings/?hq={march['hq'].pk}&month=2026-03").content.decode()
    a = march["u"]["A"]
    assert f'<a href="/units/{a.pk}/">A</a>' in html
    row = re.search(rf'<tr data-unit="{a.pk}">(.*?)</tr>', html, re.S)[1]
    assert "due_from=2026-03-01&due_to=2026-03-31" in href(row, "count-due")
    assert len(numbers(client.get(href(row, "count-due")).content.decode())) == 3
    assert "returned_in=2026-03" in href(row, "count-returned")
