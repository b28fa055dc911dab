"""The inspection editor's 测评 checklist (SPEC §6): each site's items with the live 得分率, the
不合格 / 不适用 taps kept with the draft, the problem asked for at once, and the score saved at
submit. The 农贸市场 checklist of the Huli fixtures (see test_visits.py): items 1–9 worth
15 15 15 10 10 10 10 5 10; item 3 fails with 占道经营, item 4 has no category, item 6 may be
不适用."""

import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civility.core.roles import Role
from civility.org.models import ChecklistItem, ProblemCategory, Site
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.inspections.visits import DraftMark, SiteVisit
from tests.conftest import make_user
from tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "checklist-panel"}


@pytest.fixture
def market(hq):
    return Site.objects.get(headquarters=hq, name="金山农贸市场")


@pytest.fixture
def items(market):
    rows = ChecklistItem.objects.filter(checklist__site_type=market.type)
    return {item.order: item for item in rows}


@pytest.fixture
def draft(hq, inspector, market):
    inspection = Inspection.objects.create(
        headquarters=hq,
        team=InspectionTeam.objects.get(headquarters=hq, name="创建办督查组"),
        date=timezone.localdate(),
        created_by=inspector,
    )
    inspection.sites.set([market])
    return inspection


def rate_of(html: str, site) -> str:
    match = re.search(rf'id="rate-{site.pk}">得分率 <strong>([^<]+)</strong>', html)
    assert match, "no 得分率 shown"
    return match[1]


def mark(client, draft, site, item, result, **headers):
    url = f"/inspections/{draft.pk}/marks/"
    return client.post(url, {"site": site.pk, "item": item.pk, "result": result}, **headers)


def add_problem(client, draft, site, category, item=None):
    data = {
        "site": site.pk,
        "category": category.pk,
        "description": f"{site.name}：{category.name}",
        "photos": SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg"),
    }
    if item is not None:
        data["checklist_item"] = item.pk
    return client.post(f"/inspections/{draft.pk}/problems/", data)


def test_editor_shows_the_checklist_and_a_live_rate(client, inspector, draft, market, items):
    client.force_login(inspector)
    html = client.get(f"/inspections/{draft.pk}/").content.decode()
    assert items[1].text in html and items[9].text in html
    assert rate_of(html, market) == "100.0"
    # Only the items that allow it offer 不适用.
    assert html.count('class="button small mark-na"') == sum(i.na_allowed for i in items.values())


def test_problem_fail_and_na_change_the_rate_and_are_saved_at_submit(
    client, hq, inspector, draft, market, items
):
    client.force_login(inspector)
    # 1. A 占道经营 problem fails item 3: 85 / 100.
    add_problem(
        client, draft, market, ProblemCategory.objects.get(headquarters=hq, name="占道经营")
    )
    html = client.get(f"/inspections/{draft.pk}/").content.decode()
    assert rate_of(html, market) == "85.0"
    # 2. 不合格 on item 4: the rate drops at once and the problem form is set for the item.
    response = mark(client, draft, market, items[4], "fail", **HTMX)
    html = response.content.decode()
    assert rate_of(html, market) == "75.0"
    assert f'name="checklist_item" value="{items[4].pk}"' in html
    assert "须拍照记录问题" in html
    unrelated = ProblemCategory.objects.filter(headquarters=hq, active=True).exclude(
        pk__in=ChecklistItem.objects.filter(
            checklist__site_type=market.type, categories__isnull=False
        ).values("categories")
    )[0]
    add_problem(client, draft, market, unrelated, item=items[4])
    assert DraftMark.objects.get(inspection=draft, item=items[4]).problems
    # 3. 不适用 on item 6: 65 / 90 = 72.2.
    html = mark(client, draft, market, items[6], "na", **HTMX).content.decode()
    assert rate_of(html, market) == "72.2"
    assert "须拍照记录问题" not in html
    # 4. Submit: the visit keeps 72.2222…, two items failed.
    response = client.post(f"/inspections/{draft.pk}/submit/")
    assert response.status_code == 302
    visit = SiteVisit.objects.get(inspection=draft)
    assert visit.score_rate.quantize(Decimal("0.01")) == Decimal("72.22")
    assert visit.items_failed == 2
    assert {r.item.order: r.result for r in visit.items.all()}[6] == "na"


def test_fail_without_a_photo_problem_refuses_the_submit(client, inspector, draft, market, items):
    client.force_login(inspector)
    mark(client, draft, market, items[4], "fail")
    client.post(f"/inspections/{draft.pk}/submit/")
    draft.refresh_from_db()
    assert draft.is_draft
    html = client.get(f"/inspections/{draft.pk}/").content.decode()
    assert "标为不合格，须记录至少一个带照片的问题" in html


def test_not_applicable_where_not_allowed_is_refused_in_chinese(
    client, inspector, draft, market, items
):
    client.force_login(inspector)
    response = mark(client, draft, market, items[1], "na", **HTMX)
    toast = json.loads(response.headers["HX-Trigger"])["toast"]
    assert toast == {"message": f"「{items[1].text}」不能标为不适用。", "level": "error"}
    assert not DraftMark.objects.filter(inspection=draft).exists()


def test_pass_clears_a_mark(client, inspector, draft, market, items):
    client.force_login(inspector)
    mark(client, draft, market, items[6], "na")
    assert DraftMark.objects.filter(inspection=draft).count() == 1
    html = mark(client, draft, market, items[6], "pass", **HTMX).content.decode()
    assert not DraftMark.objects.filter(inspection=draft).exists()
    assert rate_of(html, market) == "100.0"


def test_only_the_author_may_mark(client, hq, draft, market, items):
    other = make_user("other_inspector", Role.INSPECTOR)
    client.force_login(other)
    assert mark(client, draft, market, items[4], "fail").status_code == 403
    assert not DraftMark.objects.filter(inspection=draft).exists()


def test_editor_queries_do_not_grow_with_marks(client, inspector, draft, market, items):
    client.force_login(inspector)
    with CaptureQueriesContext(connection) as before:
        client.get(f"/inspections/{draft.pk}/")
    for order in (4, 5, 7):
        mark(client, draft, market, items[order], "fail")
    mark(client, draft, market, items[6], "na")
    with CaptureQueriesContext(connection) as after:
        html = client.get(f"/inspections/{draft.pk}/").content.decode()
    assert rate_of(html, market) == "66.7"  # (90 − 10 − 10 − 10) / 90
    assert len(after) == len(before)
