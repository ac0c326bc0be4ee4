"""Analytics pages for the office and unit leads: scores with control limits, the unit ×
item heatmap, satisfaction, rectification on-time and inspection completion rates
(docs/analytics.md).

Every page reads the unit subtree chosen in the URL (inside the viewer's VIEW_RESULTS
scope) through analytics/queries.py, rates.py and satisfaction.py, and shows each
chart as SVG beside its data table.
"""

from __future__ import annotations

from bisect import bisect_left
from urllib.parse import quote, urlencode

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from dudao.analytics import charts, queries, rates
from dudao.analytics.picker import Picked, pick
from dudao.analytics.satisfaction import satisfaction as satisfaction_data
from dudao.core.permissions import Permission
from dudao.reports.charts import to_svg
from dudao.scheduling.recurrence import org_today
from dudao.surveys.results_views import REASONS
from dudao.web.access import requires
from dudao.web.context import db, runtime
from dudao.web.setup import select_locale

bp = Blueprint("analytics", __name__, url_prefix="/analytics", template_folder="templates")

#: Failure-rate bins of the heatmap (upper bounds in per cent); the legend lists them.
HEAT_BINS = (0.0, 5.0, 10.0, 20.0, 40.0, 100.0)
SIGNALS = {"above": _l("Above the upper limit"), "below": _l("Below the lower limit"),
           "run": _l("8 or more periods on one side of the centre line")}  # fmt: skip


def heat_class(rate: float | None) -> str:
    return "heat-none" if rate is None else f"heat-{bisect_left(HEAT_BINS, rate)}"


def _heat_rows(result: queries.Heatmap, first: str, last: str) -> list[tuple[str, Markup]]:
    """Per row: the inspections list URL for its results, and its cells as HTML. Built here in
    one pass because the table has 10,000 cells for 250 branches. A cell holds only its
    colour band, its number and (when the item failed) its failures: static/analytics/
    heatmap.js turns those into links from the row's URL and the column's item, so the page
    does not repeat a long URL per cell (docs/analytics.md). A 0 cell has no class."""
    common = urlencode({"definition": result.definition, "due_from": first, "due_to": last})
    base = url_for("inspections.office")
    rows = [*result.rows, result.total] if result.total else list(result.rows)
    built = []
    for row in rows:
        url = f"{base}?unit={quote(row.code)}&{common}" + ("" if row.subtree else "&subtree=0")
        html = []
        for cell in row.cells:
            if not cell.inspections:
                html.append('<td class="heat-none">—</td>')
            elif not cell.failures:
                html.append("<td>0</td>")
            else:
                rate = 100.0 * cell.failures / cell.inspections
                shown = "&lt;1" if rate < 0.5 else round(rate)
                html.append(f'<td class="{heat_class(rate)}" data-n="{cell.failures}">{shown}</td>')
        built.append((url, Markup("".join(html))))
    return built


def _page(template: str, picked: Picked, **context: object) -> tuple[str, int]:
    return render_template(
        f"analytics/{template}", picked=picked, locale=select_locale(),
        checklists=queries.checklists(db(), select_locale()), **context,
    ), 200  # fmt: skip


def _tz() -> str:
    return runtime().settings.timezone


@bp.get("")
@requires(Permission.VIEW_RESULTS)
def index() -> tuple[str, int]:
    return _page("index.html", pick())


@bp.get("/scores")
@requires(Permission.VIEW_RESULTS)
def scores() -> tuple[str, int]:
    picked = pick()
    baseline = _baseline(picked.errors)
    series = (
        queries.scores(db(), picked.paths, picked.filters, select_locale(), baseline)
        if picked.filters else []
    )  # fmt: skip
    labels = {"mean": _("Mean score"), "center": _("Centre line"),
              "limits": _("Control limits (±3σ)"), "signal": _("Signal")}  # fmt: skip
    svgs = [to_svg(charts.control_chart(s.chart, s.title, labels), s.title) for s in series]
    return _page("scores.html", picked, series=list(zip(series, svgs, strict=True)),
                 signals=SIGNALS, baseline=baseline)  # fmt: skip


