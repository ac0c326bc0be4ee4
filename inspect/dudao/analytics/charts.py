"""Analytics charts as ReportLab Drawings: the page shows them as SVG (reports/charts.to_svg),
a PDF draws the same object. Every chart sits beside a data table on the page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

from dudao.analytics.control import ControlChart
from dudao.reports.charts import label_width

BLUE, RED, GREY, GREEN = "#1f5f99", "#8b1a1a", "#6b6b6b", "#2e7d32"
WIDTH, HEIGHT = 640, 250


@dataclass(frozen=True)
class Series:
    """One series: its legend label, values (None = no point), colour, dash, markers."""

    label: str
    values: Sequence[float | None]
    color: str = BLUE
    dash: tuple[int, int] | None = None
    marker: str | None = "FilledCircle"
    joined: bool = True


def line_chart(
    periods: Sequence[str], lines: Sequence[Series], title: str, font: str = "Helvetica",
    top: float | None = 100, bottom: float = 0,
) -> Drawing:  # fmt: skip
    """Lines over periods on a `bottom`–`top` scale (`top` None: from the data), legend above."""
    drawing = Drawing(WIDTH, HEIGHT)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 45, 45, WIDTH - 65, HEIGHT - 100
    lines = [line for line in lines if any(v is not None for v in line.values)]
    if not lines:  # axes only (ReportLab cannot draw a series without points)
        lines = [Series("", [0] * max(len(periods), 1), "#ffffff", marker=None)]
    chart.data = [list(line.values) for line in lines]
    chart.categoryAxis.categoryNames = list(periods) or ["—"]
    if len(periods) > 8:
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
    known = [v for line in lines for v in line.values if v is not None]
    chart.valueAxis.valueMin = bottom
    chart.valueAxis.valueMax = top if top is not None else max(max(known or [1]) * 1.15, 1)
    if top == 100:
        chart.valueAxis.valueStep = 20 if bottom < 50 else 10 if bottom < 80 else 5
    for i, line in enumerate(lines):
        style = chart.lines[i]
        style.strokeColor = colors.HexColor(line.color)
        style.strokeWidth = 2 if line.joined else 0.01
        if line.dash:
            style.strokeDashArray = list(line.dash)
        if line.marker:
            style.symbol = makeMarker(line.marker, size=5 if line.joined else 8)
            style.symbol.fillColor = colors.HexColor(line.color)
    for labels in (chart.categoryAxis.labels, chart.valueAxis.labels):
        labels.fontName, labels.fontSize = font, 9
    drawing.add(chart)
    x = 45
    y = HEIGHT - 40
    for line in (line for line in lines if line.label):  # a legend in one row above the plot
        drawing.add(Line(x, y + 3, x + 18, y + 3, strokeColor=colors.HexColor(line.color),
                         strokeWidth=2 if line.joined else 0,
                         strokeDashArray=list(line.dash) if line.dash else None))  # fmt: skip
        if not line.joined:
            drawing.add(makeMarker(line.marker or "FilledCircle", x=x + 9, y=y + 3, size=7,
                                   fillColor=colors.HexColor(line.color)))  # fmt: skip
        drawing.add(String(x + 22, y, line.label, fontName=font, fontSize=9))
        x += 34 + label_width(line.label, 9)
    drawing.add(String(WIDTH / 2, HEIGHT - 18, title, fontName=font, fontSize=11,
                       textAnchor="middle"))  # fmt: skip
    return drawing


def control_chart(
    chart: ControlChart, title: str, labels: dict[str, str], font: str = "Helvetica"
) -> Drawing:
    """Period means, the centre line, the control limits and the signals (control.py).

    `labels` names the legend entries: mean, center, limits, signal."""
    periods = [p.period for p in chart.points]
    lines = [Series(labels["mean"], [p.mean for p in chart.points])]
    if chart.center is not None:
        lines += [
            Series(labels["center"], [chart.center] * len(periods), GREY, (6, 3), None),
            Series(labels["limits"], [p.ucl for p in chart.points], RED, (3, 3), None),
            Series("", [p.lcl for p in chart.points], RED, (3, 3), None),
        ]
    signals = [p.mean if p.signal else None for p in chart.points]
    if any(v is not None for v in signals):
        lines.append(Series(labels["signal"], signals, RED, None, "FilledDiamond", joined=False))
    # Zoom in on the scores: from a round number below the lowest mean or limit.
    low = min([v for line in lines for v in line.values if v is not None] or [0])
    return line_chart(periods, lines, title, font, bottom=max(0, (int(low) // 10 - 1) * 10))
