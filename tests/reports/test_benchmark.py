"""manage.py benchmark: every item with its median, p95, queries, same-run limit, ratio and goal,
one line each ending ok or SHORT, and the summary line."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civility.reports import benchmarking as bench
from tests.factories import new_problem, street_site

pytestmark = pytest.mark.django_db

LINE = re.compile(
    r"^(?P<label>.+?)\s+(?P<median>[\d.]+)\s+(?P<p95>[\d.]+)\s+(?P<queries>\d+)\s+"
    r"(?P<limit>[\d.]+)\s+(?P<ratio>[\d.]+)\s+(?P<goal>\S+.*?)\s*(?P<verdict>ok|SHORT)$"
)


@pytest.fixture
def personas(secretariat, leader, inspector, liaison, other_liaison, representative, street):
    """The benchmark signs in as the demo logins."""
    for user, name in (
        (secretariat, "secretariat"), (leader, "leader"), (inspector, "inspector"),
        (liaison, "liaison"), (other_liaison, "liaison2"), (representative, "representative"),
    ):  # fmt: skip
        user.username = name
        user.save()
    new_problem(inspector, street_site(street))


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("benchmark", "--repeat", "1", *args, stdout=out)
    return out.getvalue().splitlines()


def test_benchmark_prints_a_verdict_for_every_page(personas):
    lines = run("--only", "列表,首页,详情")
    assert lines[1].startswith("项目")
    items = [LINE.match(line) for line in lines[2:-1]]
    assert all(items), [line for line in lines[2:-1] if not LINE.match(line)]
    labels = [m["label"] for m in items]
    assert "问题列表 联络员（部门）" in labels and "首页（领导：仪表盘）" in labels
    for match in items:
        assert float(match["limit"]) > 0  # the bare view, measured in this run
        met = float(match["p95"]) <= float(re.search(r"≤(\d+)ms", match["goal"]).group(1))
        assert match["verdict"] == ("ok" if met else "SHORT")
    met = sum(m["verdict"] == "ok" for m in items)
    assert lines[-1] == f"goals met {met}/{len(items)}"


def test_benchmark_measures_operations_against_their_limits(personas):
    lines = run("--only", "月报,xlsx,照片")
    items = {LINE.match(line)["label"]: LINE.match(line) for line in lines[2:-1]}
    assert any(label.startswith("生成月报") for label in items)
    assert "导出 xlsx 10,000 个问题" in items and "手机照片上传处理（12MP）" in items
    photo = items["手机照片上传处理（12MP）"]
    assert photo["goal"].startswith("≤3×极限")
    assert (photo["verdict"] == "ok") == (float(photo["p95"]) <= 3 * float(photo["limit"]))


def test_benchmark_needs_data(db):
    with pytest.raises(CommandError, match="seed_city"):
        run()


def test_timing_p95_is_the_95th_percentile():
    timing = bench.Timing.of([float(n) for n in range(1, 21)], queries=3)
    assert (timing.median, timing.p95, timing.queries) == (10.5, 19.0, 3)
