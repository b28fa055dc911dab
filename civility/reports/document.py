"""What a report shows, cell by cell — shared by its page, print view, .docx and .xlsx.

Everything here reads ``report.content`` (the frozen snapshot once published), so the page and
both downloads show exactly the same rows and the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from civility.reports.models import Report

DASH = "—"
CHINESE_NUMERALS = "一二三四五六七八九十"

# (key, label, unit) of the counts table under 一、总体情况.
OVERVIEW_ROWS = (
    ("inspections", "开展督查", "次"),
    ("site_visits", "检查点位", "个次"),
    ("sites", "涉及点位", "个"),
    ("found", "发现问题", "个"),
    ("found_closed", "已整改销号", "个"),
    ("found_open", "尚未办结", "个"),
    ("closure_rate", "整改完成率", "%"),
    ("closed_in_period", "本期销号（含往期问题）", "个"),
    ("due", "到期问题", "个"),
    ("due_on_time", "按期整改", "个"),
    ("on_time_rate", "按期整改率", "%"),
    ("overdue", "逾期问题", "个"),
    ("escalations", "新增督办", "件"),
)
RATE_KEYS = ("closure_rate", "on_time_rate")

RANKING_HEADERS = ("名次", "单位", "现场分", "整改分", "总分", "等次", "名次变化", "备注")
LIST_HEADERS = ("单位", "类别", "总分", "上榜原因", "同奖同罚")
PROBLEM_HEADERS = ("编号", "点位", "街道", "问题类别", "主责单位", "状态", "整改期限", "销号时间")
STREET_HEADERS = ("街道", "发现问题", "已销号")
CATEGORY_HEADERS = ("问题类别", "问题数")


def chinese_date(day: date | None) -> str:
    """2026年11月28日 (GB/T 9704 writes 成文日期 with Arabic numerals)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def number(value) -> int | float | str | None:
    """A score or rate as a number for spreadsheets ("97.6" → 97.6); None (an empty cell, never
    the dash) when there is none."""
    if value is None or value == "" or value == DASH:
        return None
    if isinstance(value, int | float):
        return value
    try:
        as_decimal = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return float(as_decimal) if "." in str(value) else int(as_decimal)


def shown(value) -> str:
    """The text a cell shows on the page and in Word (what ``number`` stores in Excel)."""
    if value is None or value == "":
        return DASH
    return str(value)


def rank_change(change: int | None) -> str:
    if not change:
        return DASH
    return f"↑{change}" if change > 0 else f"↓{-change}"


def signed(change, unit: str = "") -> str:
    if change is None:
        return DASH
    if change == 0:
        return "持平"
    return f"+{change}{unit}" if change > 0 else f"{change}{unit}"


def _rate_change(current, previous) -> str:
    if current is None or previous is None:
        return DASH
    diff = Decimal(str(current)) - Decimal(str(previous))
    return signed(diff.quantize(Decimal("0.1")), "个百分点")


@dataclass
class OverviewRow:
    key: str
    label: str
    unit: str
    value: object
    previous: object = None
    change: str = DASH

    @property
    def cells(self) -> list:
        return [self.label, shown(self.value), shown(self.previous), self.change]


def overview_rows(data: dict) -> list[OverviewRow]:
    """The counts table: this period, and (monthly) last month and the change."""
    current, previous = data.get("overview", {}), data.get("previous")
    rows = []
    for key, label, unit in OVERVIEW_ROWS:
        if key not in current:
            continue
        row = OverviewRow(key=key, label=label, unit=unit, value=current[key])
        if previous is not None and key in previous:
            row.previous = previous[key]
            if key in RATE_KEYS:
                row.change = _rate_change(current[key], previous[key])
            else:
                row.change = signed(current[key] - previous[key])
        rows.append(row)
    return rows


@dataclass
class RankingRow:
    rank: int | None
    unit: str
    field: str | None
    rectification: str | None
    total: str | None
    band: str
    change: str
    note: str
    insufficient: bool

    @property
    def trend(self) -> str:
        return {"↑": "up", "↓": "down"}.get(self.change[:1], "")

    @property
    def cells(self) -> list[str]:
        """As the page and Word show them."""
        return [
            shown(self.rank),
            self.unit,
            shown(self.field),
            shown(self.rectification),
            shown(self.total),
            shown(self.band),
            self.change,
            self.note,
        ]

    @property
    def values(self) -> list:
        """As Excel stores them (numbers as numbers)."""
        return [
            number(self.rank),
            self.unit,
            number(self.field),
            number(self.rectification),
            number(self.total),
            shown(self.band),
            self.change,
            self.note,
        ]


@dataclass
class RankingTable:
    kind: str
    label: str
    numeral: str = ""
    rows: list[RankingRow] = field(default_factory=list)
    unassessed: list[str] = field(default_factory=list)

    @property
    def unassessed_line(self) -> str:
        return f"本月未考评单位：{'、'.join(self.unassessed)}" if self.unassessed else ""


