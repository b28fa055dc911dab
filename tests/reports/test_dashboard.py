"""The leaders' dashboard: numbers worked out by hand on the ``march`` district, the trend
checked against ``scoring.monthly_scores`` and published snapshots, constant queries, and the
partial's HTML.

March 2026 in the ``march`` district (see test_scoring.py for its visits and problems), plus: a
leader escalates P3 (B1's open problem at SB1) and a hotline problem of a second category
(占道经营) is reported at SB on 3/28. As of 3/31 12:00:
  found this month 19: 7 at inspections (P1–P4, P10, P11, the draft inspection's), 11 from the
    hotline (P5–P9, P12–P17) and the 3/28 one
  of which closed 13 (all but P3, P7, P9, P14, the two 待交办) → 销号率 13/19 = 68.4 %
  overdue now 3 (P3 due 3/14, P7 due 3/6, P14 due 3/10; P9 is due 4/1) · 督办中 1 (P3)
  status: 待交办 2, 待整改 4 (P3, P7, P9, P14), 待协调 0, 待复查 0, 本月销号 13
  categories: 暴露垃圾 15, 乱停乱放 2 (P10, P11), 占道经营 2 (P3, the 3/28 one)
  overdue units: B1, D1, D2 one each
  streets, 本月至今 (no rank, no band): A 83.5 (0.7 × 82.875 + 0.3 × 85), B 73.3 (field alone,
    P10 is its only problem due)
  得分率 by site type: 主干道 (70 + 100 + 100 + 80 + 40 + 62.5) / 6 = 75.4, 公园广场 99.0
  items by indicator (6 主干道 visits): Ⅲ-5.3.1 failed 3 of 6, Ⅲ-5.3.3 1 of 6, Ⅲ-5.3.6 1 of 6,
    Ⅲ-4.3.1 0 of 5 (one 不适用)
"""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from lxml import html as lxml_html

from civility.org.models import ProblemCategory
from civility.reports import scoring
from civility.reports.dashboard import dashboard_data
from civility.reports.home import dashboard_context
from civility.reports.models import Report
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Problem
from tests.reports.conftest import A_, TZ, assign, at, inspect, problem

pytestmark = pytest.mark.django_db

NOW = at(3, 31, 12)
TODAY = date(2026, 3, 31)


@pytest.fixture
def busy_march(march):
    d = march
    p3 = Problem.objects.get(
        headquarters=d["hq"], primary_unit=d["u"]["B1"], status=Problem.Status.ASSIGNED
    )
    workflow.perform(p3, A_.ESCALATE, by=d["leader"], now=at(3, 20))
    d["stalls"] = d["categories"]["占道经营"]
    workflow.report_problem(
        by=d["inspector"],
        site=d["sites"]["SB"],
        category=d["stalls"],
        description="占道",
        now=at(3, 28),
        source="hotline",
    )
    return d


