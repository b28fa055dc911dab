"""全民参与 on the dashboard: the month-to-date 建议意见 and activities are the 通报's figures of
the running month (the hand-built March of test_bulletin_participation.py)."""

from datetime import date

import pytest
from django.template.loader import render_to_string
from lxml import html as lxml_html

from civility.reports.dashboard import dashboard_data
from tests.reports.conftest import at
from tests.reports.test_bulletin_participation import people  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_dashboard_shows_this_months_suggestions_and_activities(people):  # noqa: F811
    data = dashboard_data(people["hq"], date(2026, 3, 31), now=at(3, 31, 22))
    part = data["participation"]
    # At 22:00 on the 31st: S5 (made at 23:00) is not in yet.
    assert (part["suggestions"]["received"], part["suggestions"]["satisfaction_rate"]) == (
        3,
        "66.7",
    )
    assert part["activities"]["activities"] == 3
    tree = lxml_html.fromstring(render_to_string("reports/dashboard.html", {"dashboard": data}))

    def texts(box):
        rows = tree.xpath(f"//figure[@id='{box}']//tr[td] | //figure[@id='{box}']//li")
        return [" ".join(row.text_content().split()) for row in rows]

    assert texts("dash-suggestions") == [
        "收到建议 3",
        "转为问题 / 交办答复 1 / 2",
        "已答复（其中单位按期答复） 3（1/2）",
        "满意 / 基本满意 / 不满意 1 / 1 / 1",
        "满意率 66.7%",
        "逾期未答复 1",
    ]
    cells = [
        [" ".join(td.text_content().split()) for td in tr.xpath("td")]
        for tr in tree.xpath("//figure[@id='dash-activities']//tr[td]")
    ]
    assert [" ".join(row) for row in cells] == [
        "洁净家园在行动 2 150 30 65.5",
        "交通文明在行动 1 30 5 10.0",
    ]
    caption = " ".join(tree.xpath("string(//figure[@id='dash-activities']/figcaption)").split())
    assert caption == "全民参与活动 本月至今 3 项，180 人次，志愿者 35 人次、75.5 小时"


def test_month_to_date_counts_as_at_now(people):  # noqa: F811
    """On the 15th: two suggestions received so far (S2, S3); S3's reply is due on the 20th, so
    nothing is overdue yet (at the month's end it is)."""
    data = dashboard_data(people["hq"], date(2026, 3, 15), now=at(3, 15, 12))
    s = data["participation"]["suggestions"]
    assert (s["received"], s["overdue_replies"]) == (2, 0)
