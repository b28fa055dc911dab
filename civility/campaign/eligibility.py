"""评先评优资格 (SPEC §6–7): who may not be honoured in a year, and from when.

``ineligible_units`` is what scoring calls to keep such units off the 红榜 and mark them not
eligible in the annual assessment: a 一票否决 of that year, or a 取消评先评优资格 of that year, each
from the moment it was decided (a month's 红榜 compiled before it stays as it was).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from civility.campaign.models import Accountability
from civility.reports.models import Veto


def ineligible_units(hq, year: int, at: datetime | None = None) -> dict[int, str]:
    """{unit pk: reason} of the units not eligible for 评先评优 in ``year`` as at ``at``."""
    at = at or timezone.now()
    reasons: dict[int, str] = {}
    vetoes = Veto.objects.filter(headquarters=hq, year=year, decided_at__lte=at).order_by("pk")
    for unit_id, reason in vetoes.values_list("unit_id", "reason"):
        reasons[unit_id] = f"一票否决：{reason}"
    records = Accountability.objects.filter(
        headquarters=hq,
        year=year,
        measure=Accountability.Measure.DISQUALIFY,
        date__lte=timezone.localdate(at),
    ).order_by("date", "pk")
    for unit_id, reason in records.values_list("unit_id", "reason"):
        reasons.setdefault(unit_id, f"取消评先评优资格：{reason}")
    return reasons
