"""The Django admin as the campaign office uses it: every page opens, 责任分解 filters and actions
work, the liaison rule holds, and only staff get in."""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import Truncator

from civility.core.models import LoginFailure, User
from civility.core.roles import Role
from civility.org.models import (
    AssessmentMethod,
    Assignment,
    Headquarters,
    Indicator,
    Leader,
    Linkage,
    ProblemCategory,
    Site,
    SiteType,
    Unit,
    WorkGroup,
)
from tests.conftest import client_for, make_user

ADMIN_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in {"core", "org", "auth"}),
    key=lambda model: model._meta.label,
)
MODEL_IDS = [model._meta.label for model in ADMIN_MODELS]
CHANGELIST = "admin:org_assignment_changelist"


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def sample(db):
    """One object of every admin model: the loaded fixtures' own when present, else made here."""
    hq = Headquarters.objects.first() or Headquarters.objects.create(
        name="样例指挥部",
        district="样例区",
        code="YL",
        doc_prefix="样创指",
        start_date=date(2008, 1, 1),
    )
    street = Unit.objects.filter(kind=Unit.Kind.STREET).first() or Unit.objects.create(
        headquarters=hq, name="样例街道", kind=Unit.Kind.STREET
    )
    hq = street.headquarters
    community = street.children.first() or Unit.objects.create(
        headquarters=hq, name="样例社区", kind=Unit.Kind.COMMUNITY, parent=street
    )
    department = Unit.objects.filter(
        headquarters=hq, kind=Unit.Kind.DEPARTMENT
    ).first() or Unit.objects.create(
        headquarters=hq, name="样例区直部门", kind=Unit.Kind.DEPARTMENT
    )
    leader = Leader.objects.filter(headquarters=hq).first() or Leader.objects.create(
        headquarters=hq, name="样例领导", title="区委书记", body=Leader.Body.PARTY
    )
    work_group = WorkGroup.objects.filter(headquarters=hq).first() or WorkGroup.objects.create(
        headquarters=hq, name="样例工作组", head=leader, lead_unit=department
    )
    method = AssessmentMethod.objects.first() or AssessmentMethod.objects.create(name="实地考察")
    indicator = Indicator.objects.filter(headquarters=hq).first()
    if indicator is None:
        indicator = Indicator.objects.create(
            headquarters=hq, level=1, code="Ⅰ-1", name="样例测评项目", source="national"
        )
        indicator.methods.add(method)
    site_type = SiteType.objects.filter(headquarters=hq).first() or SiteType.objects.create(
        headquarters=hq, name="主干道"
    )
    site = Site.objects.filter(headquarters=hq).first() or Site.objects.create(
        headquarters=hq,
        name="样例点位",
        type=site_type,
        street=street,
        community=community,
        default_unit=street,
    )
    category = ProblemCategory.objects.filter(
        headquarters=hq
    ).first() or ProblemCategory.objects.create(
        headquarters=hq, name="占道经营", work_group=work_group, deduction=2, time_limit_hours=48
    )
    linkage = Linkage.objects.filter(headquarters=hq).first() or Linkage.objects.create(
        headquarters=hq,
        kind=Linkage.Kind.LEADER_CONTACT,
        target=street,
        leader=leader,
        start_date=date(2008, 1, 1),
    )
    assignment = Assignment.objects.first() or Assignment.objects.create(
        work_group=work_group,
        unit=community,
        goal="样例目标",
        task="样例任务",
        responsible_person="张三（主任）",
        due_date=date(2008, 6, 30),
    )
    if not LoginFailure.objects.exists():
        LoginFailure.objects.create(username="someone", ip_address="10.0.0.1")
    return SimpleNamespace(**locals())


@pytest.fixture
def su_client(client, superuser, sample):
    return client_for(client, superuser)


def make_assignment(sample, **fields) -> Assignment:
    defaults = {
        "work_group": sample.work_group,
        "unit": sample.community,
        "goal": "测试目标",
        "task": "测试任务",
        "responsible_person": "李四（副主任）",
        "due_date": timezone.localdate() + timedelta(days=60),
    }
    return Assignment.objects.create(**(defaults | fields))


