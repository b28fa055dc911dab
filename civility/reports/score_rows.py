"""A month's scores as a bulletin keeps them (SPEC §6): every ranking row with the counts behind
its score, the 红榜/黑榜 entries with their reasons, and the rules the month was scored by.

Published with the bulletin, these rows are the month's final figures: the annual assessment
and the dashboard's trend read the totals back from them (``civility.reports.annual``).
"""

from __future__ import annotations

from civility.reports import scoring


def _dec(value) -> str | None:
    return None if value is None else str(scoring.q1(value))


def score_row(row: scoring.UnitScore) -> dict:
    """A ranking row with every count behind it."""
    return {
        "unit_id": row.unit_id,
        "unit": row.name,
        "rank": row.rank,
        "field": _dec(row.field_score),
        "rectification": _dec(row.rectification),
        "total": _dec(row.total),
        "total_note": row.total_note,
        "band": row.band,
        "assessed": row.assessed,
        "insufficient": False,
        "visits": row.visits,
        "items_failed": row.items_failed,
        "due": row.due,
        "on_time": row.on_time,
        "submitted": row.submitted,
        "returned": row.returned,
        "escalated": row.escalated,
        "open": row.open,
        "on_time_rate": scoring.percent(row.on_time_rate),
        "rework_rate": scoring.percent(row.rework_rate),
        "escalation_rate": scoring.percent(row.escalation_rate),
        "rank_change": row.rank_change,
    }


def list_row(row: scoring.UnitScore, reasons: list[str]) -> dict:
    """A 红榜 or 黑榜 entry: the unit, its total, the reasons and its 同奖同罚 partners."""
    return {
        "unit_id": row.unit_id,
        "unit": row.name,
        "kind": row.kind_label,
        "total": _dec(row.total),
        "reasons": reasons,
        "partners": row.partners,
    }


def rankings(scores: scoring.MonthlyScores) -> dict:
    """{"rankings": one table per unit kind (assessed rows and the 未考评 units),
    "red_list", "black_list"}."""
    return {
        "rankings": [
            {
                "kind": kind,
                "label": label,
                "rows": [score_row(row) for row in rows],
                "unassessed": [
                    {"unit_id": u.unit_id, "unit": u.name} for u in scores.unassessed(kind)
                ],
            }
            for kind, label, rows in scores.kinds
        ],
        "red_list": [list_row(u, u.red_reasons) for u in scores.red_list],
        "black_list": [list_row(u, u.black_reasons) for u in scores.black_list],
    }


def rules(scores: scoring.MonthlyScores) -> dict:
    """The rules the month was scored by, for the document's remark."""
    policy = scores.policy
    return {
        "version": 2,
        "running": scores.running,
        "field_weight": str(policy.field_weight),
        "rectification_weight": str(policy.rectification_weight),
        "min_site_visits": policy.min_site_visits,
        "min_problems_due": policy.min_problems_due,
    }
