"""全民参与 in the monthly 通报 and on the dashboard (SPEC §7): the representatives' 建议意见
(received, replied, replies by their deadline, ratings) and the activities of each series
(activities, participants, volunteers, volunteer hours), from ``participation.figures``.

Both are computed as at the period's end (the figures read events and entries made before it), so
compiling an ended month again gives the same numbers; the values are plain JSON (numbers as
strings with one decimal) because they are stored in the report's data and frozen on publish.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from civility.core.periods import Period
from civility.participation.figures import activity_figures, suggestion_figures

SUGGESTION_KEYS = (
    "received",
    "converted",
    "assigned",
    "replied",
    "unit_replies",
    "on_time",
    "closed",
    "rated",
    "satisfied",
    "basic",
    "unsatisfied",
    "overdue_replies",
)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _hours(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.1")))


def participation_data(headquarters, period: Period, *, now: datetime | None = None) -> dict:
    """The period's 建议意见 and activities as stored in a report's data (six queries). A
    period still running is counted as at ``now`` (a reply is overdue only once its deadline
    has passed)."""
    moment = min(period.end, now) if now is not None else period.end
    s = suggestion_figures(headquarters, period.start, moment)
    a = activity_figures(headquarters, period.start, period.end)
    return {
        "suggestions": {
            **{key: s[key] for key in SUGGESTION_KEYS},
            "on_time_rate": _text(s["on_time_rate"]),
            "satisfaction_rate": _text(s["satisfaction_rate"]),
        },
        "activities": {
            "activities": a["activities"],
            "participants": a["participants"],
            "volunteers": a["volunteers"],
            "volunteer_hours": _hours(a["volunteer_hours"]),
            "units": a["units"],
            "series": [
                {
                    "name": row["name"],
                    "activities": row["activities"],
                    "participants": row["participants"],
                    "volunteers": row["volunteers"],
                    "volunteer_hours": _hours(row["volunteer_hours"]),
                }
                for row in a["series"]
            ],
        },
    }


def suggestion_line(s: dict, when: str = "本月") -> str:
    """One sentence of a period's 建议意见 (the 通报 and the dashboard say the same)."""
    text = (
        f"{when}收到人大代表、政协委员建议意见{s['received']}件，转为问题交办{s['converted']}件，"
        f"交责任单位答复{s['assigned']}件；答复{s['replied']}件"
    )
    if s["unit_replies"]:
        text += (
            f"，其中责任单位答复{s['unit_replies']}件、按期{s['on_time']}件"
            f"（按期答复率{s['on_time_rate']}%）"
        )
    text += f"；转办问题全部办结{s['closed']}件。"
    if s["rated"]:
        text += (
            f"代表委员评价{s['rated']}件：满意{s['satisfied']}件，基本满意{s['basic']}件，"
            f"不满意{s['unsatisfied']}件（已退回重新办理），满意率{s['satisfaction_rate']}%。"
        )
    else:
        text += f"{when}无代表委员评价。"
    if s["overdue_replies"]:
        text += f"截至{when}末，逾期未答复{s['overdue_replies']}件。"
    return text


def activity_line(a: dict, when: str = "本月") -> str:
    if not a["activities"]:
        return f"{when}各单位未填报全民参与活动。"
    return (
        f"{when}{a['units']}个单位组织全民参与活动{a['activities']}项，参与群众{a['participants']}"
        f"人次，其中志愿者{a['volunteers']}人次、志愿服务{a['volunteer_hours']}小时。"
    )