def change_form_data(response) -> dict:
    """What the browser would post back from a rendered add/change page, inlines included."""
    data = {"_save": "保存"}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# --- every page opens -------------------------------------------------------------------------


def heading(response, tag: str = "h1") -> str:
    match = re.search(rf"<{tag}>(.*?)</{tag}>", response.content.decode(), re.S)
    return match.group(1) if match else ""


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=MODEL_IDS)
def test_admin_changelist_lists_the_rows_for_superuser(su_client, model):
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None

    response = su_client.get(admin_url(model, "changelist"))

    assert str(model._meta.verbose_name) in heading(response)
    assert admin_url(model, "change", obj.pk) in response.content.decode()


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=MODEL_IDS)
def test_admin_change_form_shows_the_object_for_superuser(su_client, model):
    obj = model._default_manager.first()
    assert obj is not None

    response = su_client.get(admin_url(model, "change", obj.pk))

    assert heading(response, "h2") == escape(Truncator(str(obj)).words(18))
    assert response.context["adminform"].form.instance.pk == obj.pk


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=MODEL_IDS)
def test_admin_add_form_opens_unless_read_only(su_client, model):
    response = su_client.get(admin_url(model, "add"))

    if model is LoginFailure:
        assert response.status_code == 403
    else:
        assert heading(response) == f"增加 {model._meta.verbose_name}"
        assert response.context["adminform"].form.instance.pk is None


def test_admin_changelist_search_keeps_the_query_for_every_model(su_client):
    for model in ADMIN_MODELS:
        response = su_client.get(admin_url(model, "changelist"), {"q": "湖里"})

        changelist = response.context["cl"]
        assert changelist.query == "湖里", model._meta.label
        if changelist.search_fields:
            assert 'name="q" value="湖里"' in response.content.decode(), model._meta.label


def test_admin_changelist_search_finds_units_by_name(su_client):
    response = su_client.get(admin_url(Unit, "changelist"), {"q": "湖里"})

    names = {unit.name for unit in response.context["cl"].result_list}
    assert "湖里街道" in names
    assert names == set(Unit.objects.filter(name__contains="湖里").values_list("name", flat=True))


# --- 责任分解 changelist ------------------------------------------------------------------------


@pytest.fixture
def assignments_by_state(sample):
    today = timezone.localdate()
    return {
        Assignment.DueState.DONE: make_assignment(sample, completed_on=today),
        Assignment.DueState.OVERDUE: make_assignment(sample, due_date=today - timedelta(days=1)),
        Assignment.DueState.DUE_SOON: make_assignment(sample, due_date=today + timedelta(days=3)),
        Assignment.DueState.ON_TRACK: make_assignment(sample, due_date=today + timedelta(days=30)),
        Assignment.DueState.NO_DEADLINE: make_assignment(
            sample, due_date=None, cycle=Assignment.Cycle.ONGOING
        ),
    }


@pytest.mark.parametrize("state", Assignment.DueState.values)
def test_admin_assignment_due_state_filter_selects_that_state(
    su_client, assignments_by_state, state
):
    response = su_client.get(reverse(CHANGELIST), {"due_state": state})

    assert response.status_code == 200
    shown = set(response.context["cl"].queryset.values_list("pk", flat=True))
    assert {a.pk for a in assignments_by_state.values() if a.pk in shown} == {
        assignments_by_state[state].pk
    }


def test_admin_assignment_changelist_shows_due_state_labels(su_client, assignments_by_state):
    response = su_client.get(reverse(CHANGELIST), {"q": "测试目标"})

    content = response.content.decode()
    for label in Assignment.DueState.labels:
        assert str(label) in content
    assert "admin/img/icon-no.svg" in content


def test_admin_assignment_due_state_filter_rejects_unknown_value(su_client, sample):
    response = su_client.get(reverse(CHANGELIST), {"due_state": "bogus"})

    assert response.status_code == 302
    assert "e=1" in response["Location"]


