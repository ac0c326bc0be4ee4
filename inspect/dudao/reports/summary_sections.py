"""The period summary's sections from other features, registered on `register_summary_section`.

Open trend flags by severity, questionnaire results (only through the surveys
aggregation, so the anonymity thresholds hold), and the assessment's ranking and
tier moves (`dudao.assessment.queries`). Reports sit at the top of the dependency
order, so the builders live here and read the other features' public queries.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from dudao.core.database import org_timezone
from dudao.org.models import Unit
from dudao.org.queries import within
from dudao.reports.services import Period
from dudao.reports.summary import SummarySection, register_summary_section

SEVERITIES = (("high", "高"), ("medium", "中"), ("low", "低"))
MOVES = {"up": "上升", "down": "下降", "same": "持平"}
SIGNALS = {"above": "高于上限", "below": "低于下限", "run": "连续偏离"}
HIDDEN = {"small": "答卷不足，未显示", "within": "上级未显示", "complementary": "防推算，未显示"}


@register_summary_section
def open_flags(session: Session, unit: Unit, period: Period) -> SummarySection | None:
    """Open trend flags about units of the subtree, by severity (today's state)."""
    from dudao.trends.models import CLOSED_STATES, Flag

    rows = session.execute(
        select(Flag.severity, func.count(), func.sum(case((Flag.state == "new", 1), else_=0)))
        .join(Unit, Unit.id == Flag.unit_id)
        .where(within([unit.path]), Flag.state.not_in(CLOSED_STATES))
        .group_by(Flag.severity)
    ).all()
    counts = {severity: (n, int(new or 0)) for severity, n, new in rows}
    return SummarySection(
        "未关闭的问题线索",
        ["严重程度", "未关闭（条）", "其中待确认"],
        [[label, *counts.get(key, (0, 0))] for key, label in SEVERITIES],
        "趋势分析发现、尚未解决或排除的问题线索（截至生成日）。",
    )


@register_summary_section
def questionnaire_results(session: Session, unit: Unit, period: Period) -> SummarySection | None:
    """Campaigns closing in the period that cover the unit or lie inside its subtree, each
    through `aggregate` at the summary's unit (or the campaign's own scope below it)."""
    from dudao.reports.campaign_data import campaigns_in_scope

    tz = ZoneInfo(org_timezone(session))
    rows = []
    for campaign, report in campaigns_in_scope(session, tz, unit, period.start, period.end):
        top = report.groups[0]
        name = f"{top.name}（{top.code}）"
        if not top.shown:
            rows.append([campaign.title, name, HIDDEN.get(top.hidden or "", "未显示"), "", ""])
            continue
        sat = top.satisfaction
        rows.append([
            campaign.title, name, top.responses,
            "—" if top.rate is None else f"{top.rate:.1f}%",
            "进行中（仅计数）" if not report.final else
            "—" if sat is None else f"{sat.mean:.1f}（{sat.low:.1f}–{sat.high:.1f}）",
        ])  # fmt: skip
    if not rows:
        return None
    return SummarySection(
        "问卷测评结果",
        ["测评", "单位", "答卷数", "回收率", "满意度指数（95% 置信区间）"],
        rows,
        "经匿名保护处理：答卷少于测评规定人数的单位不显示；满意度在测评结束、答卷全部入库后显示。",
    )


@register_summary_section
def assessment_ranking(session: Session, unit: Unit, period: Period) -> SummarySection | None:
    """The assessment's ranking and tier moves in the subtree, when its period is this one."""
    from dudao.assessment.config import assessment_config
    from dudao.assessment.queries import ranking

    config = assessment_config()
    result = ranking(session, [unit.path], period.key)
    if result.period != period.key or not result.rows:
        return None
    rows = [
        [score.rank, f"{score.name}（{score.code}）", f"{score.composite:.1f}",
         (config.tier(score.tier).title() if config.tier(score.tier) else "—"),
         MOVES.get(score.move or "", "—")]
        for score in result.rows
    ]  # fmt: skip
    moves = "，".join(f"{MOVES[m]} {n} 个" for m, n in result.moves.items() if n)
    note = "考评与晋档：综合得分与档次" + (
        "（本期未结束，为暂定结果）" if result.provisional else ""
    )
    return SummarySection(
        "考评排名与档次变动",
        ["名次", "单位", "综合得分", "档次", "较上期"],
        rows,
        note + (f"；档次{moves}。" if moves else "。"),
    )


@register_summary_section
def score_trends(session: Session, unit: Unit, period: Period) -> SummarySection | None:
    """Monthly mean scores per checklist over the twelve months up to the period's end, with
    Shewhart control limits and signals (`dudao.analytics.queries.scores`)."""
    from dudao.analytics.charts import control_chart
    from dudao.analytics.periods import Range, shift_months
    from dudao.analytics.queries import Filters, scores
    from dudao.reports.fonts import register_font

    months = Range(shift_months(period.start, -9), period.end, "month")
    first = period.start.strftime("%Y-%m")
    series = [s for s in scores(session, [unit.path], Filters(unit, months))
              if any(p.n and p.period >= first for p in s.chart.points)]  # fmt: skip
    if not series:
        return None
    settings = session.info.get("settings")
    font = register_font(settings.pdf_font if settings else None)
    labels = {"mean": "月平均得分率", "center": "中心线", "limits": "控制限（±3σ）",
              "signal": "异常"}  # fmt: skip
    rows = [
        [s.title, p.period, p.n, f"{p.mean:.1f}%",
         "—" if p.lcl is None else f"{p.lcl:.1f}–{p.ucl:.1f}", SIGNALS.get(p.signal, "")]
        for s in series for p in s.chart.points if p.n
    ]  # fmt: skip
    return SummarySection(
        "得分趋势（近十二个月）",
        ["检查表", "月份", "检查次数", "平均得分率", "控制限", "信号"],
        rows,
        "每月平均得分率与控制限（前半段数据为基线，±3σ）；超出控制限或连续偏于中心线一侧的月份标为信号。",
        tuple(control_chart(s.chart, s.title, labels, font) for s in series),
    )
