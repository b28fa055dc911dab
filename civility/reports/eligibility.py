"""评先评优资格 (SPEC §6–7): which units may not be honoured in a year, and from when.

The one path for both decisions that take a unit off the 红榜 and make it ineligible in the annual
assessment: a 一票否决 (``Veto``) of the year, from the moment it was recorded, and a
取消评先评优资格 (``Accountability.Measure.DISQUALIFY``) of the year, from the start of the day it
was decided. A month that ended before the decision keeps its lists (scoring counts each month as
at its end, and a published month is read from its snapshot). Eligibility is a decision, not a
count: it is read here, never stored with the monthly facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from civility.campaign.models import Accountability
from civility.reports.models import Veto

VETO_LABEL = "一票否决"
DISQUALIFY_LABEL = "取消评先评优资格"


@dataclass(frozen=True)
class Ineligibility:
    unit_id: int
    year: int
    since: datetime  # the moment it took effect
    kind: str  # "veto" or "disqualify"
    detail: str  # the decision's own reason

    @property
    def is_veto(self) -> bool:
        return self.kind == "veto"

    @property
    def reason(self) -> str:
        """The line shown beside the unit: "一票否决：…" or "取消评先评优资格：…"."""
        return f"{VETO_LABEL if self.is_veto else DISQUALIFY_LABEL}：{self.detail}"


def decisions(hq, years: Iterable[int]) -> list[Ineligibility]:
    """Every veto and 取消评先评优资格 of ``years`` (two queries), vetoes first, then by time."""
    years = set(years)
    if not years:
        return []
    found = [
        Ineligibility(unit_id, year, at, "veto", reason)
        for unit_id, year, at, reason in Veto.objects.filter(headquarters=hq, year__in=years)
        .order_by("decided_at", "pk")
        .values_list("unit_id", "year", "decided_at", "reason")
    ]
    tz = timezone.get_current_timezone()
    found += [
        Ineligibility(
            unit_id, year, datetime.combine(day, time.min, tzinfo=tz), "disqualify", reason
        )
        for unit_id, year, day, reason in Accountability.objects.filter(
            headquarters=hq, year__in=years, measure=Accountability.Measure.DISQUALIFY
        )
        .order_by("date", "pk")
        .values_list("unit_id", "year", "date", "reason")
    ]
    return found


def in_effect(found: list[Ineligibility], year: int, at: datetime) -> dict[int, Ineligibility]:
    """{unit pk: its decision} of ``year`` in effect before ``at`` (a veto wins over a
    取消评先评优资格 of the same unit; each kind its earliest)."""
    result: dict[int, Ineligibility] = {}
    for item in found:
        if item.year != year or item.since >= at:
            continue
        current = result.get(item.unit_id)
        if current is None or (item.is_veto and not current.is_veto):
            result[item.unit_id] = item
    return result


def ineligible_units(hq, year: int, at: datetime | None = None) -> dict[int, str]:
    """{unit pk: reason} of the units not eligible for 评先评优 in ``year`` as at ``at``."""
    at = at or timezone.now()
    return {pk: item.reason for pk, item in in_effect(decisions(hq, [year]), year, at).items()}
