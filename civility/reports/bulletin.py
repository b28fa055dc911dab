"""What each section of a monthly 通报 and a weekly 巡报 says (SPEC §5), as ``layout`` blocks.

``layout(report)`` is the one entry: the page, the print view and the .docx render its blocks.
Sections whose data a report does not hold (one compiled before the section existed) are left out;
sections with nothing to report say so in one line.
"""

from __future__ import annotations

from civility.reports import document as doc
from civility.reports.layout import Layout, Sections, Table, build, case_text, overview_table
from civility.reports.models import Report
from civility.reports.participation import activity_line, suggestion_line

DASH = doc.DASH
REQUIREMENTS_PROMPT = "（请填写整改要求和下一步工作。）"


def _md(value: str) -> str:
    """2026-03-18 → 3月18日."""
    try:
        _year, month, day = (int(part) for part in value.split("-"))
    except (AttributeError, ValueError):
        return value or ""
    return f"{month}月{day}日"


def _names(names: list[str]) -> str:
    return "、".join(names)


# --- shared sections -------------------------------------------------------------------------


def _commentary(s: Sections, items: list[dict], none: str) -> None:
    if not items:
        s.para(none)
        return
    for item in items:
        units = f"（{_names(item['units'])}）" if item.get("units") else ""
        s.para(
            f"{_md(item['date'])}，{item['author']}{item['kind']}（{item['tone']}）："
            f"{item['title']}{units}。"
        )
        replies = []
        for reply in item.get("replies", []):
            if reply.get("reply"):
                replies.append(f"{reply['unit']}已回复：{reply['reply']}")
            elif item.get("needs_reply"):
                state = "已签收，" if reply.get("acknowledged") else ""
                due = f"（回复期限{_md(item['reply_due'])}）" if item.get("reply_due") else ""
                replies.append(f"{reply['unit']}{state}尚未回复{due}")
        if replies:
            s.para("；".join(replies) + "。")


def _cases(s: Sections, cases: list[dict]) -> None:
    for number, case in enumerate(cases, start=1):
        s.case(case, f"{number}. {case_text(case)}")


# --- monthly -----------------------------------------------------------------------------------


def _rankings(s: Sections, data: dict) -> None:
    """A table per unit kind of the assessed units only, then one line naming the kind's 未考评
    units (SPEC §6: a unit that was not assessed is never ranked), then the rules."""
    s.heading("考评排名", id="sec-rankings")
    tables = doc.ranking_tables(data)
    if not tables:
        s.para("本月无参评单位。")
    for table in tables:
        s.subheading(table.label)
        if table.rows:
            s.table(
                Table(
                    doc.RANKING_HEADERS,
                    [row.cells for row in table.rows],
                    css="rd-ranking",
                    kind=table.kind,
                    numeric=(0, 2, 3, 4),
                    widths=(0.9, 2.6, 1.4, 1.4, 1.4, 1.1, 1.3, 4.9),
                    font_size=9.5,
                    row_css=["insufficient" if row.insufficient else "" for row in table.rows],
                )
            )
        else:
            s.para("本月无考评单位。")
        if table.unassessed:
            s.para(table.unassessed_line, id=f"unassessed-{table.kind}")
    if tables:
        s.para(doc.ranking_remark(data), id="ranking-remark")


def _lists(s: Sections, data: dict) -> None:
    s.heading("红黑榜", id="sec-lists")
    for key, title, table_id, none in (
        ("red_list", "红榜", "red-list", "本月无单位进入红榜。"),
        ("black_list", "黑榜", "black-list", "本月无单位进入黑榜。"),
    ):
        s.subheading(title)
        entries = data.get(key, [])
        if entries:
            s.table(
                Table(
                    doc.LIST_HEADERS,
                    [doc.list_cells(e) for e in entries],
                    id=table_id,
                    css="rd-list",
                    numeric=(2,),
                    widths=(2.4, 1.3, 1, 4, 3),
                )
            )
        else:
            s.para(none)


def _work(s: Sections, data: dict, narrative: dict) -> None:
    if "teams" not in data:
        return
    s.heading("督查工作和领导点评", id="sec-work")
    s.text(narrative.get("work", ""), editable="work")
    s.subheading("各督查组工作情况")
    if data["teams"]:
        s.table(
            Table(
                ("督查组", "督查次数", "检查点位（个次）", "涉及街道", "发现问题"),
                [
                    [
                        t["team"],
                        t["inspections"],
                        t["site_visits"],
                        _names(t["streets"]) or DASH,
                        t["found"],
                    ]
                    for t in data["teams"]
                ],
                id="team-table",
                css="rd-teams",
                numeric=(1, 2, 4),
                widths=(3, 1.2, 1.7, 3, 1.2),
            )
        )
    else:
        s.para("本月各督查组未开展督查。")
    s.subheading("领导点评情况")
    _commentary(s, data.get("commentary", []), "本月无领导点评。")


