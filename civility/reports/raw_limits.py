"""The limits ``manage.py benchmark`` measures compiling and scoring against: the raw SQL of the
same work, written as plain SQL and run with nothing in Python but fetching the rows.

- ``raw_month``: the aggregate behind a month's (or a year's) scores.
- ``raw_document``: a month's whole 通报 (``document_queries``) — the rows every section reads.
"""

from django.db import connection
from django.utils import timezone

from civility.core.periods import Period

MONTH_SQL = """
SELECT p.primary_unit_id,
       SUM(CASE WHEN p.deadline >= %(start)s AND p.deadline < %(end)s AND p.deadline < %(now)s
                THEN 1 ELSE 0 END) AS due,
       SUM(CASE WHEN p.deadline >= %(start)s AND p.deadline < %(end)s AND p.status = 'closed'
                AND p.closed_at <= p.deadline THEN 1 ELSE 0 END) AS on_time,
       SUM(CASE WHEN p.reported_at >= %(start)s AND p.reported_at < %(end)s THEN 1 ELSE 0 END)
           AS found
FROM supervision_problem p
WHERE p.headquarters_id = %(hq)s AND p.primary_unit_id IS NOT NULL
  AND ((p.deadline >= %(start)s AND p.deadline < %(end)s)
       OR (p.reported_at >= %(start)s AND p.reported_at < %(end)s))
GROUP BY p.primary_unit_id
"""
EVENTS_SQL = """
SELECT p.primary_unit_id, e.action, COUNT(*)
FROM supervision_problemevent e JOIN supervision_problem p ON p.id = e.problem_id
WHERE p.headquarters_id = %(hq)s AND e.at >= %(start)s AND e.at < %(end)s
  AND e.action IN ('submit', 'return', 'escalate')
GROUP BY p.primary_unit_id, e.action
"""


# The month's document in raw SQL: every problem it can mention (found, due, open at the end or
# touched in the month) as it stood at the month's end — the last status, 销号 time, deadline
# and unit before the end, the 督办 and 退回 before it — with the names its annex prints and
# its site, category and 回潮 link (五's 回潮 lines per site and category, and its rates per unit
# at the end and per category, are counted over these same rows: the month's found problems);
# the month's 督办 and 销号 events; its inspections and site visits. The same replay and the same
# rows as ``figures.PeriodFigures``, without Python. Then what the sections beyond the counts
# print: the drives running in the month with their sub-drives and targets (DRIVES_SQL,
# TARGETS_SQL) and each one's figures as at the end (DRIVE_FIGURES_SQL);
# the month's 建议意见 as at the end (SUGGESTIONS_SQL, SUGGESTION_EVENTS_SQL,
# OVERDUE_REPLIES_SQL) and its activities (ACTIVITIES_SQL, SERIES_SQL).
LAST_BEFORE = """(SELECT {value} FROM supervision_problemevent e
    WHERE e.problem_id = p.id AND e.at < %(moment)s {extra}
    ORDER BY e.at DESC, e.id DESC LIMIT 1)"""
COUNT_BEFORE = """(SELECT COUNT(*) FROM supervision_problemevent e
    WHERE e.problem_id = p.id AND e.at < %(moment)s AND e.action = '{action}')"""
