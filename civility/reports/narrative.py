"""The texts of a draft, pre-filled from its data (SPEC §5): the secretariat edits them before 发布.

``default_narrative`` writes 一、总体情况 (with the change against the previous period), the
督查工作 paragraph, 存在问题 naming the units with overdue or 督办 problems, and
整改要求和下一步工作 from this period's data plus the lines the secretariat wrote itself into the
previous period's published text (lines the system generated last time are not carried over, so
the text does not grow month after month). ``narrative["generated"]`` remembers what was
generated, so that compiling again refreshes a text nobody has touched and keeps an edited one.
"""

from __future__ import annotations

from civility.core.periods import Period
from civility.reports.models import Report

GENERATED = "generated"
DEADLINE_DAYS = 3  # 工作日 given to clear overdue problems


def title(period: Period) -> str:
    if Report.Kind.of_period(period) == Report.Kind.MONTHLY:
        return f"关于{period.label}文明城区创建督查情况的通报"
    first, last = period.first, period.last
    return (
        f"{period.year}年第{period.number}周文明城区创建巡报"
        f"（{first.month}月{first.day}日—{last.month}月{last.day}日）"
    )


def _signed(change: int) -> str:
    return f"增加{change}" if change > 0 else (f"减少{-change}" if change < 0 else "持平")


def _names(rows, limit: int = 8) -> str:
    names = [row if isinstance(row, str) else row["unit"] for row in rows]
    text = "、".join(names[:limit])
    return text + ("等" if len(names) > limit else "")


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def overview_text(kind: str, data: dict, period: Period) -> str:
    o = data["overview"]
    when = period.label if kind == Report.Kind.MONTHLY else "本周"
    summary = (
        f"{when}，各督查组共开展督查{o['inspections']}次，检查点位{o['site_visits']}个次，"
        f"发现问题{o['found']}个，已整改销号{o['found_closed']}个，"
        f"整改完成率{o['closure_rate'] or '—'}%；到期问题{o['due']}个，按期办结"
        f"{o['due_on_time']}个，按期整改率{o['on_time_rate'] or '—'}%，逾期办结"
        f"{o['due_closed_late']}个；截至期末逾期未办结{o['overdue_open']}个，"
        f"新增督办{o['escalations']}件。"
    )
    change = data.get("change")
    if change:
        summary += (
            f"与上月相比，督查次数{_signed(change['inspections'])}次，"
            f"发现问题{_signed(change['found'])}个，"
            f"逾期未办结问题{_signed(change['overdue_open'])}个。"
        )
    return summary


def work_text(data: dict) -> str:
    teams = data.get("teams", [])
    commentary = data.get("commentary", [])
    text = (
        f"本月{len(teams)}个督查组共开展督查{sum(t['inspections'] for t in teams)}次，"
        f"检查点位{sum(t['site_visits'] for t in teams)}个次。"
        if teams
        else "本月各督查组未开展督查。"
    )
    if commentary:
        kinds: dict[str, int] = {}
        for item in commentary:
            kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1
        praise = sum(1 for item in commentary if item["tone"] == "表扬")
        text += (
            f"指挥部领导点评{len(commentary)}次（"
            + "、".join(f"{kind}{n}次" for kind, n in kinds.items())
            + f"），其中表扬{praise}次、批评{len(commentary) - praise}次。"
        )
    return text


def problems_text(data: dict) -> str:
    parts = []
    top = "、".join(f"{c['name']}（{c['count']}个）" for c in data.get("top_categories", [])[:3])
    if top:
        parts.append(f"从督查情况看，问题主要集中在{top}等方面。")
    overdue = [u for u in data.get("units_named", []) if u["overdue"]]
    escalated = [u for u in data.get("units_named", []) if u["escalated"]]
    if overdue:
        parts.append(
            f"截至月末，{_names(overdue)}共{len(overdue)}个单位仍有逾期未办结问题"
            f"（共{sum(u['overdue'] for u in overdue)}个）。"
        )
    if escalated:
        parts.append(f"{_names(escalated)}的问题本月被督办。")
    if data.get("recurrences"):
        sites = "、".join(f"{r['site']}（{r['category']}）" for r in data["recurrences"][:5])
        parts.append(f"{sites}等点位问题反复出现，长效管理机制有待加强。")
    return "".join(parts) or "本月督查未发现突出问题。"


def requirement_lines(data: dict) -> list[str]:
    """整改要求 drawn from the data: who must do what, named."""
    result = []
    overdue = [u for u in data.get("units_named", []) if u["overdue"]]
    if overdue:
        result.append(
            f"{_names(overdue, limit=12)}要在本通报印发后{DEADLINE_DAYS}个工作日内完成逾期问题"
            "整改，并将整改情况书面报送区创建办。"
        )
    escalated = [u for u in data.get("units_named", []) if u["escalated"] and not u["overdue"]]
    if escalated:
        result.append(f"{_names(escalated)}要按照督办要求逐项落实整改，主要领导亲自过问。")
    top = "、".join(c["name"] for c in data.get("top_categories", [])[:3])
    if top:
        result.append(
            f"针对{top}等突出问题，各街道和相关职能部门要开展集中整治，做到发现一处、整改一处。"
        )
    if data.get("recurrences"):
        result.append("对问题反复出现的点位，责任单位要查找原因，建立长效管理机制，防止回潮。")
    black = data.get("black_list", [])
    if black:
        result.append(
            f"列入黑榜的{_names(black)}要深刻剖析原因，于下月5日前向区创建指挥部书面报告整改措施。"
        )
    waiting = sorted(
        {
            reply["unit"]
            for item in data.get("commentary", [])
            if item.get("needs_reply")
            for reply in item.get("replies", [])
            if not reply.get("reply")
        }
    )
    if waiting:
        result.append(f"{_names(waiting)}要抓紧回复书面点评，报送整改措施。")
    if not result:
        result.append("各单位要对照测评体系加强日常巡查，巩固整改成果。")
    return result


def carried_lines(previous: Report | None) -> list[str]:
    """The lines of the previous period's 整改要求 that the secretariat wrote itself."""
    if previous is None:
        return []
    narrative = previous.content.get("narrative", {})
    generated = narrative.get(GENERATED) or {}
    generated = set(lines(generated.get("requirements_auto", generated.get("requirements"))))
    return [line for line in lines(narrative.get("requirements")) if line not in generated]


def default_narrative(
    kind: str, data: dict, period: Period, previous: Report | None = None
) -> dict:
    texts = {"overview": overview_text(kind, data, period)}
    if kind == Report.Kind.MONTHLY:
        texts["work"] = work_text(data)
        texts["problems"] = problems_text(data)
        generated = requirement_lines(data)
        own = [line for line in carried_lines(previous) if line not in generated]
        texts["requirements"] = "\n".join(generated + own)
        texts[GENERATED] = {**texts, "requirements_auto": "\n".join(generated)}
    else:
        texts[GENERATED] = dict(texts)
    return texts


def merge(current: dict, fresh: dict) -> dict:
    """Compiling again: a text still as generated (or empty) is replaced by the fresh one; a text
    the secretariat edited is kept."""
    generated = current.get(GENERATED) or {}
    merged = dict(current)
    for key, value in fresh.items():
        if key == GENERATED:
            continue
        mine = current.get(key) or ""
        if not mine.strip() or mine == generated.get(key):
            merged[key] = value
    merged[GENERATED] = fresh.get(GENERATED, {})
    return merged