def _problems(s: Sections, data: dict, narrative: dict) -> None:
    s.heading("存在问题", id="sec-problems")
    s.text(narrative.get("problems", ""), editable="problems")
    if "units_named" in data:
        s.subheading("逾期未办结和被督办问题的单位")
        if data["units_named"]:
            s.table(
                Table(
                    ("单位", "类别", "逾期未办结", "本月被督办", "问题编号"),
                    [
                        [
                            u["unit"],
                            u["kind"],
                            u["overdue"],
                            u["escalated"],
                            "、".join(u["numbers"][:6]) + ("等" if len(u["numbers"]) > 6 else ""),
                        ]
                        for u in data["units_named"]
                    ],
                    id="units-named",
                    css="rd-named",
                    numeric=(2, 3),
                    widths=(2.6, 1.3, 1.4, 1.4, 4.5),
                )
            )
        else:
            s.para("截至月末，没有逾期未办结或被督办问题的单位。")
    if data.get("top_categories"):
        s.subheading("问题较多的类别")
        s.table(
            Table(
                doc.CATEGORY_HEADERS,
                [doc.category_cells(r) for r in data["top_categories"]],
                css="rd-narrow",
                numeric=(1,),
            )
        )
    if data.get("recurrences"):
        s.subheading("问题回潮的点位")
        s.table(
            Table(
                ("点位", "街道", "问题类别", "回潮次数"),
                [[r["site"], r["street"], r["category"], r["count"]] for r in data["recurrences"]],
                id="recurrence-table",
                css="rd-narrow",
                numeric=(3,),
            )
        )
    _recurrence_rates(s, data.get("recurrence_rates"))
    if data.get("typical"):
        s.subheading("典型问题")
        _cases(s, data["typical"])
    if data.get("exemplary"):
        s.subheading("整改典型")
        _cases(s, data["exemplary"])


def _recurrence_rates(s: Sections, rates: dict | None) -> None:
    """回潮率 of the month, and the units and categories where problems came back (SPEC §7)."""
    if not rates or not rates["recurring"]:
        return
    categories = "、".join(
        f"{c['category']}{c['recurring']}个（{c['rate']}%）" for c in rates["categories"][:5]
    )
    text = (
        f"本月发现问题{rates['found']}个，其中回潮{rates['recurring']}个，"
        f"回潮率{rates['rate'] or DASH}%。"
    )
    s.para(
        text + (f"回潮较多的类别：{categories}。" if categories else ""),
        id="doc-recurrence-rate",
    )
    s.table(
        Table(
            ("单位", "本月发现", "回潮", "回潮率（%）"),
            [[u["unit"], u["found"], u["recurring"], u["rate"] or DASH] for u in rates["units"]],
            id="recurrence-units",
            css="rd-narrow",
            numeric=(1, 2, 3),
        )
    )


def _drives(s: Sections, data: dict, span: str = "本月") -> None:
    drives = data.get("drives") or []
    if not drives:
        return
    s.heading("专项行动进展", id="sec-drives")
    for d in drives:
        if "sub_drives" not in d:  # a snapshot published before drives had targets
            s.para(
                f"{d['name']}（{_md(d['start'])}至{_md(d['end'])}）：累计发现问题{d['found']}个，"
                f"{span}新发现{d['found_in_period']}个，已整改销号{d['closed']}个"
                f"（按期{d['on_time']}个），整改完成率{d['closure_rate'] or DASH}%。"
            )
            continue
        _drive(s, d, span)


def _drive(s: Sections, d: dict, span: str) -> None:
    """One drive's line, its sub-drives and its targets against the actual (SPEC §7)."""
    text = (
        f"{d['name']}（{_md(d['start'])}至{_md(d['end'])}）：累计发现问题{d['found']}个，"
        f"{span}新发现{d['found_in_period']}个，已整改销号{d['closed']}个"
        f"（按期{d['on_time']}个），整改完成率{d['closure_rate'] or DASH}%"
    )
    if d["overdue"]:
        text += f"，逾期未办结{d['overdue']}个"
    text += f"；回潮{d['recurring']}个，回潮率{d['recurrence_rate'] or DASH}%。"
    s.para(text, id=f"doc-drive-{d['drive_id']}")
    if d["sub_drives"]:
        s.table(
            Table(
                ("子行动", "起止日期", "累计发现", f"{span}发现", "已销号", "完成率（%）", "回潮"),
                [
                    [
                        c["name"],
                        f"{_md(c['start'])}—{_md(c['end'])}",
                        c["found"],
                        c["found_in_period"],
                        c["closed"],
                        c["closure_rate"] or DASH,
                        c["recurring"],
                    ]
                    for c in d["sub_drives"]
                ],
                id=f"drive-{d['drive_id']}-subs",
                css="rd-narrow",
                numeric=(2, 3, 4, 5, 6),
            )
        )
    if d["targets"]:
        s.table(
            Table(
                ("目标", "指标", "目标值", "实际", "完成情况"),
                [
                    [
                        t["label"],
                        t["metric"],
                        ("≤" if t["ceiling"] else "") + t["value"],
                        t["actual"] if t["actual"] is not None else DASH,
                        {True: "已达到", False: "未达到"}.get(t["met"], DASH),
                    ]
                    for t in d["targets"]
                ],
                id=f"drive-{d['drive_id']}-targets",
                css="rd-narrow",
                numeric=(2, 3),
            )
        )