DOCUMENT_SQL = """
SELECT p.id, p.number, s.name, st.name, c.name, u.name, u.kind, p.reported_at, p.deadline,
       p.closed_at, p.status, p.deduction, p.description, p.primary_unit_id, s.street_id,
       p.site_id, p.category_id, p.recurrence_of_id,
       {status}, {approved}, {deadline}, {unit}, {escalations}, {reworks}
FROM supervision_problem p
JOIN org_site s ON s.id = p.site_id
LEFT JOIN org_unit st ON st.id = s.street_id
JOIN org_problemcategory c ON c.id = p.category_id
LEFT JOIN org_unit u ON u.id = p.primary_unit_id
WHERE p.headquarters_id = %(hq)s AND p.reported_at < %(moment)s
  AND (p.reported_at >= %(start)s OR p.deadline >= %(start)s
       OR NOT EXISTS (SELECT 1 FROM supervision_problemevent e WHERE e.problem_id = p.id
                      AND e.at < %(moment)s AND e.action IN ('approve', 'void'))
       OR EXISTS (SELECT 1 FROM supervision_problemevent e WHERE e.problem_id = p.id
                  AND e.at >= %(start)s AND e.at < %(moment)s))
ORDER BY p.reported_at, p.id
"""
PERIOD_EVENTS_SQL = """
SELECT e.problem_id, e.action FROM supervision_problemevent e
JOIN supervision_problem p ON p.id = e.problem_id
WHERE p.headquarters_id = %(hq)s AND e.at >= %(start)s AND e.at < %(moment)s
  AND e.action IN ('escalate', 'approve')
"""
VISITS_SQL = """
SELECT COUNT(DISTINCT i.id), COUNT(v.id), COUNT(DISTINCT v.site_id)
FROM supervision_inspection i LEFT JOIN supervision_inspection_sites v ON v.inspection_id = i.id
WHERE i.headquarters_id = %(hq)s AND i.status = 'submitted' AND i.date >= %(first)s
  AND i.date <= %(last)s AND (i.submitted_at < %(moment)s OR i.submitted_at IS NULL)
"""


# 六、drives: the top-level drives running in the month and their sub-drives, their targets.
RUNNING = """SELECT d.id FROM supervision_drive d WHERE d.headquarters_id = %(hq)s
    AND d.parent_id IS NULL AND d.start_date <= %(last)s AND d.end_date >= %(first)s"""
DRIVES_SQL = f"""
SELECT d.id, d.name, d.kind, d.parent_id, d.start_date, d.end_date FROM supervision_drive d
WHERE d.id IN ({RUNNING}) OR d.parent_id IN ({RUNNING})
"""
TARGETS_SQL = f"""
SELECT t.drive_id, t.label, t.metric, t.value FROM supervision_drivetarget t
WHERE t.drive_id IN ({RUNNING}) ORDER BY t.drive_id, t."order", t.id
"""
# Each of those drives' families (itself and every drive below it): its problems as they stood
# at the end (last status, 销号 time and deadline before it), counted — found, found in the
# month, closed, closed by the deadline, open past it, 回潮, sites with nothing unresolved.
DRIVE_FIGURES_SQL = f"""
WITH RECURSIVE shown(id) AS (
    SELECT d.id FROM supervision_drive d WHERE d.id IN ({RUNNING}) OR d.parent_id IN ({RUNNING})
), family(root, member) AS (
    SELECT id, id FROM shown
    UNION ALL
    SELECT f.root, d.id FROM supervision_drive d JOIN family f ON d.parent_id = f.member
), replayed AS MATERIALIZED (
    SELECT p.drive_id, p.site_id, p.reported_at, p.recurrence_of_id, p.status AS present,
           p.deadline AS present_deadline, p.closed_at AS present_closed,
           {{status}} AS then_status, {{closed}} AS then_closed, {{deadline}} AS then_deadline
    FROM supervision_problem p
    WHERE p.headquarters_id = %(hq)s AND p.reported_at < %(moment)s
      AND p.drive_id IN (SELECT member FROM family)
), states AS MATERIALIZED (
    SELECT r.drive_id, r.site_id, r.reported_at, r.recurrence_of_id,
           COALESCE(r.then_status, r.present) AS status,
           CASE WHEN r.then_status IS NULL THEN {{time_present_closed}}
                WHEN r.then_status = 'closed' THEN {{time_then_closed}} END AS closed,
           CASE WHEN r.then_status IS NULL THEN {{time_present_deadline}}
                ELSE COALESCE({{time_then_deadline}}, CASE WHEN r.then_status <> 'reported'
                                                         THEN {{time_present_deadline}} END) END
               AS deadline
    FROM replayed r
)
SELECT f.root, COUNT(*),
       SUM(CASE WHEN s.reported_at >= %(start)s THEN 1 ELSE 0 END),
       SUM(CASE WHEN s.status = 'closed' THEN 1 ELSE 0 END),
       SUM(CASE WHEN s.status = 'closed' AND s.closed <= s.deadline THEN 1 ELSE 0 END),
       SUM(CASE WHEN s.status IN ('assigned', 'disputed', 'submitted')
                AND s.deadline < {{time_moment}} THEN 1 ELSE 0 END),
       SUM(CASE WHEN s.recurrence_of_id IS NOT NULL THEN 1 ELSE 0 END),
       COUNT(DISTINCT s.site_id) - COUNT(DISTINCT CASE
           WHEN s.status IN ('reported', 'assigned', 'disputed', 'submitted') THEN s.site_id END)
FROM states s JOIN family f ON f.member = s.drive_id
WHERE s.status <> 'void'
GROUP BY f.root
"""
# 七、全民参与: the month's 建议意见 (received; handled, replied — by the deadline or not —,
# closed and rated in it; replies waited for past their deadline at its end) and activities
# (held in it and entered by its end: totals, organising units, per series).
SUGGESTIONS_SQL = """
SELECT COUNT(*) FROM participation_suggestion s
WHERE s.headquarters_id = %(hq)s AND s.submitted_at >= %(start)s AND s.submitted_at < %(moment)s
"""
SUGGESTION_EVENTS_SQL = """
SELECT e.action, COUNT(*), SUM(CASE WHEN {on_time} THEN 1 ELSE 0 END)
FROM participation_suggestionevent e
JOIN participation_suggestion s ON s.id = e.suggestion_id
WHERE s.headquarters_id = %(hq)s AND e.at >= %(start)s AND e.at < %(moment)s
GROUP BY e.action
"""
LAST_ASSIGN = """(SELECT {value} FROM participation_suggestionevent e
    WHERE e.suggestion_id = s.id AND e.action = 'assign' AND e.at < %(moment)s
    ORDER BY e.at DESC, e.id DESC LIMIT 1)"""