def test_dashboard_figures_worked_by_hand(busy_march):
    d = busy_march
    data = dashboard_data(d["hq"], TODAY, now=NOW)
    f = data["figures"]
    assert (f["found"], f["closed"], f["closure_rate"], f["overdue"], f["escalated"]) == (
        19,
        13,
        Decimal("68.4"),
        3,
        1,
    )
    assert f["found_url"] == "/problems/?date_from=2026-03-01"
    assert f["closed_url"] == "/problems/?status=closed&date_from=2026-03-01"
    assert f["overdue_url"] == "/problems/?due_state=overdue"
    assert [(s["name"], s["value"], s["url"]) for s in data["status"]] == [
        ("待交办", 2, "/problems/?status=reported"),
        ("待整改", 4, "/problems/?status=assigned"),
        ("待协调", 0, "/problems/?status=disputed"),
        ("待复查", 0, "/problems/?status=submitted"),
        ("本月销号", 13, "/problems/?status=closed"),
    ]
    garbage, parking = d["category"].pk, d["categories"]["乱停乱放"].pk
    assert [(c["name"], c["value"], c["url"]) for c in data["categories"]] == [
        ("暴露垃圾", 15, f"/problems/?category={garbage}&date_from=2026-03-01"),
        ("乱停乱放", 2, f"/problems/?category={parking}&date_from=2026-03-01"),
        ("占道经营", 2, f"/problems/?category={d['stalls'].pk}&date_from=2026-03-01"),
    ]
    b1, d1, d2 = d["u"]["B1"].pk, d["u"]["D1"].pk, d["u"]["D2"].pk
    assert [(u["name"], u["value"], u["url"]) for u in data["overdue_units"]] == [
        ("B1", 1, f"/problems/?unit={b1}&due_state=overdue"),
        ("D1", 1, f"/problems/?unit={d1}&due_state=overdue"),
        ("D2", 1, f"/problems/?unit={d2}&due_state=overdue"),
    ]
    # 本月至今: totals so far, no rank and no band.
    assert [
        (r["rank"], r["name"], r["visits"], r["due"], r["total"], r["band"])
        for r in data["ranking"]
    ] == [(None, "A", 4, 3, Decimal("83.5"), ""), (None, "B", 3, 1, Decimal("73.3"), "")]
    assert [r["url"] for r in data["ranking"]] == [
        f"/problems/?street={d['u'][name].pk}&date_from=2026-03-01" for name in ("A", "B")
    ]
    assert data["ranking"][1]["total_note"] == "整改分未考评，总分为现场分"
    # February, the last ended month, had no visits and no problems: both streets 未考评.
    assert [(r["name"], r["assessed"], r["total"]) for r in data["last_ranking"]] == [
        ("A", False, None),
        ("B", False, None),
    ]
    assert data["last_period_label"] == "2026年2月"
    assert [(t["name"], t["visits"], t["score"]) for t in data["by_site_type"]] == [
        ("主干道", 6, Decimal("75.4")),
        ("公园广场", 1, Decimal("99.0")),
    ]
    indicators = data["by_indicator"]
    assert [(i["code"], i["checked"], i["failed"], i["failure_rate"]) for i in indicators] == [
        ("Ⅲ-5.3.1", 6, 3, Decimal("50.0")),
        ("Ⅲ-5.3.3", 6, 1, Decimal("16.7")),
        ("Ⅲ-5.3.6", 6, 1, Decimal("16.7")),
        ("Ⅲ-4.3.1", 5, 0, Decimal("0.0")),
    ]  # fmt: skip
    trend = data["trend"]
    assert trend["months"][0] == "2025-04" and trend["months"][-1] == "2026-03"
    assert [(s["name"], s["data"]) for s in trend["series"]] == [
        ("A", [None] * 11 + [83.5]),
        ("B", [None] * 11 + [73.3]),
    ]


def test_dashboard_shows_the_last_ended_month_ranked_beside_the_running_one(march):
    """On 4/20: April so far has nothing for either street; March has ended and is ranked:
    A 83.5 良好 (1st, on the 黑榜 because criticised), B 73.3 合格 (2nd, 黑榜 below 75)."""
    d = march
    data = dashboard_data(d["hq"], date(2026, 4, 20), now=at(4, 20))
    assert [(r["name"], r["assessed"]) for r in data["ranking"]] == [("A", False), ("B", False)]
    assert [
        (r["rank"], r["name"], r["total"], r["band"], r["red"], r["black"])
        for r in data["last_ranking"]
    ] == [
        (1, "A", Decimal("83.5"), "良好", False, True),
        (2, "B", Decimal("73.3"), "合格", False, True),
    ]
    assert data["last_period_label"] == "2026年3月"


def test_dashboard_empty_month_has_no_rate(march):
    data = dashboard_data(march["hq"], date(2026, 5, 10), now=at(5, 10))
    assert (data["figures"]["found"], data["figures"]["closure_rate"]) == (0, None)
    assert data["categories"] == []


