"""The period summary (督导工作小结) as an A4 PDF with charts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Paragraph, Spacer, TableStyle

from dudao.reports.charts import failure_chart, grade_chart, monthly_chart
from dudao.reports.pdfkit import (
    HEAD_BG,
    RULE,
    Styles,
    build_a4,
    esc,
    generated_at,
    grid,
    make_styles,
    para,
    table,
)
from dudao.reports.summary import Summary

WIDTH = A4[0] - 36 * mm
Progress = Callable[[int, int], None]


def _figures(summary: Summary, s: Styles) -> Any:
    average = "—" if summary.average is None else f"{summary.average:.1f}%"
    heads = ["应检查（次）", "已完成（次）", "完成率", "平均得分率", "逾期整改（项）"]
    values = [summary.planned, summary.done, summary.completion, average, summary.overdue_count]
    cells = [[para(h, s.center) for h in heads], [para(v, s.center) for v in values]]
    figures = table(cells, s.font, colWidths=[WIDTH / 5] * 5)
    figures.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, RULE),
                                 ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                                 ("TOPPADDING", (0, 1), (-1, 1), 6),
                                 ("BOTTOMPADDING", (0, 1), (-1, 1), 6)]))  # fmt: skip
    return figures


def summary_story(summary: Summary, s: Styles, progress: Progress | None = None) -> list[Any]:
    steps = 6 + len(summary.sections)
    step = 0

    def tick() -> None:
        nonlocal step
        step += 1
        if progress is not None:
            progress(step, steps)

    period = summary.period
    story: list[Any] = [
        para(f"{summary.unit_name} 督导工作小结", s.title),
        para(f"{period.key}（{period.start.isoformat()} 至 {period.end.isoformat()}）", s.subtitle),
        Paragraph("一、主要数据", s.h2), _figures(summary, s), Spacer(1, 3 * mm),
    ]  # fmt: skip
    tick()
    charts = table([[grade_chart(summary.grades, s.font, "等级分布"),
                     monthly_chart(summary.monthly, s.font, "月度平均得分率（%）")]],
                   s.font, colWidths=[WIDTH / 2] * 2)  # fmt: skip
    story += [charts]
    tick()
    story += [CondPageBreak(60 * mm), Paragraph("二、问题较多的检查项（前十）", s.h2)]
    if summary.failures:
        story += [failure_chart(summary.failures, s.font, "不合格次数"),
                  grid([["检查项目", "不合格次数"], *summary.failures], s,
                        [WIDTH - 30 * mm, 30 * mm])]  # fmt: skip
    else:
        story.append(para("本期未发现不合格项。", s.body))
    tick()
    story += [CondPageBreak(40 * mm), Paragraph("三、各单位得分排名", s.h2)]
    ranking = [[str(i), name, code, f"{avg:.1f}%", n]
               for i, (code, name, avg, n) in enumerate(summary.units, start=1)]  # fmt: skip
    story.append(grid([["名次", "单位", "编码", "平均得分率", "检查次数"], *ranking], s,
                       [14 * mm, WIDTH - 84 * mm, 24 * mm, 26 * mm, 20 * mm])
                 if ranking else para("本期没有已提交的检查。", s.body))  # fmt: skip
    tick()
    story += [CondPageBreak(40 * mm), Paragraph("四、逾期未完成的整改", s.h2)]
    if summary.overdue:
        story.append(grid([["责任单位", "整改要求", "整改期限", "状态"], *summary.overdue], s,
                           [36 * mm, WIDTH - 82 * mm, 24 * mm, 22 * mm]))  # fmt: skip
        if summary.overdue_count > len(summary.overdue):
            story.append(para(f"另有 {summary.overdue_count - len(summary.overdue)} 项未列出。",
                              s.small))  # fmt: skip
    else:
        story.append(para("没有逾期的整改任务。", s.body))
    tick()
    story += [CondPageBreak(30 * mm), Paragraph("五、随机抽查", s.h2)]
    draws = [[t, d, n, "已公开" if p else "未公开"] for t, d, n, p in summary.draws]
    story.append(grid([["抽查", "抽取日期", "抽中检查（次）", "公开"], *draws], s,
                       [WIDTH - 74 * mm, 26 * mm, 28 * mm, 20 * mm])
                 if draws else para("本期没有随机抽查。", s.body))  # fmt: skip
    tick()
    for number, section in enumerate(summary.sections, start=6):
        story += [CondPageBreak(30 * mm), Paragraph(esc(f"{_chinese(number)}、{section.title}"),
                                                    s.h2)]  # fmt: skip
        if section.note:
            story.append(para(section.note, s.small))
        story += [_fit(chart) for chart in section.charts]
        story.append(grid([section.headers, *section.rows], s))
        tick()
    return story


def _fit(drawing: Any) -> Any:
    """A drawing scaled down to the text width (charts of other features may be wider)."""
    if drawing.width > WIDTH:
        factor = WIDTH / drawing.width
        drawing.scale(factor, factor)
        drawing.width, drawing.height = WIDTH, drawing.height * factor
    return drawing


def _chinese(number: int) -> str:
    return "一二三四五六七八九十"[number - 1] if 1 <= number <= 10 else str(number)


def render_summary_pdf(
    summary: Summary, *, font: str | None = None, tz: Any = None, progress: Progress | None = None
) -> bytes:
    styles = make_styles(font)
    footer = f"督导 Dudao · 生成于 {generated_at(tz)} · {summary.unit_code} {summary.period.key}"
    return build_a4(summary_story(summary, styles, progress), styles.font, footer,
                    f"{summary.unit_name} {summary.period.key} 督导工作小结")  # fmt: skip