def _note(row: dict, kind: str) -> str:
    """The counts behind the scores (SPEC §6 transparency); v1 snapshots: 样本不足."""
    if "assessed" not in row:
        if not row.get("insufficient"):
            return ""
        if kind in ("street", "community"):
            return f"样本不足（检查点位{row.get('visits', 0)}个次）"
        return f"样本不足（到期问题{row.get('due', 0)}个）"
    parts = []
    if kind in ("street", "community"):
        parts.append(f"点位{row.get('visits', 0)}个次，不合格项{row.get('items_failed', 0)}")
    parts.append(
        f"到期{row.get('due', 0)}个，按期办结{row.get('on_time', 0)}个，"
        f"退回{row.get('returned', 0)}次，督办{row.get('escalated', 0)}件"
    )
    if row.get("total_note"):
        parts.append(row["total_note"])
    return "；".join(parts)


def ranking_remark(data: dict) -> str:
    """The rules under the ranking tables, as the month was scored (v1 snapshots: v1 rules)."""
    rules = data.get("scoring") or {}
    if rules.get("version") != 2:
        return (
            "说明：块单位总分＝现场分×0.9＋整改分×0.1，部门总分＝整改分；"
            "样本不足的单位参与排名，但不列入红黑榜。"
        )
    field_weight = rules.get("field_weight", "0.70")
    rectification_weight = rules.get("rectification_weight", "0.30")
    return (
        f"说明：街道、社区总分＝现场分×{field_weight}＋整改分×{rectification_weight}"
        "（一项未考评时按另一项计），其他单位总分＝整改分。现场分为点位测评得分率的平均；"
        "整改分＝100×按期办结率－20×返工率－30×督办率。"
        f"点位少于{rules.get('min_site_visits', 3)}个次无现场分，"
        f"到期问题少于{rules.get('min_problems_due', 3)}个无整改分，两者皆无为未考评，"
        "不排名、不评等次、不按分数列入红黑榜。"
    )


def ranking_tables(data: dict) -> list[RankingTable]:
    tables = []
    for index, ranking in enumerate(data.get("rankings", [])):
        table = RankingTable(
            kind=ranking["kind"],
            label=ranking["label"],
            numeral=CHINESE_NUMERALS[index],
            unassessed=[u["unit"] for u in ranking.get("unassessed", [])],
        )
        for row in ranking["rows"]:
            table.rows.append(
                RankingRow(
                    rank=row.get("rank"),
                    unit=row["unit"],
                    field=row.get("field"),
                    rectification=row.get("rectification"),
                    total=row.get("total"),
                    band=row.get("band") or "",
                    change=rank_change(row.get("rank_change")),
                    note=_note(row, ranking["kind"]),
                    insufficient=bool(row.get("insufficient")),
                )
            )
        tables.append(table)
    return tables


def list_cells(entry: dict) -> list[str]:
    """One 红榜/黑榜 entry: unit, kind, total, reasons, 同奖同罚 partners."""
    return [
        entry["unit"],
        entry.get("kind", ""),
        shown(entry.get("total")),
        "；".join(entry.get("reasons", [])),
        "；".join(entry.get("partners", [])) or DASH,
    ]


def problem_cells(row: dict) -> list[str]:
    return [
        row["number"],
        row["site"],
        row["street"],
        row["category"],
        row.get("unit") or DASH,
        row["status"],
        row.get("deadline") or DASH,
        row.get("closed_at") or DASH,
    ]


def street_cells(row: dict) -> list:
    return [row.get("name") or DASH, row["count"], row.get("closed", 0)]


def category_cells(row: dict) -> list:
    return [row.get("name") or DASH, row["count"]]


def issued_on(report: Report) -> date | None:
    """成文日期: the day it was published (local time); None for a draft."""
    content = report.content
    stamp = content.get("published_at")
    if stamp:
        return datetime.fromisoformat(stamp).date()
    if report.published_at:
        return timezone.localtime(report.published_at).date()
    return None


def issuer(report: Report) -> str:
    return report.content.get("issuer") or report.headquarters.name


def typical_photo_ids(report: Report) -> set[int]:
    """Photos a report may show: the before/after photos of its typical cases."""
    ids: set[int] = set()
    for case in report.content.get("data", {}).get("typical", []):
        ids.update(case.get("before_photos", []))
        ids.update(case.get("after_photos", []))
    return ids


def filename(report: Report, extension: str) -> str:
    """湖创指〔2026〕3号.docx, or the period for a draft or a weekly report."""
    content = report.content
    if report.kind == Report.Kind.MONTHLY and content.get("number"):
        stem = content["number"]
    else:
        stem = f"{report.get_kind_display()}{report.period}"
        if report.is_draft:
            stem += "（草稿）"
    return f"{stem}.{extension}"
