"""The per-unit tables of the campaign report: section 二 (answers, response rate and
satisfaction by unit) and section 三 (the satisfaction index in earlier campaigns).

Both print the unit tree as `CampaignReport` folds it: a unit from which nothing came
stands, in words, for the units below it; a hidden unit prints why, never a number.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Table, TableStyle

from dudao.core.errors import N_, Message, Plural
from dudao.core.language import sentences_in
from dudao.reports.campaign_data import CampaignReport
from dudao.reports.pdfkit import TEXT_WIDTH, Styles, grid, para
from dudao.reports.services import Gettext, aside, catalogue_for
from dudao.surveys.aggregate import Group
from dudao.surveys.folding import Row

#: A unit's name and code keep at least this much of a table's width.
UNIT_MIN = 60 * mm
#: Text width a cell gives away to its padding (grid's 6 points a side) and a little air.
PADDING = 13


def units_table(data: CampaignReport, s: Styles, _: Gettext) -> Table:
    head = [_("Unit"), _("Responses"), _("Expected to answer"), _("Response rate"),
            _("Satisfaction index"), _("95 per cent confidence interval")]  # fmt: skip
    body: list[tuple[Row, list[Any] | str]] = []
    for row in data.unit_rows():
        group = row.group
        if not group.shown:
            body.append((row, _hidden(data, row)))
        elif row.quiet:
            body.append((row, _quiet(data, row, history=False)))
        else:
            sat = group.satisfaction
            body.append((row, [
                group.responses, group.invited or "—",
                "—" if group.rate is None else f"{group.rate:.1f}%",
                "—" if sat is None else f"{sat.mean:.1f}",
                "—" if sat is None else f"{sat.low:.1f}–{sat.high:.1f}",
            ]))  # fmt: skip
    # Figures need little room; the unit's name and code get the rest.
    widths = [20 * mm, 18 * mm, 18 * mm, 21 * mm, 24 * mm]
    return _tree_grid(head, body, [TEXT_WIDTH - sum(widths), *widths], s, _)


def history_table(data: CampaignReport, s: Styles, _: Gettext) -> Table:
    periods = [label for label, _cells in data.history]
    body: list[tuple[Row, list[Any] | str]] = []
    for row in data.history_rows():
        if row.quiet:
            body.append((row, _quiet(data, row, history=True)))
        else:
            body.append((row, [cells.get(row.group.unit_id, "—") for _l, cells in data.history]))
    texts = [*periods, *(cell for _row, cells in body if isinstance(cells, list) for cell in cells)]
    column = _column_width(texts, s, (TEXT_WIDTH - UNIT_MIN) / len(periods))
    widths = [TEXT_WIDTH - column * len(periods), *[column] * len(periods)]
    return _tree_grid([_("Unit"), *periods], body, widths, s, _)


def _column_width(texts: list[str], s: Styles, most: float) -> float:
    """As wide as the widest of `texts` on one line ("2025年第四季度" wrapped as "2025年第四季 /
    度"), at least 18 mm, at most `most`: a longer free-text period label wraps."""
    needed = max(stringWidth(str(t), s.cell.fontName, s.cell.fontSize) for t in texts) + PADDING
    return min(max(needed, 18 * mm), most)


def _quiet(data: CampaignReport, row: Row, *, history: bool) -> str:
    """What a folded row says instead of figures: no answers from the unit (and from the
    units below it), in this campaign or in every campaign of section 三."""
    num = row.below
    if history:
        words = Plural("No answers from this unit or the %(num)d unit below it in any of "
                       "these campaigns.", "No answers from this unit or the %(num)d units "
                       "below it in any of these campaigns.", num=num) if num else Message(
                       N_("No answers from this unit in any of these campaigns."))  # fmt: skip
    else:
        words = Plural("No answers from this unit or the %(num)d unit below it.",
                       "No answers from this unit or the %(num)d units below it.", num=num
                       ) if num else Message(N_("No answers from this unit."))  # fmt: skip
    language = catalogue_for(data.locale)
    text = words.in_language(language)
    if not history and row.group.invited:
        expected = Plural("%(num)d person was expected to answer.",
                          "%(num)d people were expected to answer.",
                          num=row.group.invited)  # fmt: skip
        text = sentences_in(data.locale, text, expected.in_language(language))
    return text


def _hidden(data: CampaignReport, row: Row) -> str:
    """Why a hidden unit has no figures, and that the units folded under it have none."""
    if not row.below:
        return data.reason(row.group)
    nor = Plural("Nor is the %(num)d unit below it.", "Nor are the %(num)d units below it.",
                 num=row.below).in_language(catalogue_for(data.locale))  # fmt: skip
    return sentences_in(data.locale, data.reason(row.group), nor)


def _unit_name(group: Group, room: float, s: Styles, _: Gettext) -> str:
    """The unit's "name (code)"; where a Chinese name wraps (at any character) and the two
    do not fit on one line, the code begins a line of its own, so it is never split
    ("HC02-07-" / "04）")."""
    named = aside(_, group.name, group.code)
    if s.cell.wordWrap != "CJK" or _lines(named, s, room) == 1:
        return named
    return aside(_, f"{group.name}\n", group.code)


def _lines(text: str, s: Styles, room: float) -> int:
    """How many lines ReportLab sets `text` on in a cell `room` wide (a closing bracket may
    hang past the edge, so a width sum would say one line too many)."""
    made = para(text, s.cell)
    made.wrap(room, 1000)
    return len(made.blPara.lines)


def _tree_grid(head: list[str], body: list[tuple[Row, list[Any] | str]], widths: list[float],
               s: Styles, _: Gettext) -> Table:  # fmt: skip
    """A table of units, each name indented by its depth; a row given as words (why it has
    no figures) prints them muted across the figure columns; figures are right-aligned."""
    rows: list[list[Any]] = [[head[0], *(para(text, s.right) for text in head[1:])]]
    style: list[tuple[Any, ...]] = []
    for number, (row, cells) in enumerate(body, start=1):
        indent = 6 + 10 * row.group.depth
        style.append(("LEFTPADDING", (0, number), (0, number), indent))
        name = _unit_name(row.group, widths[0] - indent - 6, s, _)
        if isinstance(cells, str):
            rows.append([name, para(cells, s.cell_muted), *[""] * (len(head) - 2)])
            style.append(("SPAN", (1, number), (-1, number)))
        else:
            rows.append([name, *(para("—" if c is None else c, s.right) for c in cells)])
    made = grid(rows, s, widths)
    made.setStyle(TableStyle(style))
    return made
