"""Charts as ReportLab Drawings: the same object goes into the PDF and, as SVG, into the page.

Labels are plain strings drawn as text (never markup); in SVG they become escaped
text nodes.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

BAR = colors.HexColor("#8b1a1a")
LINE = colors.HexColor("#1f5f99")


LABEL_SIZE = 8  # points, every axis label


def _shorten(text: str, font: str, width: float) -> str:
    """`text` cut to `width` points with an ellipsis: measured, not counted, since a Chinese
    character is about twice as wide as a Latin letter ("Excellent" fits where 优秀 does)."""
    if stringWidth(text, font, LABEL_SIZE) <= width:
        return text
    while text and stringWidth(text + "…", font, LABEL_SIZE) > width:
        text = text[:-1]
    return text + "…"


def _counts(chart: VerticalBarChart | HorizontalBarChart, counts: list[int], font: str) -> None:
    """A count axis read at a glance: steps of 1, 2 or 5 times a power of ten, the top tick
    at or above the largest bar (steps of a fifth of it, 19 or 38, left the tallest bar
    above the last tick), and each bar's count written at its end."""
    top = max(counts or [0]) or 1
    step = next(m * 10**e for e in range(len(str(top))) for m in (1, 2, 5) if m * 10**e * 5 >= top)
    axis = chart.valueAxis
    axis.valueMin, axis.valueStep, axis.valueMax = 0, step, step * -(-top // step)
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName, chart.barLabels.fontSize = font, 7


def grade_chart(grades: list[tuple[str, int]], font: str, title: str) -> Drawing:
    drawing = Drawing(230, 170)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 35, 30, 180, 110
    chart.data = [[n for _g, n in grades] or [0]]
    slot = chart.width / max(len(grades), 1) - 4  # a label no wider than its bar's share
    chart.categoryAxis.categoryNames = [_shorten(g, font, max(slot, 48)) for g, _n in grades] or [
        "—"
    ]
    _counts(chart, [n for _g, n in grades], font)
    chart.barLabels.nudge = 6
    chart.barWidth, chart.groupSpacing = 10, 12 if len(grades) > 2 else 40
    chart.bars[0].fillColor = BAR
    for axis in (chart.categoryAxis.labels, chart.valueAxis.labels):
        axis.fontName, axis.fontSize = font, LABEL_SIZE
    drawing.add(chart)
    drawing.add(String(115, 155, title, fontName=font, fontSize=10, textAnchor="middle"))
    return drawing


def failure_chart(failures: list[tuple[str, int]], font: str, title: str) -> Drawing:
    rows = list(reversed(failures)) or [("—", 0)]
    height = 40 + 16 * len(rows)
    drawing = Drawing(480, height + 20)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 200, 20, 260, height - 20
    chart.data = [[n for _l, n in rows]]
    chart.categoryAxis.categoryNames = [_shorten(label, font, 185) for label, _n in rows]
    _counts(chart, [n for _l, n in rows], font)
    chart.barLabels.nudge, chart.barLabels.boxAnchor = 4, "w"
    chart.bars[0].fillColor = BAR
    for axis in (chart.categoryAxis.labels, chart.valueAxis.labels):
        axis.fontName, axis.fontSize = font, LABEL_SIZE
    drawing.add(chart)
    drawing.add(String(240, height + 6, title, fontName=font, fontSize=10, textAnchor="middle"))
    return drawing


def monthly_chart(monthly: list[tuple[str, float | None, int]], font: str, title: str) -> Drawing:
    drawing = Drawing(230, 170)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 35, 30, 180, 110
    chart.data = [[value for _m, value, _n in monthly] or [None]]  # no point where no data
    chart.categoryAxis.categoryNames = [m for m, _v, _n in monthly] or ["—"]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.lines[0].strokeColor = LINE
    chart.lines[0].strokeWidth = 2
    # ReportLab refuses a line of fewer than two points (a quarter without inspections).
    chart.joinedLines = int(sum(value is not None for _m, value, _n in monthly) >= 2)
    chart.lines[0].symbol = makeMarker("FilledCircle", size=4)  # a lone month still shows
    for axis in (chart.categoryAxis.labels, chart.valueAxis.labels):
        axis.fontName, axis.fontSize = font, LABEL_SIZE
    drawing.add(chart)
    drawing.add(String(115, 155, title, fontName=font, fontSize=10, textAnchor="middle"))
    return drawing


def interval_chart(rows: list[tuple[str, float, float, float]], font: str, title: str) -> Drawing:
    """Horizontal bars of a 0–100 index (label, mean, low, high) with the interval as a line."""
    rows = list(reversed(rows)) or [("—", 0.0, 0.0, 0.0)]
    height = 40 + 16 * len(rows)
    drawing = Drawing(480, height + 20)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 200, 20, 260, height - 20
    chart.data = [[mean for _l, mean, _lo, _hi in rows]]
    chart.categoryAxis.categoryNames = [_shorten(label, font, 185) for label, *_v in rows]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.bars[0].fillColor = LINE
    for axis in (chart.categoryAxis.labels, chart.valueAxis.labels):
        axis.fontName, axis.fontSize = font, LABEL_SIZE
    drawing.add(chart)
    step = chart.height / len(rows)
    for index, (_label, _mean, low, high) in enumerate(rows):
        y = chart.y + step * (index + 0.5)
        x_low, x_high = (chart.x + chart.width * v / 100 for v in (low, high))
        for shape in (Line(x_low, y, x_high, y), Line(x_low, y - 3, x_low, y + 3),
                      Line(x_high, y - 3, x_high, y + 3)):  # fmt: skip
            shape.strokeColor, shape.strokeWidth = BAR, 1.2
            drawing.add(shape)
    drawing.add(String(240, height + 6, title, fontName=font, fontSize=10, textAnchor="middle"))
    return drawing


SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
_ids = itertools.count(1)


def label_width(text: str, size: float, font: str | None = None) -> float:
    """Width of a chart label, in the browser too: a CJK character is a full em there
    (wider than a PDF font's metrics for a glyph it lacks); other characters by the font's
    metrics, or about half an em without a font."""
    return sum(
        size if ord(c) >= 0x2E80 else stringWidth(c, font, size) if font else size * 0.55
        for c in text
    )


def to_svg(drawing: Drawing, title: str = "") -> str:
    """The drawing as an inline <svg> element for a page.

    ReportLab writes `style="..."` attributes, which the page's Content Security
    Policy (no inline styles) would drop; they become presentation attributes
    (fill="...", stroke="...") instead. Text is escaped by the XML serialiser.
    """
    root = ET.fromstring(renderSVG.drawToString(drawing).encode("utf-8"))
    clip = f"chart-clip-{next(_ids)}"  # unique, as several charts share a page
    for element in root.iter():
        style = element.attrib.pop("style", None)
        for declaration in (style or "").split(";"):
            name, _colon, value = declaration.partition(":")
            if name.strip() and value.strip():
                element.set(name.strip(), value.strip())
        if element.get("id") == "clip":
            element.set("id", clip)
        if element.get("id") == "group":  # ReportLab's name for every chart; nothing uses it
            del element.attrib["id"]
        if element.get("clip-path") == "url(#clip)":
            element.set("clip-path", f"url(#{clip})")
        if element.get("font-family"):
            element.set("font-family", "sans-serif")  # the PDF font is not a web font
    for tag in ("title", "desc"):
        found = root.find(f"{{{SVG_NS}}}{tag}")
        if found is not None:
            found.text = title
    root.set("role", "img")
    return ET.tostring(root, encoding="unicode")
