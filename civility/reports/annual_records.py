"""What the annual assessment shows beside each unit's score (SPEC §7, issue 12): its 问责 records
of the year and its honours with their status (文明荣誉称号动态管理). Two queries whatever the
number of units, records and honours; ``line`` is the text the page and the export share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from civility.campaign.models import Accountability, Honour


@dataclass
class UnitLevers:
    records: list[Accountability] = field(default_factory=list)
    honours: list[Honour] = field(default_factory=list)

    @property
    def record_lines(self) -> list[str]:
        """ "3月20日 约谈（张三）：两次列入黑榜" per record, oldest first."""
        return [
            f"{r.date.month}月{r.date.day}日 {r.get_measure_display()}"
            + (f"（{r.person_name}）" if r.person_name else "")
            + f"：{r.reason}"
            for r in self.records
        ]

    @property
    def honour_lines(self) -> list[str]:
        """ "市级文明单位（2007年，黄牌警告）" per honour."""
        return [
            f"{h.display_title}（{h.year_awarded}年，{h.get_status_display()}）"
            for h in self.honours
        ]


def levers_by_unit(hq, year: int, unit_ids: Iterable[int]) -> dict[int, UnitLevers]:
    """{unit pk: its records of ``year`` and the honours it was awarded by then}."""
    unit_ids = list(unit_ids)
    result = {pk: UnitLevers() for pk in unit_ids}
    records = Accountability.objects.filter(
        headquarters=hq, year=year, unit_id__in=unit_ids
    ).order_by("date", "id")
    for record in records:
        result[record.unit_id].records.append(record)
    honours = Honour.objects.filter(
        headquarters=hq, unit_id__in=unit_ids, year_awarded__lte=year
    ).order_by("-year_awarded", "kind", "id")
    for honour in honours:
        result[honour.unit_id].honours.append(honour)
    return result