def test_admin_assignment_unit_kind_filter_keeps_that_kind(su_client, sample):
    make_assignment(sample, unit=sample.department)
    make_assignment(sample, unit=sample.community)

    response = su_client.get(reverse(CHANGELIST), {"unit__kind__exact": Unit.Kind.DEPARTMENT})

    assert response.status_code == 200
    kinds = set(response.context["cl"].queryset.values_list("unit__kind", flat=True))
    assert kinds == {Unit.Kind.DEPARTMENT}


def test_admin_assignment_street_filter_includes_its_communities(su_client, sample):
    in_street = make_assignment(sample, unit=sample.community)
    of_street = make_assignment(sample, unit=sample.street)
    elsewhere = make_assignment(sample, unit=sample.department)

    response = su_client.get(reverse(CHANGELIST), {"street": sample.street.pk})

    assert response.status_code == 200
    shown = set(response.context["cl"].queryset.values_list("pk", flat=True))
    assert {in_street.pk, of_street.pk} <= shown
    assert elsewhere.pk not in shown


def test_admin_assignment_search_finds_goal_and_unit(su_client, sample):
    target = make_assignment(sample, goal="背街小巷整治无死角", unit=sample.department)

    by_goal = su_client.get(reverse(CHANGELIST), {"q": "背街小巷整治无死角"})
    by_unit = su_client.get(reverse(CHANGELIST), {"q": sample.department.name})

    assert by_goal.status_code == 200
    assert list(by_goal.context["cl"].queryset.values_list("pk", flat=True)) == [target.pk]
    assert target.pk in set(by_unit.context["cl"].queryset.values_list("pk", flat=True))


def test_admin_assignment_changelist_query_count_is_constant(su_client, sample):
    url = reverse(CHANGELIST) + "?q=N加一"
    make_assignment(sample, goal="N加一 1", unit=sample.street)
    su_client.get(url)
    one = query_count(su_client, url)
    make_assignment(sample, goal="N加一 2", unit=sample.community)
    make_assignment(sample, goal="N加一 3", unit=sample.department)

    assert query_count(su_client, url) == one


# --- bulk actions -----------------------------------------------------------------------------


def run_action(client, action: str, rows):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [row.pk for row in rows], "index": "0"},
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_admin_assignment_bulk_complete_sets_today(su_client, sample):
    today = timezone.localdate()
    open_rows = [make_assignment(sample), make_assignment(sample, due_date=None, cycle="ongoing")]
    done = make_assignment(sample, completed_on=date(2008, 1, 2))

    response = run_action(su_client, "mark_completed", [*open_rows, done])

    assert response.status_code == 200
    for row in open_rows:
        row.refresh_from_db()
        assert row.completed_on == today
    done.refresh_from_db()
    assert done.completed_on == date(2008, 1, 2)
    assert messages_of(response) == [f"已将 2 条责任分解标记为已完成（{today:%Y-%m-%d}）。"]


def test_admin_assignment_bulk_complete_touches_updated_at(su_client, sample):
    row = make_assignment(sample)
    Assignment.objects.filter(pk=row.pk).update(updated_at=timezone.now() - timedelta(days=3))

    run_action(su_client, "mark_completed", [row])

    row.refresh_from_db()
    assert timezone.now() - row.updated_at < timedelta(minutes=1)


def test_admin_assignment_bulk_not_completed_clears_date(su_client, sample):
    rows = [make_assignment(sample, completed_on=date(2008, 3, 1)) for _ in range(2)]
    untouched = make_assignment(sample, completed_on=date(2008, 3, 1))

    response = run_action(su_client, "mark_not_completed", rows)

    assert [Assignment.objects.get(pk=row.pk).completed_on for row in rows] == [None, None]
    assert Assignment.objects.get(pk=untouched.pk).completed_on == date(2008, 3, 1)
    assert messages_of(response) == ["已将 2 条责任分解标记为未完成。"]


def test_admin_assignment_bulk_postpone_moves_due_date_30_days(su_client, sample):
    dated = make_assignment(sample, due_date=date(2008, 5, 20))
    ongoing = make_assignment(sample, due_date=None, cycle=Assignment.Cycle.ONGOING)

    response = run_action(su_client, "postpone_30_days", [dated, ongoing])

    dated.refresh_from_db()
    ongoing.refresh_from_db()
    assert dated.due_date == date(2008, 6, 19)
    assert ongoing.due_date is None
    assert messages_of(response) == [
        "已将 1 条责任分解的完成时限延后 30 天；1 条没有完成时限，未改动。"
    ]


