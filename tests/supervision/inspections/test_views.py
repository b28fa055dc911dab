"""Inspection pages (督查, SPEC §4): open a draft from a phone, add sites and problems, submit."""

import io
import re
import uuid

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from PIL import Image

from civility.core.roles import Role
from civility.org.models import Headquarters, ProblemCategory, Site, SiteType, Unit
from civility.supervision.inspections import services
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.problems.models import Photo, Problem
from tests.conftest import browser_login, make_user

NUMBER = re.compile(r"^HL-\d{4}-\d{6}$")
HTMX = {"HTTP_HX_REQUEST": "true"}


def htmx(target: str) -> dict:
    return {**HTMX, "HTTP_HX_TARGET": target}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png_bytes(color="red", size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name="photo.png", content=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content if content is not None else png_bytes(), "image/png")


@pytest.fixture
def team(hq, inspector):
    team = InspectionTeam.objects.get(headquarters=hq, name="创建办督查组")
    team.members.add(inspector)
    return team


@pytest.fixture
def site(hq):
    return Site.objects.get(headquarters=hq, name="湖里大道")


@pytest.fixture
def category(hq):
    return ProblemCategory.objects.get(headquarters=hq, name="占道经营")


def open_draft(user, team, **extra) -> Inspection:
    inspection, _ = services.create_inspection(by=user, team=team, **extra)
    return inspection


def detail_url(inspection) -> str:
    return reverse("inspection_detail", args=[inspection.pk])


def problem_post(site, category, *, token=None, photos=None, **extra) -> dict:
    data = {
        "site": site.pk,
        "category": category.pk,
        "description": "人行道上摆摊卖水果，占道约五米。",
        "client_token": str(token or uuid.uuid4()),
        "photos": photos if photos is not None else [upload()],
    }
    data.update(extra)
    return data


def add_problem(client, inspection, data, **headers):
    return client.post(reverse("inspection_add_problem", args=[inspection.pk]), data, **headers)


# --- step 1: /inspections/new/ -------------------------------------------------------------------


