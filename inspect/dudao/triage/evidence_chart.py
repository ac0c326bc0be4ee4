"""The series behind a flag with its limit, as a chart (a ReportLab drawing, so the page
and a PDF can share it) and the numbers of its table."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

from dudao.core.numbers import one_decimal
from dudao.reports.charts import label_width, to_svg
from dudao.trends.models import Flag
from dudao.triage.months import span


@dataclass
class Series:
    """A series over periods with its limit: the chart and its data table."""

    title: str
    periods: list[str]
    values: list[float | None]
    limit: float | None
    limit_label: str
    value_label: str
    #: (failures, inspections) per period, where the values are rates of them
    counts: list[tuple[int, int]] | None = None
    #: The period shown that is the month under way: its figures are what came in so far
    #: (a failure rate of 0 from one inspection, not a problem gone)
    unfinished: str | None = None

    def __post_init__(self) -> None:
        if self.unfinished not in self.periods:
            self.unfinished = None


def series(flag: Flag, month: str) -> Series | None:
    """The series behind the flag, where the rule produced one; `month` ("2026-11") is the
    organisation's current month."""
    e = flag.evidence or {}
    periods = list(e.get("periods") or [])
    if flag.rule == "deterioration" and e.get("scores"):
        # Flags from before `baseline_score` have the baseline on the arcsine scale only
        # (when `transform` is on), which cannot be drawn against the scores.
        limit = e.get("baseline_score")
        if limit is None and not e.get("transform", True):
            limit = e.get("baseline_mean")
        scores = [_tenth(v) for v in e["scores"]]  # stored to 0.01, shown like the mean
        return Series(_("Score per period"), periods, scores, _tenth(limit),
                      _("Mean score before the decline"), _("Score"), unfinished=month)  # fmt: skip
    if flag.rule == "cross_unit" and e.get("failures_series"):
        rates = [
            _tenth(100 * f / n) if n else None
            for f, n in zip(e["failures_series"], e.get("inspections_series") or [], strict=False)
        ]
        base = e.get("baseline_rate")
        counts = list(zip(e["failures_series"], e.get("inspections_series") or [], strict=False))
        limit = _("Baseline rate")
        if e.get("baseline_months"):  # the months it was measured on (not the months shown)
            limit = _("Baseline rate (%(months)s)", months=span(e["baseline_months"]))
        return Series(_("Failure rate per period, per cent"), periods[: len(rates)], rates,
                      _tenth(100 * base if base is not None else None),
                      limit, _("Failure rate, per cent"), counts, month)  # fmt: skip
    return None


def _tenth(value: float | None) -> float | None:
    return None if value is None else one_decimal(value)


def chart_svg(data: Series) -> str:
    """The series as inline SVG for the page (CSP safe, no script)."""
    return to_svg(chart_drawing(data), data.title)


def chart_drawing(data: Series, font: str = "Helvetica") -> Drawing:
    """The series as a ReportLab drawing (for the page and a PDF): the values, the limit
    as a dashed line, and the month under way as an open point apart from the line."""
    drawing = Drawing(480, 200)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 40, 40, 420, 122
    values = list(data.values)
    lines = [values]
    if data.limit is not None:
        lines.append([data.limit] * len(values))
    # The month under way is a point of its own, not joined to the line: what came in so
    # far (one inspection, say) is not a fall or a rise.
    unfinished = data.periods.index(data.unfinished) if data.unfinished else None
    if unfinished is not None:
        lines.append([None] * len(values))
        lines[-1][unfinished], values[unfinished] = values[unfinished], None
    chart.data = lines
    chart.categoryAxis.categoryNames = [
        f"{p}*" if p == data.unfinished else p for p in data.periods
    ]
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    known = [v for v in data.values if v is not None] + (
        [data.limit] if data.limit is not None else []
    )
    top = max(known or [1])
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top * 1.15 if top > 0 else 1
    chart.lines[0].strokeColor = colors.HexColor("#1f5f99")
    chart.lines[0].strokeWidth = 2
    chart.lines[0].symbol = makeMarker("FilledCircle", size=4)
    if data.limit is not None:
        chart.lines[1].strokeColor = colors.HexColor("#8b1a1a")
        chart.lines[1].strokeDashArray = [4, 3]
    if unfinished is not None:  # an open circle, no line
        chart.lines[len(lines) - 1].strokeColor = None
        chart.lines[len(lines) - 1].symbol = makeMarker(
            "Circle", size=5, strokeColor=colors.HexColor("#1f5f99"), strokeWidth=1.5,
            fillColor=colors.white)  # fmt: skip
    for labels in (chart.categoryAxis.labels, chart.valueAxis.labels):
        labels.fontName, labels.fontSize = font, 8
    drawing.add(chart)
    legend = [(data.value_label, "#1f5f99", None)]
    if data.limit is not None:
        legend.append((data.limit_label, "#8b1a1a", [4, 3]))
    x = chart.x
    for label, color, dash in legend:  # one row under the title, as long as its labels
        drawing.add(Line(x, 177, x + 20, 177, strokeColor=colors.HexColor(color),
                         strokeWidth=2, strokeDashArray=dash))  # fmt: skip
        drawing.add(String(x + 24, 174, label, fontName=font, fontSize=8))
        x += 24 + label_width(label, 8, font) + 16
    drawing.add(String(drawing.width / 2, 188, data.title, fontName=font, fontSize=10,
                       textAnchor="middle"))  # fmt: skip
    return drawing