# --- inlines and autocomplete -----------------------------------------------------------------


def test_admin_street_page_adds_a_community_inline(su_client, sample):
    url = admin_url(Unit, "change", sample.street.pk)
    data = change_form_data(su_client.get(url))
    n = int(data["children-TOTAL_FORMS"])
    data |= {"children-TOTAL_FORMS": str(n + 1), f"children-{n}-name": "新建测试社区"}
    data |= {f"children-{n}-active": "on", f"children-{n}-order": "9"}

    response = su_client.post(url, data)

    assert response.status_code == 302
    created = Unit.objects.get(name="新建测试社区")
    assert (created.kind, created.parent, created.headquarters) == (
        Unit.Kind.COMMUNITY,
        sample.street,
        sample.street.headquarters,
    )


def test_admin_street_page_rejects_duplicate_community_name(su_client, sample):
    url = admin_url(Unit, "change", sample.street.pk)
    data = change_form_data(su_client.get(url))
    n = int(data["children-TOTAL_FORMS"])
    data |= {"children-TOTAL_FORMS": str(n + 1), f"children-{n}-name": sample.department.name}
    data[f"children-{n}-order"] = "0"

    response = su_client.post(url, data)

    assert response.status_code == 200
    assert "本指挥部已有同名单位。" in response.content.decode()


def test_admin_department_page_has_no_community_inline(su_client, sample):
    response = su_client.get(admin_url(Unit, "change", sample.department.pk))

    prefixes = [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]
    assert prefixes == ["members", "assignments"]


def test_admin_work_group_page_adds_an_assignment_inline(su_client, sample):
    url = admin_url(WorkGroup, "change", sample.work_group.pk)
    data = change_form_data(su_client.get(url))
    n = int(data["assignments-TOTAL_FORMS"])
    data["assignments-TOTAL_FORMS"] = str(n + 1)
    row = {
        "unit": sample.department.pk,
        "goal": "工作组内联新增目标",
        "task": "任务",
        "responsible_person": "王五",
        "due_date": "2008-09-30",
        "cycle": "once",
    }
    data |= {f"assignments-{n}-{key}": str(value) for key, value in row.items()}

    response = su_client.post(url, data)

    assert response.status_code == 302
    created = Assignment.objects.get(goal="工作组内联新增目标")
    assert (created.work_group, created.unit) == (sample.work_group, sample.department)


def test_admin_unit_parent_autocomplete_offers_streets_and_communities(su_client, sample):
    # A community hangs under a street, a 小区/居民小组 under a community (Unit.clean checks which).
    def offered(term):
        response = su_client.get(
            reverse("admin:autocomplete"),
            {"app_label": "org", "model_name": "unit", "field_name": "parent", "term": term},
        )
        assert response.status_code == 200
        return [int(result["id"]) for result in response.json()["results"]]

    assert sample.street.pk in offered(sample.street.name)
    assert sample.community.pk in offered(sample.community.name)
    kinds = set(Unit.objects.filter(pk__in=offered("")).values_list("kind", flat=True))
    assert kinds <= {"street", "community"}
    assert sample.department.pk not in offered(sample.department.name)


def test_admin_unit_changelist_query_count_is_constant(su_client, sample):
    url = admin_url(Unit, "changelist") + "?q=N加一单位"
    hq = sample.street.headquarters
    for i in range(3):
        unit = Unit.objects.create(headquarters=hq, name=f"N加一单位{i}", kind="department")
        make_user(f"nplus_liaison_{i}", Role.LIAISON, unit=unit)
        if i == 0:
            su_client.get(url)
            one = query_count(su_client, url)

    assert query_count(su_client, url) == one