def test_dashboard_trend_agrees_with_monthly_scores_and_published_snapshots(march):
    """Every month of the trend is the street's total of ``monthly_scores`` (a gap when the
    street was 未考评), except a published month, which shows its bulletin's frozen total.
    April (as of 4/20): one visit at SA and SB each and one problem due for A → both 未考评."""
    d = march
    april = inspect(d, 2, ["SA", "SB"], problems=[("SA", "暴露垃圾")], month=4)
    assign(d, april.found[0], "A", at(4, 2))
    data = dashboard_data(d["hq"], date(2026, 4, 20), now=at(4, 20))
    checked = 0
    for index, month in enumerate(data["trend"]["months"]):
        year, number = map(int, month.split("-"))
        scores = scoring.monthly_scores(d["hq"], year, number, now=at(4, 20)).by_unit()
        for series in data["trend"]["series"]:
            total = scores[series["id"]].total
            assert series["data"][index] == (None if total is None else float(total))
            checked += total is not None
    assert checked == 2  # A and B in March
    assert [s["data"][-2:] for s in data["trend"]["series"]] == [[83.5, None], [73.3, None]]

    # Once March is published, the trend reads March from the snapshot, not live.
    Report.objects.create(
        headquarters=d["hq"], kind="monthly", period="2026-03", period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31), status="published", year=2026, title="通报",
        published_at=at(4, 3),
        snapshot={"data": {"rankings": [{"kind": "street", "rows": [
            {"unit_id": d["u"]["A"].pk, "unit": "A", "total": "81.0", "assessed": True},
        ]}]}},
    )  # fmt: skip
    data = dashboard_data(d["hq"], date(2026, 4, 20), now=at(4, 20))
    assert [s["data"][-2:] for s in data["trend"]["series"]] == [[81.0, None], [None, None]]


def test_dashboard_query_count_is_constant_in_problems_visits_and_months(march):
    """The trend's twelve months are scored in one pass: more problems, more visits and more
    months with data cost no query. The queries: the figures aggregate, categories, overdue
    units, the published snapshots, ten for the scores of all months (policies, units, visits,
    problems due, problems open, events, replayed events, commentary, linkages, vetoes), two
    for the breakdowns by site type and by indicator, and eleven for the stored monthly facts of
    the ended months (the stored months, events and visits newer than their marks, moving the
    marks, the last event and visit counted, the rows replaced in two deletes and two inserts,
    read back) plus the savepoint around the replacement."""
    d = march
    with CaptureQueriesContext(connection) as few:
        dashboard_data(d["hq"], TODAY, now=NOW)
    extra = d["categories"]["乱停乱放"]
    inspection = inspect(d, 27, ["SA", "SB", "SB1"])
    for i in range(30):
        p, _ = workflow.report_problem(
            by=d["inspector"],
            site=d["sites"][["SA", "SB", "SB1"][i % 3]],
            category=[d["category"], extra][i % 2],
            description="问题",
            inspection=inspection,
            now=at(3, 27),
        )
        assign(d, p, ["A", "B", "B1", "D1", "D2"][i % 5], at(3, 27))
    for month in (1, 2):  # earlier months of the trend get data too
        for day in (5, 12, 19):
            found = inspect(d, day, ["SA", "SB"], problems=[("SA", "暴露垃圾")], month=month)
            assign(d, found.found[0], "A", at(month, day))
    with CaptureQueriesContext(connection) as many:
        data = dashboard_data(d["hq"], TODAY, now=NOW)
    assert data["figures"]["found"] == 48
    assert [s["data"][-3:] for s in data["trend"]["series"]][0][:2] != [None, None]
    assert len(many.captured_queries) == len(few.captured_queries)
    # + six for 全民参与 (participation.figures); scoring reads vetoes and 取消评先评优资格.
    assert len(few.captured_queries) <= 36


