"""Which rows a table of a campaign's units prints (the results page and the campaign
report): a reader wants the units that answered and which did not, not a page of empty
rows, nor a row for each unit hidden only because the unit above it is."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from dudao.surveys.aggregate import Group


@dataclass(frozen=True)
class Row:
    """One row of a per-unit table: a unit, or (`quiet`) the top of a subtree from which
    nothing came, standing for itself and the `below` units under it."""

    group: Group
    quiet: bool = False
    below: int = 0


def fold_quiet(groups: Sequence[Group], active: Collection[int]) -> list[Row]:
    """The groups (in aggregate's tree order) with every subtree in which no unit is `active`
    folded into one row, its top: a reader wants the units that answered and which did not,
    not a page of empty rows. Callers count a hidden group as active, so it keeps its own
    row and reason and no zero is ever printed for it (docs/reports.md)."""
    children: dict[int, list[int]] = {}
    for group in groups:
        if group.parent_id is not None:
            children.setdefault(group.parent_id, []).append(group.unit_id)
    busy: dict[int, bool] = {}
    size: dict[int, int] = {}
    for group in reversed(groups):  # leaves first
        below = children.get(group.unit_id, [])
        busy[group.unit_id] = group.unit_id in active or any(busy[c] for c in below)
        size[group.unit_id] = sum(1 + size[c] for c in below)
    rows: list[Row] = []
    folded: int | None = None  # the depth of the quiet top whose subtree is being skipped
    for group in groups:
        if folded is not None and group.depth > folded:
            continue
        folded = None if busy[group.unit_id] else group.depth
        rows.append(Row(group) if folded is None else Row(group, True, size[group.unit_id]))
    return rows


def fold_within(rows: Sequence[Row]) -> list[Row]:
    """`rows` with the subtree of a hidden unit folded into its row when every unit in it is
    hidden only because that unit is ("within"): one reason, not a row each saying so."""
    folded: list[Row] = []
    index = 0
    while index < len(rows):
        row = rows[index]
        end = index + 1
        while end < len(rows) and rows[end].group.depth > row.group.depth:
            end += 1
        below = rows[index + 1 : end]
        if not row.group.shown and below and all(r.group.hidden == "within" for r in below):
            folded.append(Row(row.group, below=len(below)))
            index = end
        else:
            folded.append(row)
            index += 1
    return folded


def unit_rows(groups: Sequence[Group]) -> list[Row]:
    """A table of this campaign's units: a unit with no answers below it stands for its
    subtree, and so does a hidden unit for the units below it hidden only because it is."""
    active = {g.unit_id for g in groups if not g.shown or g.responses}
    return fold_within(fold_quiet(groups, active))