def test_admin_unit_changelist_counts_liaisons(su_client, sample):
    unit = Unit.objects.create(
        headquarters=sample.street.headquarters, name="联络员计数单位", kind="department"
    )
    make_user("count_liaison_a", Role.LIAISON, unit=unit)
    make_user("count_inspector", Role.INSPECTOR, unit=unit)

    response = su_client.get(admin_url(Unit, "changelist"), {"q": "联络员计数单位"})

    assert [row.liaison_count for row in response.context["cl"].result_list] == [1]


# --- users ------------------------------------------------------------------------------------


def test_admin_user_changelist_query_count_is_constant(su_client, sample):
    url = admin_url(User, "changelist") + "?q=nplusone"
    make_user("nplusone_0", Role.LIAISON, unit=sample.street)
    su_client.get(url)
    one = query_count(su_client, url)
    make_user("nplusone_1", Role.INSPECTOR, Role.REPRESENTATIVE, unit=sample.community)
    make_user("nplusone_2", Role.LIAISON, unit=sample.department)

    assert query_count(su_client, url) == one


def test_admin_user_changelist_shows_role_labels(su_client, sample):
    make_user("roles_shown", Role.INSPECTOR, Role.REPRESENTATIVE)

    response = su_client.get(admin_url(User, "changelist"), {"q": "roles_shown"})

    assert "督查员、人大代表/政协委员" in response.content.decode()


def test_admin_user_liaison_without_unit_is_rejected(su_client, sample):
    user = make_user("no_unit_yet", Role.INSPECTOR)
    url = admin_url(User, "change", user.pk)
    data = change_form_data(su_client.get(url))
    data["groups"] = [str(Group.objects.get(name=Role.LIAISON).pk)]

    response = su_client.post(url, data)

    assert response.status_code == 200
    assert "联络员必须指定所属单位。" in response.content.decode()
    assert list(user.groups.values_list("name", flat=True)) == [Role.INSPECTOR]


def test_admin_user_liaison_with_unit_is_saved(su_client, sample):
    user = make_user("gets_a_unit", Role.INSPECTOR)
    url = admin_url(User, "change", user.pk)
    data = change_form_data(su_client.get(url))
    data |= {"groups": [str(Group.objects.get(name=Role.LIAISON).pk)], "unit": sample.street.pk}

    response = su_client.post(url, data)

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.unit, user.is_liaison) == (sample.street, True)


def test_admin_user_add_liaison_without_unit_is_rejected(su_client, sample):
    response = su_client.post(
        admin_url(User, "add"),
        {
            "username": "new_liaison",
            "usable_password": "false",
            "name": "新联络员",
            "groups": [str(Group.objects.get(name=Role.LIAISON).pk)],
        },
    )

    assert response.status_code == 200
    assert "联络员必须指定所属单位。" in response.content.decode()
    assert not User.objects.filter(username="new_liaison").exists()


# --- who gets in ------------------------------------------------------------------------------


def test_admin_secretariat_opens_assignment_changelist_and_change_form(client, secretariat, sample):
    client_for(client, secretariat)

    listing = client.get(reverse(CHANGELIST))
    change = client.get(admin_url(Assignment, "change", sample.assignment.pk))

    assert (listing.status_code, change.status_code) == (200, 200)
    assert "_save" in change.content.decode()


def test_admin_secretariat_cannot_grant_superuser(client, secretariat, sample):
    client_for(client, secretariat)

    response = client.get(admin_url(User, "change", secretariat.pk))

    assert response.status_code == 200
    assert "is_superuser" not in response.context["adminform"].form.fields


def test_admin_secretariat_cannot_change_a_superuser(client, secretariat, superuser, sample):
    client_for(client, secretariat)
    url = admin_url(User, "change", superuser.pk)

    response = client.post(url, {"username": "taken_over", "is_active": "on"})

    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.username == "t_admin"


def test_admin_leader_is_sent_to_login(client, leader, sample):
    client_for(client, leader)

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_anonymous_is_sent_to_login(client, sample):
    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_user_list_filters_by_role_in_chinese(client, superuser, leader, inspector):
    client.force_login(superuser)
    response = client.get("/admin/core/user/", {"role": "leader"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "指挥部领导" in body
    assert "t_leader" in body and "t_inspector" not in body
