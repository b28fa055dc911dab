"""The .xlsx of a report: one sheet per table of the page, same rows, numbers as numbers
(written by ``civility.core.exports``, like every other download)."""

from __future__ import annotations

from civility.core.exports import Sheet, xlsx_content
from civility.reports import document as doc
from civility.reports.models import Report


def build(report: Report) -> bytes:
    content = report.content
    data = content["data"]
    overview = doc.overview_rows(data)
    if report.kind == Report.Kind.MONTHLY:
        sheets = [
            Sheet(
                "总体情况",
                ("指标", "本月", "上月", "变化"),
                [
                    [r.label, doc.number(r.value), doc.number(r.previous), r.change]
                    for r in overview
                ],
            ),
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
        top = [doc.category_cells(r) for r in data.get("top_categories", [])]
        problems = [doc.problem_cells(r) for r in data.get("problems", [])]
        sheets += [
            Sheet("问题类别", doc.CATEGORY_HEADERS, top),
            Sheet("问题清单", doc.PROBLEM_HEADERS, problems),
        ]
    else:
        sheets = [
            Sheet("总体情况", ("指标", "本周"), [[r.label, doc.number(r.value)] for r in overview]),
            Sheet(
                "分街道",
                doc.STREET_HEADERS,
                [doc.street_cells(r) for r in data.get("by_street", [])],
            ),
            Sheet(
                "分类别",
                doc.CATEGORY_HEADERS,
                [doc.category_cells(r) for r in data.get("by_category", [])],
            ),
        ]
    return xlsx_content(sheets, title=content["title"])
