"""A liaison's problem list, its count and the inbox issue no query that PostgreSQL can only
answer by reading a whole big table (issue 11). Each query the pages send is EXPLAINed with
sequential scans and whole-table joins made as expensive as possible (``enable_seqscan = off``
…): a "Seq Scan", or a read of a whole index that no LIMIT stops, that remains on a big table
means no index can serve the query.

PostgreSQL only (the suite's second run): SQLite's planner is another matter.
"""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civility.supervision.problems import permissions

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL query plans (second run)"
)
SETTINGS = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin")
BIG_TABLES = {
    "supervision_problem",
    "supervision_problem_cooperating_units",
    "supervision_problemevent",
    "supervision_photo",
    "supervision_inspection",
}


@pytest.fixture(autouse=True)
def _fresh_plan_cache():
    """Which plan a unit's list uses is cached per unit id; ids repeat across tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def spread(secretariat, inspector, liaison):
    """A few thousand problems (seed_city) so that the planner weighs tables as it would at
    scale: on three rows every plan reads whole tables because it is cheapest."""
    call_command(
        "seed_city", "--force", "--problems", "3000", "--until", "2026-11-30",
        stdout=io.StringIO(),
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def seq_scans(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        # Tiny test tables: make every plan that can avoid reading a whole table do so (hash
        # and merge joins read their inner table whole; a nested loop probes its index).
        for setting in SETTINGS:
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
        for setting in SETTINGS:
            cursor.execute(f"SET LOCAL {setting} = on")
    found = []

    def walk(node, limited):
        """A Seq Scan of a big table, or a whole-index read (no Index Cond) that no LIMIT stops
        (an ordered walk under a LIMIT is how a busy unit's page is meant to be read)."""
        kind, table = node.get("Node Type", ""), node.get("Relation Name")
        limited = limited or kind == "Limit"
        whole_index = kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node
        # A bitmap of a whole index (a covering index makes that a candidate) reads it all too.
        whole_index |= kind == "Bitmap Heap Scan" and any(
            child.get("Node Type") == "Bitmap Index Scan" and "Index Cond" not in child
            for child in node.get("Plans", [])
        )
        if table in BIG_TABLES and (kind == "Seq Scan" or (whole_index and not limited)):
            found.append(table)
        for child in node.get("Plans", []):
            walk(child, limited)

    walk(plan[0]["Plan"], False)
    return found


def scanned_tables(client, url) -> dict[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    queries = [q["sql"] for q in captured.captured_queries if "supervision_" in q["sql"]]
    assert queries, "the page read no problems?"
    return {sql[:120]: scans for sql in queries if (scans := seq_scans(sql))}


@pytest.mark.parametrize("many", [False, True], ids=["union", "walk"])
@pytest.mark.parametrize("page", ["problem_list", "home"])
def test_liaison_pages_use_indexes(client, monkeypatch, liaison, spread, many, page):
    monkeypatch.setattr(permissions, "MANY", 1 if many else 10**9)
    client.force_login(liaison)
    assert scanned_tables(client, reverse(page)) == {}


def test_explain_catches_a_query_without_an_index(db):
    """The check itself: a filter on an unindexed column is reported, and so is the old
    visibility (an OR across the cooperating-units join)."""
    sql = "SELECT id FROM supervision_problem WHERE rework_count = 7"
    assert seq_scans(sql) == ["supervision_problem"]
    old = (
        "SELECT p.id FROM supervision_problem p LEFT JOIN supervision_problem_cooperating_units c"
        " ON c.problem_id = p.id WHERE p.primary_unit_id = 1 OR c.unit_id = 1"
    )
    assert "supervision_problem" in seq_scans(old)
