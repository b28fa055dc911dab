"""The figures of drives' problems as at a moment, counted by the database (the 通报's 六、drive
lines, ``levers.drive_lines``).

What ``asof.states`` replays row by row in Python, one query does here for every drive at once:
each problem of the drives' families replayed as at ``moment`` (its last status, 销号 time and
deadline before it, exactly as ``asof`` reads them) and counted per family — found, found in the
period, closed, closed by the deadline, open past the deadline, 回潮, sites with nothing left
unresolved. A family is a drive with every drive below it; a problem of a sub-drive counts in the
sub-drive's family and in its parent's, so the families are joined as (family, member) pairs.

Deadlines are compared as times: an event's deadline is an ISO string in its JSON data, which
SQLite reads with ``julianday`` (to the millisecond) and PostgreSQL casts to ``timestamptz``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from civility.core.periods import Period
from civility.supervision.problems.models import Problem

Status = Problem.Status
KEYS = ("found", "found_in_period", "closed", "on_time", "overdue", "recurring", "sites_cleared")

LAST = """(SELECT {value} FROM supervision_problemevent e
    WHERE e.problem_id = p.id AND e.at < %(moment)s {extra}
    ORDER BY e.at DESC, e.id DESC LIMIT 1)"""
# Each problem as at the moment: the event columns are read once per problem (a materialised
# table), then counted; a problem without any event keeps its present state (as in ``asof``).
FAMILY_SQL = """
WITH replayed AS MATERIALIZED (
    SELECT p.drive_id, p.site_id, p.reported_at, p.recurrence_of_id, p.status AS present,
           p.deadline AS present_deadline, p.closed_at AS present_closed,
           {status} AS then_status, {closed} AS then_closed, {deadline} AS then_deadline
    FROM supervision_problem p
    WHERE p.headquarters_id = %(hq)s AND p.reported_at < %(moment)s AND p.drive_id IN ({drives})
), states AS MATERIALIZED (
    SELECT r.drive_id, r.site_id, r.reported_at, r.recurrence_of_id,
           COALESCE(r.then_status, r.present) AS status,
           CASE WHEN r.then_status IS NULL THEN {t_present_closed}
                WHEN r.then_status = 'closed' THEN {t_then_closed} END AS closed,
           CASE WHEN r.then_status IS NULL THEN {t_present_deadline}
                ELSE COALESCE({t_then_deadline}, CASE WHEN r.then_status <> 'reported'
                                                       THEN {t_present_deadline} END) END
               AS deadline
    FROM replayed r
)
SELECT f.column1,
       COUNT(*),
       SUM(CASE WHEN s.reported_at >= %(start)s THEN 1 ELSE 0 END),
       SUM(CASE WHEN s.status = 'closed' THEN 1 ELSE 0 END),
       SUM(CASE WHEN s.status = 'closed' AND s.deadline IS NOT NULL AND s.closed <= s.deadline
                THEN 1 ELSE 0 END),
       SUM(CASE WHEN s.status IN ({open}) AND s.deadline < {t_moment} THEN 1 ELSE 0 END),
       SUM(CASE WHEN s.recurrence_of_id IS NOT NULL THEN 1 ELSE 0 END),
       COUNT(DISTINCT s.site_id)
           - COUNT(DISTINCT CASE WHEN s.status IN ({unresolved}) THEN s.site_id END)
FROM states s JOIN (VALUES {pairs}) f ON f.column2 = s.drive_id
WHERE s.status <> 'void'
GROUP BY f.column1
"""


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _sql(drives: int, pairs: int) -> str:
    if connection.vendor == "postgresql":
        deadline = "e.data ->> 'deadline'", "AND e.data ? 'deadline'"

        def time(value: str) -> str:
            return f"NULLIF({value}, '')::timestamptz"

        def column(value: str) -> str:
            return value
    else:
        deadline = (
            "json_extract(e.data, '$.deadline')",
            "AND json_type(e.data, '$.deadline') IS NOT NULL",
        )

        def time(value: str) -> str:
            return f"julianday(NULLIF({value}, ''))"

        column = time
    return FAMILY_SQL.format(
        status=LAST.format(value="e.to_status", extra=""),
        closed=LAST.format(value="e.at", extra="AND e.action = 'approve'"),
        deadline=LAST.format(value=deadline[0], extra=deadline[1]),
        drives=", ".join(f"%(d{i})s" for i in range(drives)),
        pairs=", ".join(f"(%(f{i})s, %(m{i})s)" for i in range(pairs)),
        t_present_closed=column("r.present_closed"),
        t_then_closed=column("r.then_closed"),
        t_present_deadline=column("r.present_deadline"),
        t_then_deadline=time("r.then_deadline"),
        t_moment=column("%(moment)s"),
        open=_quoted(Problem.OPEN_STATUSES),
        unresolved=_quoted([Status.REPORTED, *Problem.OPEN_STATUSES]),
    )


def family_figures(
    headquarters, families: dict[int, list[int]], period: Period, moment: datetime
) -> dict[int, dict[str, int]]:
    """{family pk: its counts (``KEYS``)} of the problems of each family (the drive pks in
    ``families[pk]``) as at ``moment``, void ones left out: one query whatever the drives."""
    result = {pk: dict.fromkeys(KEYS, 0) for pk in families}
    pairs = [(pk, member) for pk, members in families.items() for member in sorted(set(members))]
    if not pairs:
        return result
    members = sorted({member for _, member in pairs})
    adapt = connection.ops.adapt_datetimefield_value
    params = {"hq": headquarters.pk, "start": adapt(period.start), "moment": adapt(moment)}
    params.update((f"d{i}", pk) for i, pk in enumerate(members))
    for i, (family, member) in enumerate(pairs):
        params[f"f{i}"], params[f"m{i}"] = family, member
    with connection.cursor() as cursor:
        cursor.execute(_sql(len(members), len(pairs)), params)
        for family, *counts in cursor.fetchall():
            result[family] = dict(zip(KEYS, (int(n or 0) for n in counts), strict=True))
    return result