def _participation(s: Sections, data: dict) -> None:
    """全民参与: the representatives' 建议意见 and the activities of each series (SPEC §7); left
    out of a report compiled before the section existed, and of a month without any."""
    part = data.get("participation")
    if not part or not (any(part["suggestions"].values()) or part["activities"]["activities"]):
        return  # nothing to say this month: the section is left out
    s.heading("全民参与和代表委员建议意见", id="sec-participation")
    s.subheading("代表委员建议意见办理情况")
    s.para(suggestion_line(part["suggestions"]), id="doc-suggestions")
    s.subheading("全民参与活动")
    activities = part["activities"]
    s.para(activity_line(activities), id="doc-activities")
    if activities["activities"]:
        s.table(
            Table(
                ("活动系列", "活动（项）", "参与（人次）", "志愿者（人次）", "志愿服务（小时）"),
                [
                    [
                        row["name"],
                        row["activities"],
                        row["participants"],
                        row["volunteers"],
                        row["volunteer_hours"],
                    ]
                    for row in activities["series"]
                ],
                id="activity-table",
                css="rd-narrow",
                numeric=(1, 2, 3, 4),
                widths=(3, 1.3, 1.5, 1.6, 1.8),
            )
        )


def monthly_body(s: Sections, report: Report, data: dict, narrative: dict) -> None:
    s.heading("总体情况", id="sec-overview")
    s.text(narrative.get("overview", ""), editable="overview")
    s.subheading("主要指标")
    s.table(overview_table(data, monthly=True))
    if data.get("by_street"):
        s.subheading("各街道发现问题情况")
        s.table(
            Table(
                doc.STREET_HEADERS,
                [doc.street_cells(r) for r in data["by_street"]],
                css="rd-narrow",
                numeric=(1, 2),
            )
        )
    _rankings(s, data)
    _lists(s, data)
    _work(s, data, narrative)
    _problems(s, data, narrative)
    _drives(s, data)
    _participation(s, data)
    s.heading("整改要求和下一步工作", id="sec-requirements")
    s.text(
        narrative.get("requirements", ""),
        editable="requirements",
        id="doc-requirements",
        prompt=REQUIREMENTS_PROMPT,
    )


# --- weekly ------------------------------------------------------------------------------------


def weekly_body(s: Sections, report: Report, data: dict, narrative: dict) -> None:
    s.heading("总体情况", id="sec-overview")
    s.text(narrative.get("overview", ""), editable="overview")
    s.table(overview_table(data, monthly=False))
    s.heading("各街道情况", id="sec-streets")
    if "streets" in data:
        s.table(
            Table(
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
                id="street-table",
                css="rd-streets",
                numeric=(1, 2, 3, 4),
                widths=(2.2, 1.2, 1.7, 1.2, 1.2, 1.7),
            )
        )
    elif data.get("by_street"):
        s.table(Table(doc.STREET_HEADERS, [doc.street_cells(r) for r in data["by_street"]]))
    else:
        s.para("本周未发现问题。")
    s.heading("问题类别", id="sec-categories")
    if data.get("by_category"):
        s.table(
            Table(
                doc.CATEGORY_HEADERS,
                [doc.category_cells(r) for r in data["by_category"]],
                css="rd-narrow",
                numeric=(1,),
            )
        )
    else:
        s.para("本周未发现问题。")
    if "look_back" in data:
        b = data["look_back"]
        s.heading("回头看", id="sec-look-back")
        text = (
            f"上周发现问题{b['found']}个，截至本周末已整改销号{b['closed']}个"
            f"（其中按期{b['closed_on_time']}个），整改完成率{b['closure_rate'] or DASH}%；"
            f"尚未办结{b['open']}个，其中逾期{b['overdue']}个"
        )
        if b.get("overdue_units"):
            text += f"（{_names(b['overdue_units'])}）"
        s.para(text + "。", id="doc-look-back")
    s.heading("本周点评", id="sec-commentary")
    _commentary(s, data.get("commentary", []), "本周无点评。")
    s.heading("典型问题", id="sec-typical")
    if data.get("typical") or data.get("exemplary"):
        if data.get("typical"):
            s.subheading("存在问题")
            _cases(s, data["typical"])
        if data.get("exemplary"):
            s.subheading("整改典型")
            _cases(s, data["exemplary"])
    else:
        s.para("本周无典型问题。")
    _drives(s, data, "本周")
    if data.get("plan"):
        s.heading("下周督查安排", id="sec-plan")
        s.table(
            Table(
                ("日期", "督查组", "督查地点", "督查重点"),
                [[p["day"], p["team"], p["where"], p["note"] or DASH] for p in data["plan"]],
                id="plan-table",
                css="rd-plan",
                widths=(1.3, 2.5, 3.5, 3),
            )
        )


def layout(report: Report) -> Layout:
    if report.kind == Report.Kind.MONTHLY:
        attachment = f"{report.get_period().label}督查问题清单"
        return build(report, monthly_body, attachment)
    return build(report, weekly_body, with_imprint=False)
