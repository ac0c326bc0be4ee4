"""The inspection report (检查报告): an A4 document an office can sign and hand upward."""

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

from dudao.core.numbers import one_decimal
from dudao.reports.inspection_data import InspectionReport
from dudao.reports.inspection_text import ORIGINS, REVIEW, TEXT, VERDICTS, Text
from dudao.reports.pdfkit import (
    FAIL_BG,
    FAIL_INK,
    HEAD_BG,
    PASS_INK,
    RULE,
    Styles,
    build_a4,
    esc,
    generated_at,
    make_styles,
    para,
    table,
    thumbnail,
)

Progress = Callable[[int, int], None]
WIDTH = A4[0] - 36 * mm


def _grid(rows: list[list[Any]], widths: list[float], font: str, head: bool = True) -> Any:
    grid = table(rows, font, colWidths=widths, repeatRows=1 if head else 0)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if head:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEAD_BG))
    grid.setStyle(TableStyle(commands))
    return grid


def _header(report: InspectionReport, s: Styles, t: Text) -> list[Any]:
    def label(key: str) -> Paragraph:
        return Paragraph(esc(t(key)), s.cell_head)

    checklist = t("aside", text=report.definition_title,
                  aside=t("version", n=report.version_number))  # fmt: skip
    rows = [
        [label("unit"), para(t("aside", text=report.unit_name, aside=report.unit_code), s.cell),
         label("origin"), para(t.pick(ORIGINS, report.origin), s.cell)],
        [label("checklist"), para(checklist, s.cell),
         label("state"), para(report.state_label, s.cell)],
        [label("inspectors"), para(t("and").join(report.inspectors) or "—", s.cell),
         label("due"), para(report.due_date, s.cell)],
        [label("submitted"),
         para(" ".join(x for x in (report.submitted_at, report.submitted_by) if x) or "—", s.cell),
         label("review"),
         para(" ".join(x for x in (t.pick(REVIEW, report.review_state) if report.review_state
                                   else "", report.reviewed_by) if x) or "—", s.cell)],
    ]  # fmt: skip
    if report.reason:
        rows.append([label("reason"), para(report.reason, s.cell), "", ""])
    header = table(
        rows, s.font, colWidths=[22 * mm, WIDTH / 2 - 22 * mm, 22 * mm, WIDTH / 2 - 22 * mm]
    )
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("BACKGROUND", (0, 0), (0, -1), HEAD_BG),
        ("BACKGROUND", (2, 0), (2, -1), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if report.reason:
        style.append(("SPAN", (1, len(rows) - 1), (3, len(rows) - 1)))
    header.setStyle(TableStyle(style))
    return [header]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{one_decimal(value):.1f}%"


def _result(report: InspectionReport, s: Styles, t: Text) -> list[Any]:
    out: list[Any] = [Paragraph(esc(t("result")), s.h2)]
    if report.percent is None and report.passed is None:
        return [*out, para(t("not_submitted"), s.body)]
    outcome = t("passed") if report.passed else t("failed_critical")
    summary = table(
        [[para(t("score"), s.center), para(t("grade"), s.center), para(t("outcome"), s.center)],
         [para(_percent(report.percent), s.center), para(report.grade or "—", s.center),
          para(outcome, s.passed if report.passed else s.fail)]],
        s.font,
        colWidths=[WIDTH / 3] * 3,
    )  # fmt: skip
    summary.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                ("FONTSIZE", (0, 1), (-1, 1), 14),
            ]
        )
    )
    rows = [[para(t(k), s.center) for k in ("section", "earned", "possible", "rate", "failures")]]
    for section in report.sections:
        if not section.possible and not section.failed:
            continue
        rows.append(
            [para(section.title, s.cell), para(f"{section.earned:g}", s.center),
             para(f"{section.possible:g}", s.center), para(_percent(section.percent), s.center),
             para(str(section.failed), s.fail if section.failed else s.center)]
        )  # fmt: skip
    out += [summary, Spacer(1, 3 * mm), Paragraph(esc(t("sections")), s.body), Spacer(1, 1 * mm)]
    out.append(_grid(rows, [WIDTH - 4 * 25 * mm, 25 * mm, 25 * mm, 25 * mm, 25 * mm], s.font))
    return out


