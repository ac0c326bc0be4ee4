"""The per-unit tables of the campaign report: section 二 (answers, response rate and
satisfaction by unit) and section 三 (the satisfaction index in earlier campaigns).

Both print the unit tree as `CampaignReport` folds it: a unit from which nothing came
stands, in words, for the units below it; a hidden unit prints why, never a number.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Table, TableStyle

from dudao.core.errors import N_, Message, Plural
from dudao.reports.campaign_data import CampaignReport, Row
from dudao.reports.pdfkit import TEXT_WIDTH, Styles, grid, para
from dudao.reports.services import Gettext, aside, catalogue_for


def units_table(data: CampaignReport, s: Styles, _: Gettext) -> Table:
    head = [_("Unit"), _("Responses"), _("Expected to answer"), _("Response rate"),
            _("Satisfaction index"), _("95 per cent confidence interval")]  # fmt: skip
    body: list[tuple[Row, list[Any] | str]] = []
    for row in data.unit_rows():
        group = row.group
        if not group.shown:
            body.append((row, data.reason(group)))
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
    column = (TEXT_WIDTH - 70 * mm) / len(periods)
    return _tree_grid([_("Unit"), *periods], body, [70 * mm, *[column] * len(periods)], s, _)


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
        joiner = " " if data.locale.startswith("en") else ""  # no space after "。"
        text = f"{text}{joiner}{expected.in_language(language)}"
    return text


def _tree_grid(head: list[str], body: list[tuple[Row, list[Any] | str]], widths: list[float],
               s: Styles, _: Gettext) -> Table:  # fmt: skip
    """A table of units, each name indented by its depth; a row given as words (why it has
    no figures) prints them muted across the figure columns; figures are right-aligned."""
    rows: list[list[Any]] = [[head[0], *(para(text, s.right) for text in head[1:])]]
    style: list[tuple[Any, ...]] = []
    for number, (row, cells) in enumerate(body, start=1):
        indent = 6 + 10 * row.group.depth
        style.append(("LEFTPADDING", (0, number), (0, number), indent))
        name = aside(_, row.group.name, row.group.code)
        if isinstance(cells, str):
            rows.append([name, para(cells, s.cell_muted), *[""] * (len(head) - 2)])
            style.append(("SPAN", (1, number), (-1, number)))
        else:
            rows.append([name, *(para("—" if c is None else c, s.right) for c in cells)])
    made = grid(rows, s, widths)
    made.setStyle(TableStyle(style))
    return made