OVERDUE_REPLIES_SQL = """
SELECT COUNT(*) FROM (
    SELECT s.id, {assigned} AS assigned, {deadline} AS deadline
    FROM participation_suggestion s WHERE s.headquarters_id = %(hq)s
) w
WHERE w.assigned IS NOT NULL AND w.deadline < %(last_day)s
  AND NOT EXISTS (SELECT 1 FROM participation_suggestionevent e WHERE e.suggestion_id = w.id
                  AND e.action = 'reply' AND e.at >= w.assigned AND e.at < %(moment)s)
"""
HELD = """a.headquarters_id = %(hq)s AND a.date >= %(first)s AND a.date <= %(last)s
    AND a.created_at < %(end)s"""
ACTIVITIES_SQL = f"""
SELECT COUNT(*), COALESCE(SUM(a.participants), 0), COALESCE(SUM(a.volunteers), 0),
       COALESCE(SUM(a.volunteer_hours), 0), COUNT(DISTINCT a.organiser_id)
FROM participation_activity a WHERE {HELD}
"""
SERIES_SQL = f"""
SELECT r.name, COUNT(a.id), COALESCE(SUM(a.participants), 0), COALESCE(SUM(a.volunteers), 0),
       COALESCE(SUM(a.volunteer_hours), 0)
FROM participation_activityseries r LEFT JOIN participation_activity a
    ON a.series_id = r.id AND {HELD}
WHERE r.headquarters_id = %(hq)s
GROUP BY r.id, r.name, r.active, r."order"
HAVING r.active OR COUNT(a.id) > 0
ORDER BY r."order", r.id
"""