def test_dashboard_partial_links_every_figure_and_loads_charts_safely(busy_march):
    d = busy_march
    data = dashboard_data(d["hq"], TODAY, now=NOW)
    html = render_to_string("reports/dashboard.html", {"dashboard": data})
    assert 'href="/problems/?due_state=overdue"' in html
    assert 'href="/problems/?date_from=2026-03-01"' in html
    assert f'href="/problems/?category={d["category"].pk}&amp;date_from=2026-03-01"' in html
    assert f'href="/problems/?unit={d["u"]["D1"].pk}&amp;due_state=overdue"' in html
    assert 'id="dash-found"' in html and ">19<" in html
    for chart in ("chart-trend", "chart-category", "chart-status", "chart-overdue"):
        assert f'id="{chart}"' in html
    tree = lxml_html.fromstring(html)

    def texts(box):
        rows = tree.xpath(f"//figure[@id='{box}']//tr[td] | //figure[@id='{box}']//li")
        return [" ".join(row.text_content().split()) for row in rows]

    # 本月至今 without rank or band; February (the last ended month) had nothing: 未考评.
    assert texts("dash-ranking") == ["A 4 82.9 3 85.0 83.5", "B 3 73.3 1 — 73.3"]
    assert texts("dash-last-ranking") == ["— A — 未考评", "— B — 未考评"]
    assert texts("dash-site-types") == ["主干道 6 个次 75.4", "公园广场 1 个次 99.0"]
    assert texts("dash-indicators")[0] == "Ⅲ-5.3.1 无暴露垃圾 不合格 3/6（50.0%）"
    assert "None" not in html
    # CSP: no inline styles, no inline scripts; the data travels as a JSON script tag.
    assert "style=" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert '/static/vendor/echarts/echarts.dashboard.min.js"' in html
    assert '/static/civility/dashboard.js"' in html
    assert '/static/civility/dashboard.css"' in html
    payload = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S
    )[1]
    charts = json.loads(payload)
    assert [c["value"] for c in charts["categories"]] == [15, 2, 2]
    assert charts["trend"]["series"][1]["data"][-1] == 73.3
    assert charts["overdue"][0]["url"] == f"/problems/?unit={d['u']['B1'].pk}&due_state=overdue"


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("leader", True),
        ("secretariat", True),
        ("liaison", False),
        ("inspector", False),
        ("representative", False),
    ],
)
def test_dashboard_context_only_for_leaders_and_secretariat(request, persona, sees):
    factory_request = RequestFactory().get("/")
    factory_request.user = request.getfixturevalue(persona)
    context = dashboard_context(factory_request)
    assert ("dashboard" in context) is sees
    if sees:
        assert context["dashboard"]["headquarters"].code == "HL"


def test_dashboard_timezone_month_boundary(march):
    """A problem reported at 23:30 on 3/31 Beijing time (15:30 UTC) belongs to March."""
    d = march
    late = problem(d, "SB", at(3, 31, 23).replace(minute=30))
    assert late.reported_at.tzinfo is not None
    data = dashboard_data(d["hq"], TODAY, now=at(3, 31, 23).replace(minute=45))
    april = dashboard_data(d["hq"], date(2026, 4, 1), now=at(4, 1, 1))
    assert data["figures"]["found"] == 19  # the march district's 18 and this one
    assert april["figures"]["found"] == 0
    assert TZ.utcoffset(None).total_seconds() == 8 * 3600


# --- in a browser -------------------------------------------------------------------------------


def _huli_problems():
    """This month in Huli: three 占道经营 problems and one overdue 暴露垃圾 problem, and an
    inspection of three sites of the same street without problems (so that the street is
    assessed this month: three visits at 100, the trend has a point)."""
    from datetime import timedelta

    from django.utils import timezone

    from civility.core.roles import Role
    from civility.org.models import Headquarters, Site
    from civility.supervision.inspections import services
    from civility.supervision.inspections.models import Inspection, InspectionTeam
    from tests.conftest import make_user

    hq = Headquarters.objects.get(code="HL")
    inspector = make_user("b_inspector", Role.INSPECTOR)
    secretariat = make_user("b_secretariat", Role.SECRETARIAT)
    site = Site.objects.filter(headquarters=hq, default_unit__isnull=False).order_by("id").first()
    visit = Inspection.objects.create(
        headquarters=hq,
        team=InspectionTeam.objects.filter(headquarters=hq).first(),
        date=timezone.localdate(),
        created_by=inspector,
    )
    visit.sites.set(Site.objects.filter(street=site.street).order_by("id")[:3])
    services.submit_inspection(visit, inspector)
    stalls = ProblemCategory.objects.get(headquarters=hq, name="占道经营")
    garbage = ProblemCategory.objects.get(headquarters=hq, name="暴露垃圾")
    now = timezone.now()
    for _ in range(3):
        workflow.report_problem(by=inspector, site=site, category=stalls, description="占道")
    late, _ = workflow.report_problem(
        by=inspector, site=site, category=garbage, description="垃圾", now=now - timedelta(hours=3)
    )
    workflow.perform(
        late,
        A_.ASSIGN,
        by=secretariat,
        unit=site.default_unit,
        now=now - timedelta(hours=2),
        deadline=now - timedelta(hours=1),
    )
    return stalls


