"""The .xlsx of a report: one sheet per table of the page, same rows, numbers as numbers
(written by ``civility.core.exports``, like every other download)."""

from __future__ import annotations

from civility.core.exports import Sheet, xlsx_content
from civility.reports import document as doc
from civility.reports.models import Report


def _overview(data: dict, monthly: bool) -> Sheet:
    rows = doc.overview_rows(data)
    if monthly:
        return Sheet(
            "总体情况",
            ("指标", "本月", "上月", "变化"),
            [[r.label, doc.number(r.value), doc.number(r.previous), r.change] for r in rows],
        )
    return Sheet("总体情况", ("指标", "本周"), [[r.label, doc.number(r.value)] for r in rows])


def _commentary(data: dict) -> Sheet:
    rows = []
    for item in data.get("commentary", []):
        replies = "；".join(
            f"{r['unit']}：{r['reply']}" if r.get("reply") else f"{r['unit']}：未回复"
            for r in item.get("replies", [])
            if r.get("reply") or item.get("needs_reply")
        )
        rows.append(
            [
                item["date"],
                item["kind"],
                item["tone"],
                item["title"],
                item["author"],
                "、".join(item.get("units", [])),
                replies,
            ]
        )
    return Sheet("点评", ("日期", "方式", "性质", "标题", "点评领导", "被点评单位", "回复"), rows)


def _monthly(data: dict) -> list[Sheet]:
    sheets = [
        _overview(data, monthly=True),
        *(
            Sheet(table.label, doc.RANKING_HEADERS, [row.values for row in table.rows])
            for table in doc.ranking_tables(data)
        ),
    ]
    for key, title in (("red_list", "红榜"), ("black_list", "黑榜")):
        rows = [doc.list_cells(entry) for entry in data.get(key, [])]
        for row in rows:
            row[2] = doc.number(row[2])
        sheets.append(Sheet(title, doc.LIST_HEADERS, rows))
    if "teams" in data:
        sheets.append(
            Sheet(
                "督查组",
                ("督查组", "督查次数", "检查点位（个次）", "涉及街道", "发现问题"),
                [
                    [
                        t["team"],
                        t["inspections"],
                        t["site_visits"],
                        "、".join(t["streets"]),
                        t["found"],
                    ]
                    for t in data["teams"]
                ],
            )
        )
        sheets.append(_commentary(data))
    if "units_named" in data:
        sheets.append(
            Sheet(
                "逾期和督办单位",
                ("单位", "类别", "逾期未办结", "本月被督办", "问题编号"),
                [
                    [u["unit"], u["kind"], u["overdue"], u["escalated"], "、".join(u["numbers"])]
                    for u in data["units_named"]
                ],
            )
        )
    sheets.append(
        Sheet(
            "问题类别",
            doc.CATEGORY_HEADERS,
            [doc.category_cells(r) for r in data.get("top_categories", [])],
        )
    )
    if data.get("recurrences"):
        sheets.append(
            Sheet(
                "回潮点位",
                ("点位", "街道", "问题类别", "回潮次数"),
                [[r["site"], r["street"], r["category"], r["count"]] for r in data["recurrences"]],
            )
        )
    if data.get("recurrence_rates", {}).get("units"):
        sheets.append(
            Sheet(
                "回潮率",
                ("单位", "本月发现", "回潮", "回潮率（%）"),
                [
                    [u["unit"], u["found"], u["recurring"], doc.number(u["rate"])]
                    for u in data["recurrence_rates"]["units"]
                ],
            )
        )
    sheets += _participation(data)
    sheets += _drives(data, "本月")
    sheets.append(
        Sheet(
            "问题清单",
            doc.PROBLEM_HEADERS,
            [doc.problem_cells(r) for r in data.get("problems", [])],
        )
    )
    return sheets


