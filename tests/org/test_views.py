import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civility.core.roles import Role
from civility.org.models import Assignment, Linkage, Unit
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ALL_PERSONAS = ["secretariat", "leader", "inspector", "liaison", "other_liaison", "representative"]


def count_queries(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- /org/ ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_org_opens_for_every_role(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("org"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "湖里区创建全国文明城市指挥部" in body
    assert "市容环境整治组" in body
    assert "康乐社区" in body


def test_org_requires_login(client):
    response = client.get(reverse("org"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_org_denies_a_user_without_a_role(client):
    client.force_login(make_user("nobody"))
    assert client.get(reverse("org")).status_code == 403


def test_org_shows_liaisons_and_linkages(client, leader, liaison):
    client.force_login(leader)
    body = client.get(reverse("org")).content.decode()
    assert "t_liaison" in body  # the street's liaison is named
    pairing = Linkage.objects.filter(kind=Linkage.Kind.PAIRING).select_related("department")[0]
    assert pairing.department.name in body
    assert "挂钩联系" in body


def test_org_query_count_is_constant_in_rows(client, leader, street, department):
    client.force_login(leader)
    before = count_queries(client, reverse("org"))
    hq = street.headquarters
    for i in range(5):
        community = Unit.objects.create(
            headquarters=hq, name=f"新建{i}社区", kind=Unit.Kind.COMMUNITY, parent=street
        )
        make_user(f"new_liaison_{i}", Role.LIAISON, unit=community)
        Linkage.objects.create(
            headquarters=hq,
            kind=Linkage.Kind.PAIRING,
            target=community,
            department=department,
            start_date=timezone.localdate(),
        )
    assert count_queries(client, reverse("org")) == before


# --- /assignments/ ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["secretariat", "leader"])
def test_assignments_show_every_unit_to_secretariat_and_leaders(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("assignments"))
    assert response.status_code == 200
    assert response.context["table"].paginator.count == Assignment.objects.count()


def test_assignments_liaison_sees_only_own_unit(client, liaison, street):
    client.force_login(liaison)
    response = client.get(reverse("assignments"))
    assert response.status_code == 200
    rows = list(response.context["table"].data)
    assert rows, "the fixture gives 湖里街道 at least one assignment"
    assert {row.unit_id for row in rows} == {street.pk}


def test_assignments_liaison_cannot_filter_into_another_unit(client, liaison, department):
    client.force_login(liaison)
    response = client.get(reverse("assignments"), {"unit": department.pk})
    rows = list(response.context["table"].data)
    assert all(row.unit_id == liaison.unit_id for row in rows)
    assert "unit" in response.context["filter"].form.errors


@pytest.mark.parametrize("persona", ["inspector", "representative"])
def test_assignments_are_denied_to_other_roles(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("assignments")).status_code == 403


def test_assignments_require_login(client):
    response = client.get(reverse("assignments"))
    assert response.status_code == 302


def test_assignments_filter_by_work_group(client, leader):
    client.force_login(leader)
    assignment = Assignment.objects.select_related("work_group").first()
    response = client.get(reverse("assignments"), {"work_group": assignment.work_group_id})
    rows = list(response.context["table"].data)
    assert rows
    assert {row.work_group_id for row in rows} == {assignment.work_group_id}


def test_assignments_filter_by_street_includes_its_communities(client, leader, street):
    client.force_login(leader)
    response = client.get(reverse("assignments"), {"street": street.pk})
    units = {row.unit for row in response.context["table"].data}
    assert units
    assert all(unit == street or unit.parent_id == street.pk for unit in units)


def test_assignments_filter_by_due_state(client, leader, street):
    work_group = Assignment.objects.first().work_group
    overdue = Assignment.objects.create(
        work_group=work_group,
        unit=street,
        goal="测试逾期任务",
        task="测试",
        responsible_person="测试人",
        due_date=timezone.localdate() - timedelta(days=3),
    )
    client.force_login(leader)
    response = client.get(reverse("assignments"), {"due_state": "overdue"})
    rows = list(response.context["table"].data)
    assert overdue in rows
    assert all(row.due_state() == Assignment.DueState.OVERDUE for row in rows)


def test_assignments_bad_filter_value_shows_error_and_keeps_rows(client, leader):
    client.force_login(leader)
    response = client.get(reverse("assignments"), {"due_state": "bogus"})
    assert response.status_code == 200
    assert "due_state" in response.context["filter"].form.errors


def test_assignments_htmx_request_returns_only_the_table(client, leader):
    client.force_login(leader)
    response = client.get(
        reverse("assignments"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="table-region"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="table-region"' in body
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_assignments_history_restore_returns_full_page(client, leader):
    client.force_login(leader)
    response = client.get(
        reverse("assignments"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_assignments_xlsx_export_holds_exactly_the_filtered_rows(client, leader, street):
    client.force_login(leader)
    params = {"street": street.pk}
    page = client.get(reverse("assignments"), params)
    expected = sorted(row.goal for row in page.context["table"].data)
    response = client.get(reverse("assignments"), {**params, "_export": "xlsx"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert "目标" in header and "任务" in header and "状态" in header
    goal_col = header.index("目标")
    assert sorted(row[goal_col] for row in data) == expected


def test_assignments_export_for_liaison_holds_only_own_unit(client, liaison):
    client.force_login(liaison)
    response = client.get(reverse("assignments"), {"_export": "csv"})
    text = response.content.decode("utf-8")
    other_units = Unit.objects.exclude(pk=liaison.unit_id).exclude(assignments=None)
    assert "湖里街道" in text
    assert not any(f",{unit.name}," in text for unit in other_units)


def test_assignments_query_count_is_constant_in_rows(client, leader):
    client.force_login(leader)
    one = Assignment.objects.order_by("id").first()
    few = count_queries(client, reverse("assignments") + f"?q={one.goal}")
    many = count_queries(client, reverse("assignments"))
    assert few == many
    partial = count_queries(
        client, reverse("assignments"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="table-region"
    )
    assert partial <= many