@pytest.mark.browser
def test_browser_dashboard_charts_draw_and_lead_to_the_problem_list(live_huli, live_server, page):
    from civility.core.roles import Role
    from tests.conftest import browser_login, make_user

    stalls = _huli_problems()
    make_user("b_leader", Role.LEADER)
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    browser_login(page, live_server, "b_leader")  # lands on the home page, where the dashboard is
    for chart in ("chart-trend", "chart-category", "chart-status", "chart-overdue"):
        page.wait_for_selector(f"#{chart}.chart-drawn canvas")
    assert page.locator("#dash-overdue .card-count").inner_text() == "1"

    # Click the 占道经营 bar (the first, tallest one) in the category chart.
    point = page.evaluate(
        """() => {
            const el = document.getElementById('chart-category');
            el.scrollIntoView({block: 'center'});
            const chart = echarts.getInstanceByDom(el);
            const option = chart.getOption();
            const index = option.yAxis[0].data.indexOf('占道经营');
            const value = option.series[0].data[index].value;
            const [x0, y] = chart.convertToPixel({seriesIndex: 0}, [0, index]);
            const [x1] = chart.convertToPixel({seriesIndex: 0}, [value, index]);
            const box = el.getBoundingClientRect();
            return {x: box.left + (x0 + x1) / 2, y: box.top + y};
        }"""
    )
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(f"**/problems/?category={stalls.pk}&date_from=*")
    assert page.locator("#row-count").inner_text() == "共 3 个问题"

    page.go_back()
    page.locator("#dash-overdue").click()
    page.wait_for_url("**/problems/?due_state=overdue")
    assert page.locator("#row-count").inner_text() == "共 1 个问题"
    assert violations == []


@pytest.mark.browser
def test_browser_rankings_switch_month_without_reload(live_huli, live_server, page):
    from django.utils import timezone

    from civility.core.roles import Role
    from tests.conftest import browser_login, make_user

    make_user("b_leader", Role.LEADER)
    browser_login(page, live_server, "b_leader")
    page.goto(f"{live_server.url}/rankings/")
    today = timezone.localdate()
    previous = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    page.evaluate("window.__noReload = true")
    page.locator("#month-prev").click()
    page.wait_for_url(f"**/rankings/?month={previous:%Y-%m}")
    assert (
        page.locator("#ranking-title")
        .inner_text()
        .startswith(f"{previous.year}年{previous.month}月考评排名")
    )
    assert page.evaluate("window.__noReload") is True
    # The region replaces itself: no second #rankings-region nested inside the first.
    assert page.locator("#rankings-region").count() == 1
    page.go_back()
    page.wait_for_function(
        "t => document.querySelector('#ranking-title').innerText.startsWith(t)",
        arg=f"{today.year}年{today.month}月考评排名",
    )


@pytest.mark.browser
def test_browser_secretariat_records_a_veto_in_the_modal(live_huli, live_server, page):
    from civility.core.roles import Role
    from civility.org.models import Unit
    from civility.reports.models import Veto
    from tests.conftest import browser_login, make_user

    make_user("b_secretariat", Role.SECRETARIAT)
    browser_login(page, live_server, "b_secretariat")
    page.goto(f"{live_server.url}/rankings/vetoes/")
    page.locator("#veto-new").click()
    modal = page.locator("#modal")
    modal.get_by_role("button", name="确定否决").wait_for()
    unit = Unit.objects.get(name="区建设局")
    modal.locator("select[name=unit]").select_option(str(unit.pk))
    # An empty reason is refused inside the modal (server-side, real CSRF through HTMX).
    modal.locator("textarea[name=reason]").evaluate("el => el.removeAttribute('required')")
    modal.get_by_role("button", name="确定否决").click()
    modal.get_by_text("请填写否决理由。").wait_for()
    assert not Veto.objects.exists()
    modal.locator("textarea[name=reason]").fill("发生重大安全生产事故，造成恶劣影响。")
    modal.get_by_role("button", name="确定否决").click()
    page.get_by_text("发生重大安全生产事故，造成恶劣影响。").first.wait_for()
    veto = Veto.objects.get()
    assert (veto.unit, veto.decided_by.username) == (unit, "b_secretariat")
