"""Set-based reads for the analytics pages and reports: scores over periods and the heatmap.

Every function takes (session, the viewer's scope paths, Filters) and returns plain
dataclasses, so pages, the period-summary PDF and exports can share them. Each is a
fixed number of GROUP BY queries whatever the number of units, items or periods.
A result counts as in trends/queries.py: the latest submission of an inspection in
a result state, by the inspection's due date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, null, or_, select, union_all
from sqlalchemy.orm import Session

from dudao.analytics.control import ControlChart, Sums, shewhart
from dudao.analytics.periods import Range, month_of, period_key
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.definitions.queries import current_version, pinned
from dudao.definitions.spec import Kind
from dudao.inspections.models import Inspection
from dudao.inspections.queries import RESULT_STATES
from dudao.inspections.submission_models import Finding, Submission
from dudao.org.models import Unit, name_in
from dudao.org.queries import within

CHILDREN, BRANCHES = "children", "branches"


@dataclass(frozen=True)
class Filters:
    """The unit whose subtree is analysed (inside the scope), the period range, a definition."""

    unit: Unit
    range: Range
    definition: str = ""


def _latest(paths: Sequence[str], filters: Filters, version_ids: list[int] | None = None) -> Any:
    """The latest submission (pk) and unit of each counted inspection of the subtree and range."""
    query = (
        select(func.max(Submission.id).label("pk"), Inspection.unit_id.label("unit_id"))
        .join(Inspection, Inspection.id == Submission.inspection_id)
        .join(Unit, Unit.id == Inspection.unit_id)
        .where(within(paths), within([filters.unit.path]), Inspection.state.in_(RESULT_STATES),
               Inspection.due_date >= filters.range.first,
               Inspection.due_date <= filters.range.last)
        .group_by(Submission.inspection_id, Inspection.unit_id)
    )  # fmt: skip
    if version_ids is not None:
        query = query.where(Inspection.definition_version_id.in_(version_ids))
    return query


def checklists(session: Session, locale: str) -> list[tuple[str, str]]:
    """(key, title) of every checklist definition, for the pickers."""
    rows = session.scalars(
        select(FormDefinition)
        .where(FormDefinition.kind == Kind.CHECKLIST)
        .order_by(FormDefinition.key)
    )
    return [(d.key, d.title(locale)) for d in rows]


def version_ids(session: Session, key: str) -> list[int]:
    return list(
        session.scalars(
            select(DefinitionVersion.id)
            .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
            .where(FormDefinition.key == key)
        )
    )


# --- scores over periods --------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreSeries:
    definition: str
    title: str
    chart: ControlChart


def scores(
    session: Session, paths: Sequence[str], filters: Filters, locale: str = "zh_CN",
    baseline: int | None = None,
) -> list[ScoreSeries]:  # fmt: skip
    """Per checklist definition: the mean score per period with Shewhart limits (control.py)."""
    latest = _latest(paths, filters).subquery()
    month = month_of(session, Inspection.due_date).label("month")
    rows = session.execute(
        select(FormDefinition.key, month, func.count(Submission.percent),
               func.sum(Submission.percent), func.sum(Submission.percent * Submission.percent))
        .join(latest, latest.c.pk == Submission.id)
        .join(Inspection, Inspection.id == Submission.inspection_id)
        .join(DefinitionVersion, DefinitionVersion.id == Inspection.definition_version_id)
        .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
        .where(Submission.percent.is_not(None))
        .group_by(FormDefinition.key, month)
    ).all()  # fmt: skip
    sums: dict[str, dict[str, list[float]]] = {}
    for key, month_key, n, total, squares in rows:
        cell = sums.setdefault(key, {}).setdefault(
            period_key(month_key, filters.range.grain), [0, 0.0, 0.0]
        )
        cell[0] += n
        cell[1] += float(total or 0)
        cell[2] += float(squares or 0)
    titles = dict(checklists(session, locale))
    periods = filters.range.periods()
    result = []
    for key in sorted(sums):
        if filters.definition and key != filters.definition:
            continue
        series = [Sums(p, *(sums[key].get(p) or (0, 0.0, 0.0))) for p in periods]
        result.append(ScoreSeries(key, titles.get(key, key), shewhart(series, baseline)))
    return result


# --- unit × item heatmap --------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    failures: int
    inspections: int

    @property
    def rate(self) -> float | None:
        """Failure rate in per cent (None without inspections)."""
        return round(100.0 * self.failures / self.inspections, 1) if self.inspections else None


@dataclass(frozen=True)
class HeatRow:
    code: str
    name: str
    subtree: bool  # False for the chosen unit's own inspections (not its children's)
    inspections: int
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True)
class Heatmap:
    definition: str
    items: tuple[tuple[str, str], ...]  # (item key, label)
    rows: tuple[HeatRow, ...]
    total: HeatRow | None
    left_out: int  # counted inspections on units that no row covers (rows = branches)


def _row_of(unit: Unit, mode: str, units: dict[int, tuple]) -> dict[int, int]:
    """Inspected unit id -> the id of the row unit that covers it."""
    rows: dict[int, int] = {}
    for uid, (_code, _name, level, path, _depth) in units.items():
        ids = [int(p) for p in path.strip("/").split("/") if p]
        if mode == BRANCHES:
            if str(getattr(level, "value", level)) == "branch":
                rows[uid] = uid
        elif uid == unit.id or len(ids) > unit.depth + 1:
            rows[uid] = ids[unit.depth + 1] if uid != unit.id else uid
    return rows


def heatmap(
    session: Session, paths: Sequence[str], filters: Filters, locale: str = "zh_CN",
    mode: str = CHILDREN,
) -> Heatmap:  # fmt: skip
    """Failure rate of every scored item per row unit: failures in the latest results / results.

    Rows are the chosen unit's children (each with its subtree) and the unit itself when
    it has inspections of its own, or (mode BRANCHES) every branch of the subtree.
    Columns follow the definition's current version; items only older versions had
    are added at the end. Rows without results in the range are left out.
    """
    versions = version_ids(session, filters.definition)
    latest = _latest(paths, filters, versions).cte("latest")
    counts_and_fails = session.execute(  # one statement: results per unit (item NULL), findings
        union_all(
            select(latest.c.unit_id, null(), func.count()).group_by(latest.c.unit_id),
            select(Finding.unit_id, Finding.item_key, func.count())
            .join(latest, latest.c.pk == Finding.submission_pk)
            .group_by(Finding.unit_id, Finding.item_key),
        )
    ).all()
    totals = [(unit_id, n) for unit_id, key, n in counts_and_fails if key is None]
    fails = [row for row in counts_and_fails if row[1] is not None]
    wanted = {u for u, _n in totals} | {filters.unit.id}
    units = {
        uid: (code, name_in(name, name_en, locale), level, path, depth)
        for uid, code, name, name_en, level, path, depth in session.execute(
            select(
                Unit.id, Unit.code, Unit.name, Unit.name_en, Unit.level, Unit.path, Unit.depth
            ).where(or_(Unit.id.in_(wanted), Unit.parent_id == filters.unit.id))
        )
    }
    row_of = _row_of(filters.unit, mode, units)
    version = current_version(session, filters.definition)
    items = pinned(session, version.id).items if version else ()
    labels = {i.key: i.label.get(locale) for i in items}
    keys = [i.key for i in items if i.scored]
    keys += sorted({key for _u, key, _n in fails} - set(keys))
    column = {key: i for i, key in enumerate(keys)}
    counts: dict[int, int] = {}
    left_out = 0
    for uid, n in totals:
        if uid in row_of:
            counts[row_of[uid]] = counts.get(row_of[uid], 0) + n
        else:
            left_out += n
    failures: dict[int, list[int]] = {r: [0] * len(keys) for r in counts}
    for uid, key, n in fails:
        if uid in row_of:
            failures[row_of[uid]][column[key]] += n
    ordered = sorted(counts, key=lambda r: (r != filters.unit.id, units[r][0]))
    rows = tuple(
        HeatRow(units[r][0], units[r][1], r != filters.unit.id or mode == BRANCHES,
                counts[r], tuple(HeatCell(f, counts[r]) for f in failures[r]))
        for r in ordered
    )  # fmt: skip
    n_all = sum(counts.values())
    columns = [sum(column) for column in zip(*failures.values(), strict=True)]
    total = HeatRow(filters.unit.code, filters.unit.name_in(locale), True, n_all,
                    tuple(HeatCell(f, n_all) for f in columns)) if rows else None  # fmt: skip
    return Heatmap(filters.definition, tuple((k, labels.get(k, k)) for k in keys), rows, total,
                   left_out)  # fmt: skip


def busiest_checklist(session: Session, paths: Sequence[str], filters: Filters) -> str:
    """The checklist with the most results in the subtree and range ("" when none)."""
    latest = _latest(paths, filters).subquery()
    return (
        session.scalar(
            select(FormDefinition.key)
            .select_from(Submission)
            .join(latest, latest.c.pk == Submission.id)
            .join(DefinitionVersion, DefinitionVersion.id == Submission.definition_version_id)
            .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
            .group_by(FormDefinition.key)
            .order_by(func.count().desc(), FormDefinition.key)
            .limit(1)
        )
        or ""
    )
