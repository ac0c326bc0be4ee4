"""The questionnaire campaign report (问卷测评报告) as an A4 PDF.

It prints only what `surveys.aggregate` returned (campaign_data.py): a hidden group
gets its name and the reason, never a number; comments appear only where the
aggregation released them, in the order it shuffled them. Every text a member or
the office typed goes through `pdfkit.para` (escaped, never markup).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    Spacer,
    TableStyle,
)

from dudao.reports.campaign_data import CampaignReport
from dudao.reports.charts import interval_chart
from dudao.reports.pdfkit import (
    MUTED,
    Styles,
    build_a4,
    generated_at,
    grid,
    make_styles,
    para,
)
from dudao.surveys.aggregate import Group

WIDTH = A4[0] - 36 * mm
Progress = Callable[[int, int], None]
MAX_BARS = 30
LEVELS = {"group": "集团", "company": "公司", "unit": "单位", "branch": "党支部"}


def _local(moment: Any, tz: Any) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if tz else moment.isoformat()


def _overview(data: CampaignReport, s: Styles, tz: Any) -> list[Any]:
    report = data.report
    levels = "、".join(LEVELS.get(level, level) for level in data.levels) or "全部单位"
    rows = [
        ["项目", "内容"],
        ["问卷", f"{data.questionnaire}（第 {data.version} 版）"],
        ["测评范围", f"{data.scope_name}（{data.scope_code}）及下属{levels}"],
        ["测评时间", f"{_local(data.opens_at, tz)} 至 {_local(data.closes_at, tz)}"],
        ["测评期间", data.period_label],
        ["状态", data.state],
        ["匿名保护", f"答卷少于 {report.min_group} 份的单位不显示分数；"
                   f"答卷达到 {report.min_comment_group} 份的单位才显示意见建议"],
    ]  # fmt: skip
    story: list[Any] = [grid(rows, s, [30 * mm, WIDTH - 30 * mm])]
    if not report.final:
        story.append(Spacer(1, 2 * mm))
        story.append(para("测评尚未结束或仍有答卷等待入库：本报告只列出答卷数和回收率。"
                          "满意度、各题结果和意见建议在测评结束、全部答卷入库后才显示，"
                          "以免通过比较前后两份报告推算出新增的答卷。", s.body))  # fmt: skip
    if report.pending:
        story.append(para(f"另有 {report.pending} 份答卷等待入库，未计入本报告。", s.small))
    return story


def _units_table(data: CampaignReport, s: Styles) -> Any:
    rows: list[list[Any]] = [["单位", "答卷数", "应答人数", "回收率", "满意度指数", "95% 置信区间"]]
    spans: list[tuple[Any, ...]] = []
    for number, group in enumerate(data.report.groups, start=1):
        spans.append(("LEFTPADDING", (0, number), (0, number), 6 + 10 * group.depth))
        name = f"{group.name}（{group.code}）"
        if not group.shown:
            rows.append([name, data.reason(group), "", "", "", ""])
            spans.append(("SPAN", (1, number), (-1, number)))
            spans.append(("TEXTCOLOR", (1, number), (-1, number), MUTED))
            continue
        sat = group.satisfaction
        rows.append([
            name, group.responses, group.invited or "—",
            "—" if group.rate is None else f"{group.rate:.1f}%",
            "—" if sat is None else f"{sat.mean:.1f}",
            "—" if sat is None else f"{sat.low:.1f}–{sat.high:.1f}",
        ])  # fmt: skip
    made = grid(rows, s, [WIDTH - 110 * mm, 16 * mm, 18 * mm, 18 * mm, 24 * mm, 34 * mm])
    made.setStyle(TableStyle(spans))
    return made


def _history_table(data: CampaignReport, s: Styles) -> Any:
    periods = [label for label, _cells in data.history]
    rows: list[list[Any]] = [["单位", *periods]]
    for group in data.report.groups:
        values = [cells.get(group.unit_id, "—") for _label, cells in data.history]
        rows.append([f"{group.name}（{group.code}）", *values])
    width = (WIDTH - 70 * mm) / len(periods)
    return grid(rows, s, [70 * mm, *[width] * len(periods)])


def _group_detail(data: CampaignReport, group: Group, s: Styles) -> list[Any]:
    report = data.report
    story: list[Any] = [
        CondPageBreak(50 * mm),
        para(f"{group.name}（{group.code}） · {group.responses} 份答卷", s.h2),
    ]
    results = data.item_results(group)
    rows = [["题目", "作答", "平均分", "答案分布"]] + [
        [r.label, r.answered, "—" if r.mean is None else f"{r.mean:.2f}",
         "；".join(f"{label}：{n}" for label, n in r.distribution)]
        for r in results
    ]  # fmt: skip
    story.append(grid(rows, s, [62 * mm, 14 * mm, 16 * mm, WIDTH - 92 * mm]))
    if group.comments is None:
        story.append(para(f"意见建议：答卷达到 {report.min_comment_group} 份、且不能通过与下级单位"
                          "比较而单独识别时才显示。", s.small))  # fmt: skip
        return story
    story += [Spacer(1, 3 * mm), Paragraph("意见建议（随机顺序）", s.body), Spacer(1, 1 * mm)]
    if not group.comments:
        story.append(para("无。", s.small))
    for text in group.comments:
        story.append(KeepTogether([para(f"· {text}", s.body), Spacer(1, 1 * mm)]))
    return story


def campaign_story(data: CampaignReport, s: Styles, tz: Any = None,
                   progress: Progress | None = None) -> list[Any]:  # fmt: skip
    report = data.report
    details = [g for g in report.groups if report.final and g.shown and g.responses]
    steps = 2 + len(details)
    story: list[Any] = [
        para(f"{data.title} 测评报告", s.title),
        para(f"{data.scope_name} · {data.period_label}", s.subtitle),
        Paragraph("一、测评概况", s.h2),
        *_overview(data, s, tz),
        Paragraph("二、各单位回收率与满意度", s.h2),
        para("满意度指数为每份答卷满意度题目得分换算为 0–100 后的平均值，括号内为 95% 置信区间"
             "（t 分布）。上级单位的数据包含其下属全部单位的答卷。", s.small),
        Spacer(1, 2 * mm),
        _units_table(data, s),
    ]  # fmt: skip
    rated = [g for g in report.groups if g.shown and g.satisfaction is not None]
    title = "满意度指数（0–100）及 95% 置信区间"
    if len(rated) > MAX_BARS:  # a chart must fit a page: the upper levels (the table has all)
        rated = [g for g in rated if g.depth <= 1][:MAX_BARS]
        title += "（测评范围及其直属单位）"
    bars = [(g.name, g.satisfaction.mean, g.satisfaction.low, g.satisfaction.high)
            for g in rated if g.satisfaction is not None]  # fmt: skip
    if bars:
        story += [Spacer(1, 3 * mm), interval_chart(bars, s.font, title)]
    if data.history:
        story += [CondPageBreak(50 * mm), Paragraph("三、历次测评满意度指数", s.h2),
                  para("同一问卷、同一范围的历次测评，各期分别按当期的匿名规则处理。", s.small),
                  Spacer(1, 2 * mm), _history_table(data, s)]  # fmt: skip
    if progress is not None:
        progress(1, steps)
    if details:
        number = "四" if data.history else "三"
        story += [CondPageBreak(90 * mm), Paragraph(f"{number}、各单位分题结果与意见建议", s.h2)]
    for done, group in enumerate(details, start=2):
        story += _group_detail(data, group, s)
        if progress is not None:
            progress(done, steps)
    if progress is not None:
        progress(steps, steps)
    return story


def render_campaign_pdf(
    data: CampaignReport, *, font: str | None = None, tz: Any = None,
    progress: Progress | None = None,
) -> bytes:  # fmt: skip
    styles = make_styles(font)
    footer = (
        f"督导 Dudao · 生成于 {generated_at(tz)} · 测评 {data.campaign_id} · {data.period_label}"
    )
    return build_a4(campaign_story(data, styles, tz, progress), styles.font, footer,
                    f"{data.title} 测评报告")  # fmt: skip