def _baseline(errors: list[str]) -> int | None:
    """The baseline periods asked for (2 to 60); a value outside them is named among the
    page's errors, and the default baseline (the first half) is used."""
    raw = request.args.get("baseline", "").strip()
    value = int(raw) if raw.isdigit() else None
    if raw and not (value and 2 <= value <= 60):
        errors.append(_("Baseline periods: “%(value)s” is not a whole number from 2 to 60; "
                        "the first half of the periods is used.", value=raw))  # fmt: skip
        return None
    return value


@bp.get("/heatmap")
@requires(Permission.VIEW_RESULTS)
def heatmap() -> tuple[str, int]:
    picked = pick()
    result = None
    mode = request.args.get("rows", queries.CHILDREN)
    mode = mode if mode in (queries.CHILDREN, queries.BRANCHES) else queries.CHILDREN
    if picked.filters:
        if not picked.filters.definition:
            key = queries.busiest_checklist(db(), picked.paths, picked.filters)
            picked.filters = queries.Filters(picked.filters.unit, picked.range, key)
        if picked.filters.definition:
            result = queries.heatmap(db(), picked.paths, picked.filters, select_locale(), mode)
    return _page("heatmap.html", picked, heatmap=result,
                 built=_heat_rows(result, picked.range.first.isoformat(),
                                  picked.range.last.isoformat()) if result else [],
                 bins=HEAT_BINS, mode=mode)  # fmt: skip


@bp.get("/satisfaction")
@requires(Permission.VIEW_RESULTS)
def satisfaction() -> tuple[str, int]:
    picked = pick()
    result = (
        satisfaction_data(db(), picked.paths, picked.filters, _tz(), select_locale())
        if picked.filters else None
    )  # fmt: skip
    svgs = []
    for s in result.series if result else ():
        labels = [p.period for p in s.points]
        periods = [f"{x} #{p.campaign_id}" if labels.count(x) > 1 else x
                   for x, p in zip(labels, s.points, strict=True)]  # fmt: skip
        lines = [
            charts.Series(_("Satisfaction index"), [p.mean for p in s.points]),
            charts.Series(_("95 per cent interval"), [p.low for p in s.points], charts.GREY,
                          (3, 3)),
            charts.Series("", [p.high for p in s.points], charts.GREY, (3, 3)),
        ]  # fmt: skip
        low = min([p.low for p in s.points if p.low is not None] or [0])
        chart = charts.line_chart(periods, lines, s.title, bottom=max(0, (int(low) // 10 - 1) * 10))
        svgs.append(to_svg(chart, s.title))
    return _page("satisfaction.html", picked, result=result, svgs=svgs, reasons=REASONS)


@bp.get("/rectifications")
@requires(Permission.VIEW_RESULTS)
def rectifications() -> tuple[str, int]:
    picked = pick()
    rows = (
        rates.rectification_rates(db(), picked.paths, picked.filters, org_today(db()), _tz())
        if picked.filters else []
    )  # fmt: skip
    title = _("Rectifications verified by their deadline, per cent")
    line = charts.Series(_("Verified by the deadline"), [r.rate for r in rows])
    svg = to_svg(charts.line_chart([r.label for r in rows], [line], title), title) if rows else ""
    return _page("rectifications.html", picked, rows=rows, svg=svg, title=title)


@bp.get("/completion")
@requires(Permission.VIEW_RESULTS)
def completion() -> tuple[str, int]:
    picked = pick()
    result = (
        rates.completion(db(), picked.paths, picked.filters, org_today(db()), _tz())
        if picked.filters else None
    )  # fmt: skip
    title = _("Inspections completed by their due date, per cent")
    svg = ""
    if result:
        periods = [r.label for r in result.by_period["schedules"]]
        lines = [charts.Series(_("Schedules"), [r.rate for r in result.by_period["schedules"]]),
                 charts.Series(_("Draws"), [r.rate for r in result.by_period["draws"]],
                               charts.RED, (5, 3))]  # fmt: skip
        svg = to_svg(charts.line_chart(periods, lines, title), title)
    return _page("completion.html", picked, result=result, svg=svg, title=title)
