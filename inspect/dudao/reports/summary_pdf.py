"""The period summary (督导工作小结) as an A4 PDF with charts, in the summary's language."""

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
    generated_at,
    grid,
    make_styles,
    numbered,
    para,
    table,
)
from dudao.reports.services import Gettext, gettext_for
from dudao.reports.summary import Summary

WIDTH = A4[0] - 36 * mm
Progress = Callable[[int, int], None]


def _figures(summary: Summary, s: Styles, _: Gettext) -> Any:
    average = "—" if summary.average is None else f"{summary.average:.1f}%"
    heads = [_("Planned (inspections)"), _("Done (inspections)"), _("Completion rate"),
             _("Average score"), _("Overdue (rectification tasks)")]  # fmt: skip
    values = [summary.planned, summary.done, summary.completion, average, summary.overdue_count]
    cells = [[para(h, s.center) for h in heads], [para(v, s.center) for v in values]]
    figures = table(cells, s.font, colWidths=[WIDTH / 5] * 5)
    figures.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, RULE),
                                 ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                                 ("TOPPADDING", (0, 1), (-1, 1), 6),
                                 ("BOTTOMPADDING", (0, 1), (-1, 1), 6)]))  # fmt: skip
    return figures


def summary_story(
    summary: Summary, s: Styles, _: Gettext, progress: Progress | None = None
) -> list[Any]:
    steps = 6 + len(summary.sections)
    step = 0

    def tick() -> None:
        nonlocal step
        step += 1
        if progress is not None:
            progress(step, steps)

    period = summary.period

    def heading(number: int, title: str) -> Paragraph:
        return numbered(number, title, s, summary.locale)

    story: list[Any] = [
        para(_("%(unit)s: period summary") % {"unit": summary.unit_name}, s.title),
        para(_("%(period)s (%(start)s to %(end)s)") % {"period": period.key,
             "start": period.start.isoformat(), "end": period.end.isoformat()}, s.subtitle),
        heading(1, _("Key figures")), _figures(summary, s, _), Spacer(1, 3 * mm),
    ]  # fmt: skip
    tick()
    charts = table([[grade_chart(summary.grades, s.font, _("Grade distribution")),
                     monthly_chart(summary.monthly, s.font, _("Monthly average score, per cent"))]],
                   s.font, colWidths=[WIDTH / 2] * 2)  # fmt: skip
    story += [charts]
    tick()
    story += [CondPageBreak(60 * mm), heading(2, _("Items failed most often (top 10)"))]
    if summary.failures:
        story += [failure_chart(summary.failures, s.font, _("Failures")),
                  grid([[_("Checklist item"), _("Failures")], *summary.failures], s,
                        [WIDTH - 30 * mm, 30 * mm])]  # fmt: skip
    else:
        story.append(para(_("No item failed in this period."), s.body))
    tick()
    story += [CondPageBreak(40 * mm), heading(3, _("Units ranked by average score"))]
    ranking = [[str(place), name, code, f"{avg:.1f}%", n]
               for place, code, name, avg, n in summary.units]  # fmt: skip
    heads = [_("Rank"), _("Unit"), _("Code"), _("Average score"), _("Number of inspections")]
    widths = [14 * mm, WIDTH - 88 * mm, 24 * mm, 26 * mm, 24 * mm]  # 'Number of inspections'
    story.append(grid([heads, *ranking], s, widths) if ranking
                 else para(_("No inspection was submitted in this period."), s.body))  # fmt: skip
    tick()
    story += [CondPageBreak(40 * mm), heading(4, _("Rectifications that missed their deadline"))]
    story.append(para(_("%(due)d rectification tasks were due this quarter; %(late)d of them "
                        "missed their deadline (still open after it, or verified after it).")
                      % {"due": summary.rectifications_due, "late": summary.overdue_count},
                      s.body))  # fmt: skip
    if summary.overdue:
        heads = [_("Responsible unit"), _("Required action"), _("Rectification deadline"),
                 _("Status")]  # fmt: skip
        # The status holds a date ("已验收 2026-10-24", "Verified 2026-10-24"): wide enough
        # for it on one line, not cut at a hyphen.
        story.append(grid([heads, *summary.overdue], s,
                          [44 * mm, WIDTH - 104 * mm, 24 * mm, 36 * mm]))  # fmt: skip
        if summary.overdue_count > len(summary.overdue):
            more = summary.overdue_count - len(summary.overdue)
            story.append(para(_("%(n)d more not listed.") % {"n": more}, s.small))
    tick()
    story += [CondPageBreak(30 * mm), heading(5, _("Random spot checks"))]
    draws = [[t, d, n, _("public") if p else _("not public")] for t, d, n, p in summary.draws]
    heads = [_("Draw"), _("Drawn on"), _("Inspections drawn"), _("Made public")]
    story.append(grid([heads, *draws], s, [WIDTH - 74 * mm, 26 * mm, 28 * mm, 20 * mm])
                 if draws else para(_("No random spot check in this period."), s.body))  # fmt: skip
    tick()
    for number, section in enumerate(summary.sections, start=6):
        story += [CondPageBreak(30 * mm), heading(number, section.title)]
        if section.note:
            story.append(para(section.note, s.small))
        story += [_fit(chart) for chart in section.charts]
        widths = [WIDTH * share for share in section.widths] or None
        story.append(grid([section.headers, *section.rows], s, widths))
        tick()
    return story


def _fit(drawing: Any) -> Any:
    """A drawing scaled down to the text width (charts of other features may be wider)."""
    if drawing.width > WIDTH:
        factor = WIDTH / drawing.width
        drawing.scale(factor, factor)
        drawing.width, drawing.height = WIDTH, drawing.height * factor
    return drawing


def render_summary_pdf(
    summary: Summary, *, font: str | None = None, tz: Any = None, progress: Progress | None = None
) -> bytes:
    styles = make_styles(font, summary.locale)
    _ = gettext_for(summary.locale)
    key = {"unit": summary.unit_code, "period": summary.period.key}
    footer = _("Dudao · generated %(at)s · %(unit)s %(period)s") % {"at": generated_at(tz), **key}
    title = _("%(unit)s %(period)s period summary") % {**key, "unit": summary.unit_name}
    # TRANSLATORS: the page numbers at the foot of every page; keep {n} and {total}.
    pages = _("Page {n} of {total}")
    return build_a4(summary_story(summary, styles, _, progress), styles.font, footer, title,
                    pages=pages)  # fmt: skip