def _participation(data: dict) -> list[Sheet]:
    """The 全民参与 section's activity table (numbers as numbers)."""
    part = data.get("participation")
    if not part or not part["activities"]["activities"]:
        return []
    return [
        Sheet(
            "全民参与活动",
            ("活动系列", "活动（项）", "参与（人次）", "志愿者（人次）", "志愿服务（小时）"),
            [
                [
                    row["name"],
                    row["activities"],
                    row["participants"],
                    row["volunteers"],
                    doc.number(row["volunteer_hours"]),
                ]
                for row in part["activities"]["series"]
            ],
        )
    ]


def _drives(data: dict, span: str) -> list[Sheet]:
    """专项行动: one row per drive and sub-drive (older snapshots have no sub-drives or 回潮)."""
    rows = []
    for d in data.get("drives") or []:
        for line, name in [(d, d["name"])] + [
            (c, f"{d['name']} · {c['name']}") for c in d.get("sub_drives", [])
        ]:
            rows.append(
                [
                    name,
                    line["start"],
                    line["end"],
                    line["found"],
                    line["found_in_period"],
                    line["closed"],
                    line["on_time"],
                    doc.number(line["closure_rate"]),
                    line.get("recurring"),
                    doc.number(line.get("recurrence_rate")),
                ]
            )
    if not rows:
        return []
    headers = ("专项行动", "开始", "结束", "累计发现", f"{span}发现", "已销号", "按期")
    headers += ("完成率（%）", "回潮", "回潮率（%）")
    sheets = [Sheet("专项行动", headers, rows)]
    targets = [
        [d["name"], t["label"], t["metric"], t["value"], t["actual"], t["met"]]
        for d in data.get("drives") or []
        for t in d.get("targets", [])
    ]
    if targets:
        sheets.append(
            Sheet(
                "行动目标",
                ("专项行动", "目标", "指标", "目标值", "实际", "完成情况"),
                [
                    [
                        *row[:3],
                        doc.number(row[3]),
                        doc.number(row[4]),
                        {True: "已达到", False: "未达到"}.get(row[5], ""),
                    ]
                    for row in targets
                ],  # fmt: skip
            )
        )
    return sheets


def _weekly(data: dict) -> list[Sheet]:
    if "streets" in data:
        streets = Sheet(
            "分街道",
            ("街道", "督查次数", "检查点位（个次）", "发现问题", "已销号", "备注"),
            [
                [
                    r["name"],
                    r["inspections"],
                    r["site_visits"],
                    r["count"],
                    r["closed"],
                    "" if r["inspected"] else "本周未督查",
                ]
                for r in data["streets"]
            ],
        )
    else:
        streets = Sheet(
            "分街道", doc.STREET_HEADERS, [doc.street_cells(r) for r in data.get("by_street", [])]
        )
    sheets = [
        _overview(data, monthly=False),
        streets,
        Sheet(
            "分类别",
            doc.CATEGORY_HEADERS,
            [doc.category_cells(r) for r in data.get("by_category", [])],
        ),
    ]
    if "look_back" in data:
        b = data["look_back"]
        sheets.append(
            Sheet(
                "回头看",
                ("指标", "数值"),
                [
                    ["上周发现问题", b["found"]],
                    ["已整改销号", b["closed"]],
                    ["其中按期", b["closed_on_time"]],
                    ["整改完成率（%）", doc.number(b["closure_rate"])],
                    ["尚未办结", b["open"]],
                    ["其中逾期", b["overdue"]],
                    ["逾期单位", "、".join(b["overdue_units"])],
                ],
            )
        )
    sheets += _drives(data, "本周")
    if data.get("plan"):
        sheets.append(
            Sheet(
                "下周督查安排",
                ("日期", "督查组", "督查地点", "督查重点"),
                [[p["date"], p["team"], p["where"], p["note"]] for p in data["plan"]],
            )
        )
    return sheets


def build(report: Report) -> bytes:
    content = report.content
    data = content["data"]
    monthly = report.kind == Report.Kind.MONTHLY
    sheets = _monthly(data) if monthly else _weekly(data)
    return xlsx_content(sheets, title=content["title"])