def _items(report: InspectionReport, s: Styles, t: Text, progress: Progress | None) -> list[Any]:
    out: list[Any] = [CondPageBreak(40 * mm), Paragraph(esc(t("items")), s.h2)]
    widths = [12 * mm, WIDTH - 12 * mm - 52 * mm - 18 * mm, 52 * mm, 18 * mm]
    total, done = report.item_count, 0
    for section in report.sections:
        if not section.items:
            continue
        rows: list[list[Any]] = [
            [t("no"), para(section.title, s.cell_head), t("answer"), t("verdict")]
        ]  # fmt: skip
        style: list[tuple[Any, ...]] = []
        for row in section.items:
            label = esc(row.item.label.get("en" if t.index else "zh"))
            if row.critical:
                label += f' <font color="#b3261e">★{esc(t("critical"))}</font>'
            verdict = t.pick(VERDICTS, row.verdict) if row.verdict else ""
            # Short fixed texts are plain cells (no Paragraph to parse): half the layout time.
            rows.append([row.number, Paragraph(label, s.cell), para(row.answer, s.cell), verdict])
            here = len(rows) - 1
            if row.verdict in ("fail", "pass"):
                colour = FAIL_INK if row.verdict == "fail" else PASS_INK
                style.append(("TEXTCOLOR", (3, here), (3, here), colour))
            if row.verdict == "fail":
                style.append(("BACKGROUND", (0, here), (-1, here), FAIL_BG))
            extra = [t("labelled", label=t("note"), value=row.note) if row.note else "",
                     t("labelled", label=t("comment"), value=row.comment) if row.comment
                     else ""]  # fmt: skip
            for line in (x for x in extra if x):
                rows.append(["", para(line, s.small), "", ""])
                style.append(("SPAN", (1, len(rows) - 1), (3, len(rows) - 1)))
            if row.photo_paths:
                rows.append(["", _photo_strip(row.photo_paths, s.font), "", ""])
                style.append(("SPAN", (1, len(rows) - 1), (3, len(rows) - 1)))
            elif row.hidden_photos:
                hidden = "photo_hidden" if row.hidden_photos == 1 else "photos_hidden"
                rows.append(["", para(t(hidden, n=row.hidden_photos), s.small), "", ""])
                style.append(("SPAN", (1, len(rows) - 1), (3, len(rows) - 1)))
            if len(rows) - 1 > here:  # an item stays on one page with its notes and photos
                style.append(("NOSPLIT", (0, here), (-1, len(rows) - 1)))
            done += 1
            if progress is not None:
                progress(done, total)
        grid = _grid(rows, widths, s.font)
        grid.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 9),
                                  ("ALIGN", (0, 0), (0, -1), "CENTER"),
                                  ("ALIGN", (3, 0), (3, -1), "CENTER"),
                                  ("ALIGN", (2, 0), (2, 0), "CENTER"), *style]))  # fmt: skip
        out += [grid, Spacer(1, 3 * mm)]
    return out


def _photo_strip(paths: tuple[Any, ...], font: str) -> Any:
    box = (36 * mm, 27 * mm)  # four to a row inside the spanned cell
    cells = [thumbnail(path, box) for path in paths]
    per_row = 4
    rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
    rows[-1] += [""] * (per_row - len(rows[-1]))
    strip = table(rows, font, colWidths=[box[0] + 3 * mm] * per_row, hAlign="LEFT")
    strip.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return strip


def _findings(report: InspectionReport, s: Styles, t: Text) -> list[Any]:
    out: list[Any] = [CondPageBreak(35 * mm), Paragraph(esc(t("findings")), s.h2)]
    if not report.findings:
        return [*out, para(t("no_findings"), s.body)]
    rows = [[para(t(k), s.center) for k in ("item", "note", "task", "owner", "deadline",
                                              "task_state")]]  # fmt: skip
    for f in report.findings:
        label = esc(f.item_label)
        if f.critical:
            label += f' <font color="#b3261e">★{esc(t("critical"))}</font>'
        rows.append(
            [Paragraph(label, s.cell), para(f.note, s.cell), para(f.task, s.cell),
             para(f.owner, s.cell), para(f.deadline, s.center),
             para(f.state or t("not_opened"), s.center)]
        )  # fmt: skip
    widths = [40 * mm, 32 * mm, WIDTH - 40 * mm - 32 * mm - 26 * mm - 22 * mm - 20 * mm,
              26 * mm, 22 * mm, 20 * mm]  # fmt: skip
    return [*out, _grid(rows, widths, s.font)]


def _signatures(report: InspectionReport, s: Styles, t: Text) -> list[Any]:
    out: list[Any] = []
    if report.review_comment:
        out += [Paragraph(esc(t("review_comment")), s.h2), para(report.review_comment, s.body)]
    line = "_" * 18
    rows = [
        [
            para(t("labelled", label=t(key), value=line), s.body),
            para(t("labelled", label=t("date"), value="_" * 12), s.body),
        ]
        for key in ("sign_inspector", "sign_unit", "sign_reviewer")
    ]
    lines = table(rows, s.font, colWidths=[WIDTH * 0.62, WIDTH * 0.38], rowHeights=[13 * mm] * 3)
    lines.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    out.append(KeepTogether([Paragraph(esc(t("signatures")), s.h2), lines]))
    return out


def inspection_story(
    report: InspectionReport, s: Styles, locale: str = "zh", progress: Progress | None = None
) -> list[Any]:
    """The flowables of one report (a batch concatenates several)."""
    t = Text(locale)
    story: list[Any] = [
        para(f"{report.definition_title}", s.title),
        para(f"{t('report')} · No. {report.inspection_id}", s.subtitle),
        *_header(report, s, t),
        *_result(report, s, t),
        *_items(report, s, t, progress),
        *_findings(report, s, t),
        *_signatures(report, s, t),
    ]
    return story


def render_inspection_pdf(
    report: InspectionReport,
    *,
    font: str | None = None,
    tz: Any = None,
    locale: str = "zh",
    progress: Progress | None = None,
) -> bytes:
    """The PDF bytes of one inspection report."""
    styles = make_styles(font, locale)
    story = inspection_story(report, styles, locale, progress)
    t = Text(locale)
    footer = t("generated", at=generated_at(tz)) + f" · No. {report.inspection_id}"
    return build_a4(story, styles.font, footer, f"{report.definition_title} {t('report')}",
                    pages=TEXT["pages"][t.index], subject=report.unit_name,
                    creator="Dudao")  # fmt: skip
