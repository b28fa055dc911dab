"""The dashboard's 得分率 charts (SPEC §6 dashboard): by site type and by the indicators whose
测评 items fail most, each bar leading to exactly the inspections behind it (the ``march``
district of tests/reports/test_scoring.py; its draft of the 25th is no visit)."""

import re
from datetime import date

import pytest

from civility.reports.dashboard import dashboard_data
from civility.supervision.inspections.visits import SiteVisit, SiteVisitItem
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db


def inspection_rows(client, url: str) -> set[str]:
    html = client.get(url).content.decode()
    return set(re.findall(r'<tr[^>]*data-pk="(\d+)"', html))


def test_site_type_and_indicator_bars_lead_to_their_visits(client, march):
    data = dashboard_data(march["hq"], date(2026, 3, 31), now=at(3, 31, 20))
    charts = data["charts"]
    visits = SiteVisit.objects.filter(inspection__headquarters=march["hq"])
    assert {bar["name"] for bar in charts["site_types"]} == {
        v.site.type.name for v in visits.select_related("site__type")
    }
    client.force_login(march["leader"])
    for bar in charts["site_types"]:
        expected = {str(v.inspection_id) for v in visits if v.site.type.name == bar["name"]}
        assert inspection_rows(client, bar["url"]) == expected
    failed = SiteVisitItem.objects.filter(
        visit__inspection__headquarters=march["hq"], result="fail"
    ).select_related("item__indicator", "visit")
    assert sum(bar["value"] for bar in charts["indicators"]) == failed.count()
    for bar in charts["indicators"]:
        expected = {
            str(r.visit.inspection_id)
            for r in failed
            if f"{r.item.indicator.code} {r.item.indicator.name}" == bar["name"]
        }
        assert expected and inspection_rows(client, bar["url"]) == expected


def test_dashboard_page_draws_the_two_score_charts(client, march):
    client.force_login(march["leader"])
    html = client.get(f"/?hq={march['hq'].pk}").content.decode()
    assert 'id="chart-site-types"' in html and 'id="chart-indicators"' in html
    assert '"site_types"' in html and '"indicators"' in html