def test_new_inspection_offers_only_my_active_teams(client, inspector, team):
    client.force_login(inspector)
    response = client.get(reverse("inspection_new"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "创建办督查组" in body
    assert "第三方测评组" not in body
    assert 'name="client_token"' in body
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in body  # the date defaults to today


def test_new_inspection_offers_every_team_to_the_secretariat(client, secretariat):
    client.force_login(secretariat)
    body = client.get(reverse("inspection_new")).content.decode()
    for team in InspectionTeam.objects.filter(active=True):
        assert team.name in body


def test_new_inspection_tells_an_inspector_without_team(client, inspector):
    client.force_login(inspector)
    response = client.get(reverse("inspection_new"))
    assert response.status_code == 200
    assert "尚未加入任何督查组" in response.content.decode()


def test_new_inspection_creates_a_draft_and_opens_its_editor(client, inspector, team, street):
    client.force_login(inspector)
    token = uuid.uuid4()
    data = {
        "team": team.pk,
        "kind": Inspection.Kind.UNANNOUNCED,
        "date": f"{timezone.localdate():%Y-%m-%d}",
        "street": street.pk,
        "client_token": str(token),
    }
    response = client.post(reverse("inspection_new"), data)
    inspection = Inspection.objects.get(client_token=token)
    assert response.status_code == 302
    assert response["Location"] == detail_url(inspection)
    assert inspection.status == Inspection.Status.DRAFT
    assert inspection.kind == Inspection.Kind.UNANNOUNCED
    assert inspection.created_by == inspector
    assert inspection.headquarters == team.headquarters
    assert inspection.street == street
    assert list(inspection.inspectors.all()) == [inspector]


def test_new_inspection_double_submit_creates_one(client, inspector, team):
    client.force_login(inspector)
    before = Inspection.objects.count()
    data = {
        "team": team.pk,
        "kind": Inspection.Kind.ROUTINE,
        "date": f"{timezone.localdate():%Y-%m-%d}",
        "client_token": str(uuid.uuid4()),
    }
    first = client.post(reverse("inspection_new"), data)
    second = client.post(reverse("inspection_new"), data)
    assert Inspection.objects.count() == before + 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]


def test_new_inspection_refuses_a_team_the_user_is_not_on(client, inspector, team):
    client.force_login(inspector)
    other = InspectionTeam.objects.get(name="第三方测评组")
    before = Inspection.objects.count()
    response = client.post(
        reverse("inspection_new"),
        {
            "team": other.pk,
            "kind": "routine",
            "date": f"{timezone.localdate():%Y-%m-%d}",
            "client_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200
    assert "请选择您所在的督查组" in response.content.decode()
    assert Inspection.objects.count() == before


@pytest.mark.parametrize("persona", ["liaison", "representative", "leader"])
def test_new_inspection_denied_for_roles_that_do_not_inspect(db, client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("inspection_new")).status_code == 403
    assert client.post(reverse("inspection_new"), {}).status_code == 403


def test_new_inspection_requires_login(client):
    response = client.get(reverse("inspection_new"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- the draft editor ----------------------------------------------------------------------------


def test_editor_shows_the_draft_forms_to_its_author(client, inspector, team):
    inspection = open_draft(inspector, team)
    client.force_login(inspector)
    response = client.get(detail_url(inspection))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="problem-form"' in body
    assert "capture=" not in body  # camera or gallery: the phone offers both
    assert 'accept="image/*"' in body
    assert reverse("site_search") in body
    assert "提交督查" in body


@pytest.mark.parametrize("persona", ["liaison", "representative"])
def test_editor_denied_for_liaison_and_representative_not_on_team(
    client, request, inspector, team, persona
):
    inspection = open_draft(inspector, team)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(detail_url(inspection)).status_code == 403
    data = {"site": Site.objects.first().pk}
    url = reverse("inspection_add_site", args=[inspection.pk])
    assert client.post(url, data).status_code == 403
    assert inspection.sites.count() == 0


def test_editor_other_inspector_cannot_edit_a_draft_but_can_view_it_submitted(
    client, inspector, team, site, category
):
    inspection = open_draft(inspector, team)
    other = make_user("t_inspector2", Role.INSPECTOR)
    team.members.add(other)
    client.force_login(other)
    assert client.get(detail_url(inspection)).status_code == 403
    response = add_problem(client, inspection, problem_post(site, category))
    assert response.status_code == 403
    assert inspection.problems.count() == 0

    services.add_site(inspection=inspection, site=site)
    services.submit_inspection(inspection, inspector)
    response = client.get(detail_url(inspection))
    assert response.status_code == 200
    body = response.content.decode()
    assert "湖里大道" in body
    assert 'id="problem-form"' not in body


def test_editor_leader_sees_a_draft_read_only(client, inspector, team, leader):
    inspection = open_draft(inspector, team)
    client.force_login(leader)
    response = client.get(detail_url(inspection))
    assert response.status_code == 200
    body = response.content.decode()
    assert "草稿" in body
    assert 'id="problem-form"' not in body


def test_editor_tells_the_secretariat_it_fills_in_someone_elses_draft(
    client, inspector, team, secretariat, site
):
    inspection = open_draft(inspector, team)
    client.force_login(secretariat)
    body = client.get(detail_url(inspection)).content.decode()
    assert 'id="problem-form"' in body
    assert 'id="proxy-notice"' in body
    assert f"这是 {inspector} 创建的督查草稿" in body
    # What the page offers works: the secretariat's writes go through.
    url = reverse("inspection_add_site", args=[inspection.pk])
    assert client.post(url, {"site": site.pk}).status_code == 302
    assert list(inspection.sites.all()) == [site]
    # The author is not told they fill in for someone.
    client.force_login(inspector)
    assert 'id="proxy-notice"' not in client.get(detail_url(inspection)).content.decode()


def test_editor_has_a_breadcrumb_to_the_list(client, inspector, team):
    inspection = open_draft(inspector, team)
    client.force_login(inspector)
    body = client.get(detail_url(inspection)).content.decode()
    crumb = re.search(r'<p class="crumbs[^"]*">(.*?)</p>', body, re.S)
    assert crumb is not None
    assert f'<a href="{reverse("inspection_list")}">督查记录</a> ›' in crumb[1]
    assert f"{inspection.date:%Y-%m-%d} 创建办督查组" in crumb[1]


def test_editor_unknown_inspection_is_404(client, inspector):
    client.force_login(inspector)
    assert client.get(reverse("inspection_detail", args=[999999])).status_code == 404


# --- sites -------------------------------------------------------------------------------------


@pytest.fixture
def other_hq_site(db):
    other = Headquarters.objects.create(
        name="思明区创建指挥部",
        district="思明区",
        code="SM",
        doc_prefix="思创指",
        start_date=timezone.localdate(),
    )
    street = Unit.objects.create(headquarters=other, name="中华街道", kind=Unit.Kind.STREET)
    kind = SiteType.objects.create(headquarters=other, name="主干道")
    return Site.objects.create(
        headquarters=other, name="文明测试点位乙", type=kind, street=street, default_unit=street
    )


def test_site_search_matches_part_of_a_name_within_the_headquarters(
    client, inspector, team, site, other_hq_site
):
    ours = Site.objects.create(
        headquarters=site.headquarters,
        name="文明测试点位甲",
        type=site.type,
        street=site.street,
        default_unit=site.street,
    )
    Site.objects.create(
        headquarters=site.headquarters,
        name="文明测试点位丙",
        type=site.type,
        street=site.street,
        default_unit=site.street,
        active=False,
    )
    inspection = open_draft(inspector, team)
    client.force_login(inspector)
    response = client.get(
        reverse("site_search"),
        {"inspection": inspection.pk, "q": "测试点位"},
        **htmx("site-results"),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert ours.name in body
    assert other_hq_site.name not in body
    assert "文明测试点位丙" not in body  # inactive
    assert f'name="site" value="{ours.pk}"' in body
    assert "<html" not in body


def test_site_search_puts_names_starting_with_the_query_first(client, inspector, team):
    inspection = open_draft(inspector, team)
    client.force_login(inspector)
    body = client.get(
        reverse("site_search"),
        {"inspection": inspection.pk, "q": "湖里大道"},
        **htmx("site-results"),
    ).content.decode()
    names = re.findall(r"<strong>([^<]+)</strong>", body)
    assert names[0] == "湖里大道"
    assert "华荣路与湖里大道路口" in names  # the name contains it
    assert "海天路" in names  # only its address does
    assert names.index("华荣路与湖里大道路口") < names.index("海天路")


def test_site_search_says_when_results_are_cut(client, inspector, team):
    inspection = open_draft(inspector, team)
    client.force_login(inspector)
    body = client.get(
        reverse("site_search"),
        {"inspection": inspection.pk, "q": "湖里"},
        **htmx("site-results"),
    ).content.decode()
    assert body.count('class="result-button"') == 10
    assert "只显示前 10 个" in body


def test_site_search_matches_an_address(client, inspector, team, site):
    inspection = open_draft(inspector, team)
    client.force_login(inspector)
    body = client.get(
        reverse("site_search"),
        {"inspection": inspection.pk, "q": "华昌路"},
        **htmx("site-results"),
    ).content.decode()
    assert "湖里大道" in body


def test_site_search_without_htmx_falls_back_to_the_editor(client, inspector, team):
    inspection = open_draft(inspector, team)
    client.force_login(inspector)
    response = client.get(reverse("site_search"), {"inspection": inspection.pk, "q": "湖里"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "湖里大道" in page.content.decode()


def test_site_search_denied_to_another_inspector(client, inspector, team):
    inspection = open_draft(inspector, team)
    client.force_login(make_user("t_inspector2", Role.INSPECTOR))
    response = client.get(
        reverse("site_search"),
        {"inspection": inspection.pk, "q": "湖里"},
        **htmx("site-results"),
    )
    assert response.status_code == 403


def test_add_site_records_it_and_selects_it_for_the_next_problem(client, inspector, team, site):
    inspection = open_draft(inspector, team)
    client.force_login(inspector)
    response = client.post(
        reverse("inspection_add_site", args=[inspection.pk]),
        {"site": site.pk},
        **htmx("site-panel"),
    )
    assert response.status_code == 200
    assert list(inspection.sites.all()) == [site]
    body = response.content.decode()
    assert 'id="site-panel"' in body
    assert 'hx-swap-oob="true"' in body
    assert f'<option value="{site.pk}" selected>' in body


def test_add_site_refuses_a_site_of_another_headquarters(client, inspector, team, other_hq_site):
    inspection = open_draft(inspector, team)
    client.force_login(inspector)
    response = client.post(
        reverse("inspection_add_site", args=[inspection.pk]), {"site": other_hq_site.pk}
    )
    assert response.status_code == 404
    assert inspection.sites.count() == 0


def test_remove_site_only_when_no_problem_was_recorded_there(
    client, inspector, team, site, category
):
    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    client.force_login(inspector)
    add_problem(client, inspection, problem_post(site, category))
    url = reverse("inspection_remove_site", args=[inspection.pk, site.pk])
    response = client.post(url, **htmx("site-panel"))
    assert response.status_code == 200
    assert "已记录问题，不能移除" in response.content.decode()
    assert list(inspection.sites.all()) == [site]

    empty = open_draft(inspector, team)
    services.add_site(inspection=empty, site=site)
    client.post(reverse("inspection_remove_site", args=[empty.pk, site.pk]))
    assert empty.sites.count() == 0


# --- problems ------------------------------------------------------------------------------------


def test_add_two_problems_with_photos(client, inspector, team, site, category):
    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    client.force_login(inspector)
    tokens = [uuid.uuid4(), uuid.uuid4()]
    first = add_problem(
        client, inspection, problem_post(site, category, token=tokens[0]), **htmx("problem-form")
    )
    second = add_problem(
        client,
        inspection,
        problem_post(
            site,
            category,
            token=tokens[1],
            photos=[upload(), upload("b.png")],
            latitude="24.5125001234",
            longitude="118.1",
        ),
        **htmx("problem-form"),
    )
    assert first.status_code == second.status_code == 200
    problems = list(inspection.problems.order_by("id"))
    assert len(problems) == 2
    for problem in problems:
        assert NUMBER.match(problem.number)
        assert problem.reported_by == inspector
        assert problem.source == Problem.Source.INSPECTION
        assert problem.status == Problem.Status.REPORTED
        assert problem.photos.filter(kind=Photo.Kind.BEFORE).count() >= 1
    assert [p.photos.count() for p in problems] == [1, 2]
    assert str(problems[1].latitude) == "24.512500"
    # The answer: a fresh form (a new token) and the list with both problems, swapped out of band.
    body = second.content.decode()
    assert str(tokens[1]) not in body
    assert 'name="client_token"' in body
    assert 'id="problem-list" hx-swap-oob="true"' in body
    assert problems[0].number in body and problems[1].number in body
    assert f'<option value="{site.pk}" selected>' in body  # the next problem starts at that site
    assert "toast" in second["HX-Trigger"]


def test_add_problem_replayed_with_the_same_token_creates_one(
    client, inspector, team, site, category
):
    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    client.force_login(inspector)
    token = uuid.uuid4()
    add_problem(client, inspection, problem_post(site, category, token=token))
    response = add_problem(
        client, inspection, problem_post(site, category, token=token), **htmx("problem-form")
    )
    assert response.status_code == 200
    assert inspection.problems.count() == 1
    assert Photo.objects.filter(problem__inspection=inspection).count() == 1
    assert inspection.problems.get().number in response.content.decode()


def test_add_problem_with_an_invalid_photo_saves_nothing(client, inspector, team, site, category):
    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    client.force_login(inspector)
    problems, photos = Problem.objects.count(), Photo.objects.count()
    fake = upload("scene.jpg", b"this is a text file, not a photo")
    response = add_problem(
        client, inspection, problem_post(site, category, photos=[fake]), **htmx("problem-form")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "文件不是有效的图片" in body
    assert 'id="problem-form"' in body
    assert "人行道上摆摊卖水果" in body  # what was typed is kept
    assert Problem.objects.count() == problems
    assert Photo.objects.count() == photos


def test_add_problem_without_photo_or_category_shows_chinese_errors(client, inspector, team, site):
    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    client.force_login(inspector)
    data = {"site": site.pk, "description": "", "client_token": str(uuid.uuid4())}
    response = add_problem(client, inspection, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "请选择问题类别。" in body
    assert "请填写问题描述。" in body
    assert "请至少拍摄或上传一张现场照片。" in body
    assert inspection.problems.count() == 0


def test_add_problem_refuses_a_site_not_on_the_inspection(client, inspector, team, site, category):
    inspection = open_draft(inspector, team)
    client.force_login(inspector)
    response = add_problem(client, inspection, problem_post(site, category))
    assert response.status_code == 200
    assert "请选择本次督查的点位" in response.content.decode()
    assert inspection.problems.count() == 0


def test_add_problem_without_htmx_redirects_back_to_the_editor(
    client, inspector, team, site, category
):
    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    client.force_login(inspector)
    response = add_problem(client, inspection, problem_post(site, category))
    assert response.status_code == 302
    assert response["Location"] == detail_url(inspection) + "#problems"
    assert inspection.problems.count() == 1


def test_add_problem_to_a_submitted_inspection_is_refused(client, inspector, team, site, category):
    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    services.submit_inspection(inspection, inspector)
    client.force_login(inspector)
    response = add_problem(client, inspection, problem_post(site, category), **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == detail_url(inspection)
    assert inspection.problems.count() == 0


# --- summary and submit ------------------------------------------------------------------------


def test_save_summary(client, inspector, team):
    inspection = open_draft(inspector, team)
    client.force_login(inspector)
    response = client.post(
        reverse("inspection_summary", args=[inspection.pk]),
        {"summary": " 总体较好。 "},
        **htmx("closing-panel"),
    )
    assert response.status_code == 200
    assert "小结已保存" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.summary == "总体较好。"


def test_submit_without_sites_is_refused(client, inspector, team):
    inspection = open_draft(inspector, team)
    client.force_login(inspector)
    response = client.post(
        reverse("inspection_submit", args=[inspection.pk]),
        {"summary": "未完成"},
        **htmx("closing-panel"),
    )
    assert response.status_code == 200
    assert "请至少添加一个督查点位。" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.DRAFT
    assert inspection.submitted_at is None


def test_submit_records_time_and_summary(client, inspector, team, site):
    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    client.force_login(inspector)
    response = client.post(
        reverse("inspection_submit", args=[inspection.pk]),
        {"summary": "占道经营较多。"},
        **htmx("closing-panel"),
    )
    assert response["HX-Redirect"] == detail_url(inspection)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED
    assert inspection.submitted_at is not None
    assert inspection.summary == "占道经营较多。"
    page = client.get(detail_url(inspection)).content.decode()
    assert "督查已提交" in page
    assert "占道经营较多。" in page


def test_submit_tells_the_secretariat_how_many_problems_await_assignment(
    client, inspector, team, site, category, secretariat, leader, django_capture_on_commit_callbacks
):
    from civility.supervision.notifications.models import Notification
    from civility.supervision.problems import workflow

    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    for i in range(3):
        workflow.report_problem(
            by=inspector,
            site=site,
            category=category,
            description=f"问题{i}",
            inspection=inspection,
        )
    client.force_login(inspector)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inspection_submit", args=[inspection.pk]))
    assert Inspection.objects.get(pk=inspection.pk).status == Inspection.Status.SUBMITTED
    notes = Notification.objects.filter(kind=Notification.Kind.TO_ASSIGN)
    assert {n.user for n in notes} == {secretariat}
    note = notes.get()
    assert "3 个问题待交办" in note.text and "创建办督查组" in note.text
    assert note.url == detail_url(inspection)


def test_submit_without_problems_notifies_nobody(
    client, inspector, team, site, secretariat, django_capture_on_commit_callbacks
):
    from civility.supervision.notifications.models import Notification

    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    client.force_login(inspector)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inspection_submit", args=[inspection.pk]))
    assert Inspection.objects.get(pk=inspection.pk).status == Inspection.Status.SUBMITTED
    assert not Notification.objects.filter(kind=Notification.Kind.TO_ASSIGN).exists()


def test_submit_twice_second_says_already_submitted(client, inspector, team, site):
    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    client.force_login(inspector)
    url = reverse("inspection_submit", args=[inspection.pk])
    client.post(url)
    submitted_at = Inspection.objects.get(pk=inspection.pk).submitted_at
    response = client.post(url, follow=True)
    assert "该督查已提交，无需重复提交。" in response.content.decode()
    assert Inspection.objects.get(pk=inspection.pk).submitted_at == submitted_at


def test_submit_service_is_a_compare_and_swap(inspector, team, site):
    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    stale = Inspection.objects.get(pk=inspection.pk)
    services.submit_inspection(inspection, inspector)
    with pytest.raises(services.AlreadySubmitted):
        services.submit_inspection(stale, inspector)


def test_submit_denied_to_another_inspector(client, inspector, team, site):
    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    client.force_login(make_user("t_inspector2", Role.INSPECTOR))
    assert client.post(reverse("inspection_submit", args=[inspection.pk])).status_code == 403
    assert Inspection.objects.get(pk=inspection.pk).is_draft


def test_submitted_detail_lists_problems_with_badges_and_thumbnails(
    client, inspector, team, site, category, leader
):
    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    client.force_login(inspector)
    add_problem(client, inspection, problem_post(site, category))
    services.submit_inspection(inspection, inspector)
    problem = inspection.problems.get()
    photo = problem.photos.get()
    client.force_login(leader)
    body = client.get(detail_url(inspection)).content.decode()
    assert reverse("problem_detail", args=[problem.number]) in body
    assert reverse("photo_thumb", args=[photo.pk]) in body
    assert 'class="badge status-reported"' in body
    assert "待交办" in body
    assert 'id="problem-form"' not in body


def test_onsite_assign_button_for_inspectors_only(client, inspector, team, site, category, leader):
    try:
        assign_url_of = lambda p: reverse("problem_act", args=[p.number, "assign"])  # noqa: E731
        assign_url_of(Problem(number="HL-2008-000001"))
    except NoReverseMatch:
        pytest.skip("the problem action endpoint (problem_act) is not there yet")
    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    client.force_login(inspector)
    add_problem(client, inspection, problem_post(site, category))
    services.submit_inspection(inspection, inspector)
    problem = inspection.problems.get()
    body = client.get(detail_url(inspection)).content.decode()
    assert f'action="{assign_url_of(problem)}"' in body
    assert f"现场交办给 {site.default_unit}" in body
    client.force_login(leader)
    assert assign_url_of(problem) not in client.get(detail_url(inspection)).content.decode()
    # The button's form, posted as the inspector, hands the problem to the site's default unit.
    client.force_login(inspector)
    client.post(assign_url_of(problem), {"version": problem.version})
    problem.refresh_from_db()
    assert problem.status == Problem.Status.ASSIGNED
    assert problem.primary_unit == site.default_unit
    assert "现场交办给" not in client.get(detail_url(inspection)).content.decode()


# --- the list ------------------------------------------------------------------------------------


def make_inspections(n, user, team, site, category):
    for i in range(n):
        inspection = open_draft(user, team)
        services.add_site(inspection=inspection, site=site)
        from civility.supervision.problems import workflow

        workflow.report_problem(
            by=user, site=site, category=category, description=f"问题{i}", inspection=inspection
        )
        services.submit_inspection(inspection, user)


def count_queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_inspection_list_shows_counts_and_links(client, inspector, team, site, category):
    make_inspections(1, inspector, team, site, category)
    inspection = Inspection.objects.get(created_by=inspector)
    client.force_login(inspector)
    response = client.get(reverse("inspection_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert detail_url(inspection) in body
    assert "创建办督查组" in body
    assert "已提交" in body
    table = response.context["table"]
    row = table.page.object_list[0]  # the rows shown, counted after the page is picked
    assert row.get_cell_value("site_count") == 1
    assert row.get_cell_value("problem_count") == 1


@pytest.mark.parametrize("persona", ["liaison", "other_liaison"])
def test_inspection_list_denied_for_liaisons(db, client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("inspection_list")).status_code == 403


def test_inspection_list_hides_other_inspectors_drafts(client, inspector, team, leader):
    draft = open_draft(inspector, team)
    client.force_login(make_user("t_inspector2", Role.INSPECTOR))
    assert detail_url(draft) not in client.get(reverse("inspection_list")).content.decode()
    client.force_login(leader)
    assert detail_url(draft) in client.get(reverse("inspection_list")).content.decode()


def link_label(body: str, inspection) -> str:
    row = re.search(rf'<tr[^>]*data-pk="{inspection.pk}".*?</tr>', body, re.S)
    assert row is not None
    links = re.findall(r"<a [^>]*>([^<]*)</a>", row[0])
    return links[-1]  # the 操作 column comes last


def test_inspection_list_offers_to_fill_in_a_draft_only_to_who_may(
    client, inspector, team, secretariat, leader
):
    draft = open_draft(inspector, team)
    fellow = make_user("t_inspector2", Role.INSPECTOR)
    draft.inspectors.add(fellow)
    expected = {inspector: "继续填写", secretariat: "代为填写", leader: "查看", fellow: "查看"}
    for user, label in expected.items():
        client.force_login(user)
        body = client.get(reverse("inspection_list")).content.decode()
        assert link_label(body, draft) == label, user
        # 查看 leads to the record, read-only; the others to the editor.
        page = client.get(detail_url(draft)).content.decode()
        assert ('id="problem-form"' in page) == (label != "查看"), user


def test_inspection_list_labels_the_counts_for_a_phone(client, inspector, team, site, category):
    make_inspections(1, inspector, team, site, category)
    client.force_login(inspector)
    body = client.get(reverse("inspection_list")).content.decode()
    assert re.search(r'<td class="col-sites num" data-label="点位">\s*1\s*</td>', body)
    assert re.search(r'<td class="col-problems num" data-label="问题">\s*1\s*</td>', body)


def test_inspection_list_filters_mine_team_and_status(client, inspector, team, site, category):
    make_inspections(1, inspector, team, site, category)
    other = make_user("t_inspector2", Role.INSPECTOR)
    third_party = InspectionTeam.objects.get(name="第三方测评组")
    third_party.members.add(other)
    make_inspections(2, other, third_party, site, category)
    draft = open_draft(inspector, team)
    client.force_login(inspector)
    url = reverse("inspection_list")

    def rows(**params):
        response = client.get(url, params, **htmx("table-region"))
        return {int(pk) for pk in re.findall(r'data-pk="(\d+)"', response.content.decode())}

    assert len(rows()) == 4
    assert rows(mine="on") == set(
        Inspection.objects.filter(created_by=inspector).values_list("pk", flat=True)
    )
    assert len(rows(team=third_party.pk)) == 2
    assert rows(status="draft") == {draft.pk}
    assert len(rows(date_from=f"{timezone.localdate():%Y-%m-%d}")) == 4


def test_inspection_list_exports_the_filtered_rows(client, inspector, team, site, category):
    make_inspections(2, inspector, team, site, category)
    client.force_login(inspector)
    response = client.get(reverse("inspection_list"), {"status": "submitted", "_export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "督查人员" in rows[0] and "操作" not in rows[0]
    assert len(rows) == 1 + 2
    assert {row[rows[0].index("督查人员")] for row in rows[1:]} == {str(inspector)}


def test_inspection_list_query_count_is_constant(client, inspector, team, site, category):
    make_inspections(1, inspector, team, site, category)
    client.force_login(inspector)
    url = reverse("inspection_list")
    few = count_queries(client, url)
    few_export = count_queries(client, url + "?_export=csv")
    make_inspections(4, inspector, team, site, category)
    assert count_queries(client, url) == few
    assert count_queries(client, url + "?_export=csv") == few_export


def test_inspection_detail_query_count_is_constant(client, inspector, team, site, category):
    inspection = open_draft(inspector, team)
    services.add_site(inspection=inspection, site=site)
    client.force_login(inspector)
    add_problem(client, inspection, problem_post(site, category))
    few = count_queries(client, detail_url(inspection))
    other_site = Site.objects.exclude(pk=site.pk).first()
    services.add_site(inspection=inspection, site=other_site)
    for _ in range(3):
        add_problem(
            client, inspection, problem_post(other_site, category, photos=[upload(), upload()])
        )
    assert inspection.problems.count() == 4
    assert count_queries(client, detail_url(inspection)) == few
    services.submit_inspection(inspection, inspector)
    submitted = count_queries(client, detail_url(inspection))
    add_more = Inspection.objects.get(pk=inspection.pk)
    assert add_more.problems.count() == 4
    assert submitted <= few


# --- a phone, in a real browser ------------------------------------------------------------------


@pytest.mark.browser
def test_browser_inspector_logs_an_inspection_on_a_phone(
    live_huli, live_server, page, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    inspector = make_user("b_inspector", Role.INSPECTOR, name="周志刚")
    team = InspectionTeam.objects.get(name="创建办督查组")
    team.members.add(inspector)
    photos = []
    for i, color in enumerate(("red", "blue")):
        path = tmp_path / f"scene{i}.png"
        Image.new("RGB", (640, 480), color).save(path, format="PNG")
        photos.append(str(path))

    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, "b_inspector")
    page.goto(f"{live_server.url}/inspections/new/")
    page.get_by_label("督查组").select_option(label="创建办督查组")
    page.get_by_role("button", name="开始督查").click()
    page.wait_for_url(re.compile(r"/inspections/\d+/$"))
    inspection = Inspection.objects.get(created_by=inspector)
    assert inspection.is_draft
    page.evaluate("window.__noReload = true")

    page.get_by_label("搜索点位").fill("湖里大")
    page.locator("#site-results").get_by_role(
        "button", name=re.compile(r"^湖里大道 湖里街道")
    ).click()
    page.locator("#site-list").get_by_text("湖里大道").wait_for()
    assert page.locator("#id_site").input_value() == str(Site.objects.get(name="湖里大道").pk)

    form = page.locator("#problem-form")
    for i, description in enumerate(("人行道占道经营，约五米。", "公交站亭小广告。")):
        form = page.locator("#problem-form")
        form.get_by_label("问题类别").select_option(index=i + 1)
        form.get_by_label("问题描述").fill(description)
        form.get_by_label("现场照片").set_input_files(photos[i])
        form.get_by_role("button", name="添加问题").click()
        page.locator("#problem-list .problem-card").nth(i).wait_for()
        page.wait_for_function(
            "n => document.querySelectorAll('#problem-list .problem-card').length === n",
            arg=i + 1,
        )
        # The fresh form is empty again and keeps the site for the next problem.
        assert page.locator("#id_description").input_value() == ""
    assert page.locator("#problem-count").inner_text() == "2"
    assert page.evaluate("window.__noReload") is True

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交督查").click()
    page.get_by_text("督查已提交").wait_for()
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED
    problems = list(inspection.problems.all())
    assert len(problems) == 2
    assert all(p.photos.filter(kind=Photo.Kind.BEFORE).count() == 1 for p in problems)
    assert all(NUMBER.match(p.number) for p in problems)


@pytest.mark.browser
def test_browser_inspection_list_is_one_card_per_inspection_on_a_phone(
    live_huli, live_server, page
):
    inspector = make_user("b_inspector", Role.INSPECTOR, name="周志刚")
    team = InspectionTeam.objects.get(name="创建办督查组")
    team.members.add(inspector)
    site = Site.objects.get(name="湖里大道")
    category = ProblemCategory.objects.get(name="占道经营")
    make_inspections(3, inspector, team, site, category)

    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, "b_inspector")
    page.goto(f"{live_server.url}/inspections/")
    # Nothing to scroll sideways: neither the page nor the table's scroller.
    widths = page.evaluate(
        """() => {
          const box = document.querySelector('#table-region .scroll-x');
          return [document.scrollingElement.scrollWidth, window.innerWidth,
                  box.scrollWidth, box.clientWidth];
        }"""
    )
    assert widths[0] <= widths[1], widths
    assert widths[2] <= widths[3], widths
    rows = page.locator("#inspections-table tbody tr")
    assert rows.count() == 3
    first = rows.first
    assert first.evaluate("tr => getComputedStyle(tr).display") == "grid"
    # Each card fits the screen, and the counts say what they count.
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    labels = first.evaluate(
        """tr => ['.col-sites', '.col-problems'].map(
             c => getComputedStyle(tr.querySelector(c), '::before').content)"""
    )
    assert "点位" in labels[0] and "问题" in labels[1], labels
    assert first.locator(".col-sites").inner_text().strip() == "1"