def _vendor() -> dict[str, str]:
    """The pieces of SQL that differ: reading a JSON key, comparing an ISO time string."""
    if connection.vendor == "postgresql":
        return {
            "value": "e.data ->> '{0}'",
            "has": "AND e.data ? '{0}'",
            "time": "NULLIF({0}, '')::timestamptz",
            "column": "{0}",
            "on_time": "e.action = 'reply' AND e.data -> 'on_time' = 'true'::jsonb",
        }
    return {
        "value": "json_extract(e.data, '$.{0}')",
        "has": "AND json_type(e.data, '$.{0}') IS NOT NULL",
        "time": "julianday(NULLIF({0}, ''))",
        "column": "julianday({0})",
        "on_time": "e.action = 'reply' AND json_extract(e.data, '$.on_time') = 1",
    }


def _document_sql() -> str:
    v = _vendor()
    return DOCUMENT_SQL.format(
        status=LAST_BEFORE.format(value="e.to_status", extra=""),
        approved=LAST_BEFORE.format(value="e.at", extra="AND e.action = 'approve'"),
        deadline=LAST_BEFORE.format(
            value=v["value"].format("deadline"), extra=v["has"].format("deadline")
        ),
        unit=LAST_BEFORE.format(
            value=v["value"].format("unit_id"), extra=v["has"].format("unit_id")
        ),
        escalations=COUNT_BEFORE.format(action="escalate"),
        reworks=COUNT_BEFORE.format(action="return"),
    )


def drive_figures_sql() -> str:
    v = _vendor()
    return DRIVE_FIGURES_SQL.format(
        status=LAST_BEFORE.format(value="e.to_status", extra=""),
        closed=LAST_BEFORE.format(value="e.at", extra="AND e.action = 'approve'"),
        deadline=LAST_BEFORE.format(
            value=v["value"].format("deadline"), extra=v["has"].format("deadline")
        ),
        time_present_closed=v["column"].format("r.present_closed"),
        time_then_closed=v["column"].format("r.then_closed"),
        time_present_deadline=v["column"].format("r.present_deadline"),
        time_then_deadline=v["time"].format("r.then_deadline"),
        time_moment=v["column"].format("%(moment)s"),
    )


def _overdue_replies_sql() -> str:
    v = _vendor()
    return OVERDUE_REPLIES_SQL.format(
        assigned=LAST_ASSIGN.format(value="e.at"),
        deadline=LAST_ASSIGN.format(value=v["value"].format("deadline")),
    )


def document_queries() -> list[str]:
    """The raw SQL of a month's document, in the order ``raw_document`` runs it."""
    return [
        _document_sql(), PERIOD_EVENTS_SQL, VISITS_SQL, DRIVES_SQL,
        TARGETS_SQL, drive_figures_sql(), SUGGESTIONS_SQL,
        SUGGESTION_EVENTS_SQL.format(on_time=_vendor()["on_time"]), _overdue_replies_sql(),
        ACTIVITIES_SQL, SERIES_SQL,
    ]  # fmt: skip


def raw_document(hq, period: Period) -> None:
    """The raw SQL of a month's document (see DOCUMENT_SQL): the limit of compiling it."""
    moment = min(period.end, timezone.now())
    adapt = connection.ops.adapt_datetimefield_value  # times as the database stores them
    params = {
        "hq": hq.pk, "start": adapt(period.start), "moment": adapt(moment),
        "end": adapt(period.end), "first": period.first, "last": period.last,
        "last_day": f"{timezone.localtime(moment).date():%Y-%m-%d}",
    }  # fmt: skip
    with connection.cursor() as cursor:
        for sql in document_queries():
            cursor.execute(sql, params)
            cursor.fetchall()


def raw_month(hq, start, end) -> None:
    """The raw SQL aggregate behind a month's figures: per unit, what fell due and was closed on
    time, what was found, and the month's 提交/退回/督办 events."""
    adapt = connection.ops.adapt_datetimefield_value  # times as the database stores them
    params = {
        "hq": hq.pk, "start": adapt(start), "end": adapt(end), "now": adapt(timezone.now()),
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(MONTH_SQL, params)
        cursor.fetchall()
        cursor.execute(EVENTS_SQL, params)
        cursor.fetchall()
