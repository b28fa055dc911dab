"""The suggestion pages: submitting from the phone form, 转为问题 and 答复 through the forms, the
representative following the problems (their photos without access to the problems), rating, a
stale page, and the home sections."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civility.org.models import ProblemCategory
from civility.participation.models import Suggestion
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Photo, Problem
from tests.conftest import client_for
from tests.factories import jpeg_bytes, photo
from tests.participation import helpers

pytestmark = pytest.mark.django_db
S = Suggestion.Status


def upload(name="p.jpg"):
    file = io.BytesIO(jpeg_bytes("orange"))
    file.name = name
    return file


def test_representative_submits_with_photo_and_site(client, representative, secretariat, site):
    client_for(client, representative)
    form = client.get(reverse("suggestion_new")).content.decode()
    assert "提交建议" in form and site.name in form
    response = client.post(
        reverse("suggestion_new"),
        {
            "category": "environment",
            "text": "人行道破损，雨天积水。",
            "site": site.pk,
            "place": "公交站北侧",
            "photos": [upload()],
            "client_token": "0b8d6c1e-2f57-4e0c-9d11-4a9e51a6d001",
        },
    )
    suggestion = Suggestion.objects.get()
    assert response["Location"] == reverse("suggestion_detail", args=[suggestion.pk])
    assert (suggestion.site, suggestion.place, suggestion.photos.count()) == (site, "公交站北侧", 1)
    page = client.get(response["Location"]).content.decode()
    assert "人行道破损，雨天积水。" in page and "已提交，等待创建办处理。" in page


def test_submit_without_text_keeps_the_form_and_says_why(client, representative):
    client_for(client, representative)
    response = client.post(reverse("suggestion_new"), {"category": "traffic", "text": " "})
    assert response.status_code == 200
    assert "请填写建议内容。" in response.content.decode()
    assert Suggestion.objects.count() == 0


def test_site_search_ranks_names_first(client, representative, site):
    client_for(client, representative)
    body = client.get(reverse("suggestion_site_search"), {"q": site.name}).content.decode()
    assert f'data-pick-site="{site.pk}"' in body


def test_secretariat_converts_on_the_page_and_the_representative_follows(
    client,
    hq,
    site,
    street,
    secretariat,
    representative,
    liaison,
    inspector,
    django_capture_on_commit_callbacks,
):
    suggestion = helpers.suggestion(representative, hq, site=site, photos=[photo("red")])
    category = ProblemCategory.objects.get(name="暴露垃圾")
    client_for(client, secretariat)
    url = reverse("suggestion_act", args=[suggestion.pk, "convert"])
    form_page = client.get(url).content.decode()
    assert "问题 1" in form_page and "暂不交办（待交办）" in form_page
    data = {
        "version": suggestion.version,
        "p-TOTAL_FORMS": "3",
        "p-INITIAL_FORMS": "1",
        "p-MIN_NUM_FORMS": "1",
        "p-MAX_NUM_FORMS": "5",
        "p-0-site": site.pk,
        "p-0-category": category.pk,
        "p-0-description": "路口垃圾堆放",
        "p-0-unit": street.pk,
        "with_photos": "on",
        "note": "请湖里街道尽快清理",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    problem = Problem.objects.get(source=Problem.Source.SUGGESTION)
    assert (problem.status, problem.primary_unit) == (Problem.Status.ASSIGNED, street)
    assert Photo.objects.filter(problem=problem, kind="before").count() == 1

    # The liaison fixes it, the inspector approves: the suggestion is 已办结.
    problem = workflow.perform(problem, "submit", by=liaison, note="已清理", photos=[photo()])
    with django_capture_on_commit_callbacks(execute=True):  # followed after the commit
        workflow.perform(problem, "approve", by=inspector)
    client_for(client, representative)
    page = client.get(reverse("suggestion_detail", args=[suggestion.pk])).content.decode()
    assert problem.number in page and "已销号" in page and "已办结" in page
    # The problem itself is not theirs to open, but its photos are shown through the suggestion.
    assert reverse("problem_detail", args=[problem.number]) not in page
    after = Photo.objects.get(problem=problem, kind="after")
    thumb = reverse("suggestion_problem_thumb", args=[suggestion.pk, after.pk])
    assert thumb in page
    assert client.get(thumb).status_code == 200
    assert client.get(reverse("photo_thumb", args=[after.pk])).status_code == 404
    # 满意 through the page.
    rate = reverse("suggestion_act", args=[suggestion.pk, "rate_satisfied"])
    client.post(rate, {"version": Suggestion.objects.get(pk=suggestion.pk).version, "note": ""})
    assert Suggestion.objects.get(pk=suggestion.pk).rating == "satisfied"


def test_convert_without_a_site_says_so(client, hq, secretariat, representative):
    suggestion = helpers.suggestion(representative, hq)
    client_for(client, secretariat)
    url = reverse("suggestion_act", args=[suggestion.pk, "convert"])
    data = {
        "version": 0,
        "p-TOTAL_FORMS": "1",
        "p-INITIAL_FORMS": "1",
        "p-MIN_NUM_FORMS": "1",
        "p-MAX_NUM_FORMS": "5",
        "p-0-description": "路口垃圾堆放",
    }
    body = client.post(url, data).content.decode()
    assert "请选择点位。" in body and "请选择问题类别。" in body
    assert Suggestion.objects.get(pk=suggestion.pk).status == S.PENDING
    assert Problem.objects.filter(source="suggestion").count() == 0


def test_liaison_replies_through_the_form(client, hq, street, secretariat, representative, liaison):
    suggestion = helpers.assigned(representative, hq, secretariat, street)
    client_for(client, liaison)
    url = reverse("suggestion_act", args=[suggestion.pk, "reply"])
    empty = client.post(url, {"version": suggestion.version, "note": ""}).content.decode()
    assert "请填写答复内容。" in empty
    client.post(url, {"version": suggestion.version, "note": "已施划斑马线。"})
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reply) == (S.REPLIED, "已施划斑马线。")


def test_action_on_a_stale_page_is_refused(client, hq, street, secretariat, representative):
    suggestion = helpers.suggestion(representative, hq)
    stale = suggestion.version
    helpers.suggestions.perform(suggestion, "answer", by=secretariat, note="已答复")
    client_for(client, secretariat)
    url = reverse("suggestion_act", args=[suggestion.pk, "assign"])
    response = client.post(
        url,
        {
            "version": stale,
            "unit": street.pk,
            "deadline": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
        follow=True,
    )
    assert "已被他人处理：该建议当前状态为「已答复」。" in response.content.decode()
    assert Suggestion.objects.get(pk=suggestion.pk).status == S.REPLIED


def test_home_sections_for_representative_liaison_and_leader(
    client, hq, street, secretariat, representative, liaison, leader
):
    helpers.assigned(representative, hq, secretariat, street, text="学校门口早高峰拥堵。")
    client_for(client, representative)
    home = client.get(reverse("home")).content.decode()
    assert "我的建议" in home and "学校门口早高峰拥堵。" in home and "交办答复" in home
    client_for(client, liaison)
    home = client.get(reverse("home")).content.decode()
    assert "待答复的代表建议" in home and "学校门口早高峰拥堵。" in home
    client_for(client, leader)
    home = client.get(reverse("home")).content.decode()
    assert "本月收到建议" in home and "待处理建议" in home


def test_list_filters_overdue_replies(client, hq, street, secretariat, representative):
    late = helpers.suggestion(representative, hq, text="逾期的建议")
    helpers.suggestions.perform(
        late,
        "assign",
        by=secretariat,
        unit=street,
        deadline=timezone.localdate() - timedelta(days=1),
        now=timezone.now() - timedelta(days=5),
    )
    helpers.assigned(representative, hq, secretariat, street, text="未到期的建议")
    client_for(client, secretariat)
    body = client.get(reverse("suggestion_list"), {"overdue": "1"}).content.decode()
    assert "逾期的建议" in body and "未到期的建议" not in body
