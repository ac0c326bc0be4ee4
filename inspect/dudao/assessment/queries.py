"""Public reads of the assessment: scores, rankings, tier moves, one unit's explanation.

Every function takes the subtree path prefixes to stay inside (the viewer's scope, or
a report's), reads each component with one set-based query for all units and periods
(assessment/components.py) and computes the composite in memory (assessment/scores.py).
Nothing is stored: the assessment is always re-derived from the data. The PDF period
summary, the campaign targets and the publication page call these functions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.assessment import components
from dudao.assessment.components import InspectionRow, RectificationRow
from dudao.assessment.config import AssessmentConfig, assessment_config
from dudao.assessment.periods import bounds, current_key, key_of_date
from dudao.assessment.scores import Part, Score, judge, link_history, parts, rank
from dudao.core.database import org_timezone
from dudao.core.enums import UnitLevel
from dudao.org.models import Unit
from dudao.org.queries import children, scope_roots, within
from dudao.scheduling.recurrence import org_today


@dataclass(frozen=True)
class TierMove:
    """A branch moved from one tier to another between its consecutive assessed periods;
    `period` is the later one (the period it moved into)."""

    unit_id: int
    unit_path: str
    period: str
    from_tier: str
    to_tier: str


@dataclass
class Assessment:
    """Every score of the assessed units inside some subtrees, by period."""

    config: AssessmentConfig
    #: Periods with counted inspections, oldest first.
    periods: list[str]
    #: The period the organisation is in now (provisional: it is not over).
    current: str
    by_period: dict[str, list[Score]] = field(default_factory=dict)

    def closed(self, period: str) -> bool:
        return period < self.current

    def scores(self, period: str) -> list[Score]:
        return self.by_period.get(period, [])


@dataclass
class Ranking:
    assessment: Assessment
    period: str | None
    rows: list[Score]
    #: Units with some data in the period but too few inspections to be assessed.
    unassessed: list[Score]
    tier_counts: dict[str, int]
    moves: dict[str, int]

    @property
    def provisional(self) -> bool:
        return self.period is not None and not self.assessment.closed(self.period)

    def place(self, score: Score, under: str) -> tuple[int, int]:
        """`score`'s rank among the ranked units under the path `under` (a ranking narrowed
        to that subtree gives the same, as ranks compete on the composite alone), and how
        many they are."""
        mine = score.composite or 0.0  # every ranked score has a composite
        among = [s.composite or 0.0 for s in self.rows if s.unit_path.startswith(under)]
        return 1 + sum(c > mine for c in among), len(among)


def assess(
    session: Session, paths: Sequence[str], config: AssessmentConfig | None = None,
    today: date | None = None,
) -> Assessment:  # fmt: skip
    """Scores of every unit of the assessed levels inside `paths`, for every period.

    Queries: the units, the inspections grouped by unit and month, the rectification
    tasks, and one survey aggregation per finished campaign overlapping `paths`.
    """
    config = config or assessment_config()
    tz = org_timezone(session)
    today = today or org_today(session)
    kind, levels = config.period, list(config.levels)
    units = {
        u.id: u
        for u in session.execute(
            select(Unit.id, Unit.path, Unit.code, Unit.name, Unit.name_en).where(
                within(list(paths)), Unit.level.in_(levels)
            )
        )
    }
    inspections = components.inspection_cells(session, paths, levels, kind, tz)
    rows = components.rectification_rows(session, paths, levels, tz, today=today)
    rectifications = components.rectification_cells(rows, kind)
    satisfaction = components.satisfaction_cells(session, paths, set(units), kind, tz)
    periods = sorted({period for _, period in inspections})
    assessment = Assessment(config, periods, current_key(kind, tz, today))
    by_unit: dict[int, list[Score]] = defaultdict(list)
    cells = {*inspections, *rectifications, *satisfaction}
    for unit_id, period in sorted(cells, key=lambda c: (c[1], c[0])):
        if period not in periods or unit_id not in units:
            continue
        unit = units[unit_id]
        count, total = inspections.get((unit_id, period), (0, 0.0))
        score = Score(
            unit_id, unit.path, unit.code, unit.name, unit.name_en, period, count,
            total / count if count else None, rectifications.get((unit_id, period)),
            satisfaction.get((unit_id, period)),
        )  # fmt: skip
        judge(score, config)
        by_unit[unit_id].append(score)
        assessment.by_period.setdefault(period, []).append(score)
    link_history(by_unit, config)
    return assessment


def ranking(
    session: Session, paths: Sequence[str], period: str | None = None,
    assessment: Assessment | None = None,
) -> Ranking:  # fmt: skip
    """The units inside `paths` ranked for `period` (default: the latest closed period with
    assessed units, else the latest one); ranks count within `paths` only."""
    assessment = assessment or assess(session, paths)
    if period not in assessment.periods:
        rated = [p for p in assessment.periods if any(s.assessed for s in assessment.scores(p))]
        closed = [p for p in rated if assessment.closed(p)]
        period = (closed or rated or assessment.periods or [None])[-1]
    scores = assessment.scores(period) if period else []
    rows = rank(scores)
    counts = Counter(s.tier for s in rows)
    unassessed = sorted((s for s in scores if not s.assessed), key=lambda s: s.code)
    return Ranking(
        assessment, period, rows, unassessed,
        {t.key: counts.get(t.key, 0) for t in assessment.config.tiers},
        {m: sum(1 for s in rows if s.move == m) for m in ("up", "down", "same")},
    )  # fmt: skip


def tier_moves(
    session: Session, paths: list[str], direction: Literal["up", "down"] | None = None
) -> list[TierMove]:
    """Every tier move inside `paths` between consecutive assessed periods of a unit, in
    closed periods only (the current period is provisional), ordered by period and path."""
    assessment = assess(session, paths)
    moves = [
        TierMove(s.unit_id, s.unit_path, s.period, s.previous.tier, s.tier)
        for period in assessment.periods
        if assessment.closed(period)
        for s in assessment.scores(period)
        if s.previous is not None and s.previous.tier and s.tier
        and s.move in ((direction,) if direction else ("up", "down"))
    ]  # fmt: skip
    return sorted(moves, key=lambda m: (m.period, m.unit_path))


def tier_moves_up(session: Session, paths: list[str]) -> list[TierMove]:
    """One entry per move of a branch up a tier (晋档升级) inside `paths`: from its previous
    assessed period's tier to a better one, closed periods only."""
    return tier_moves(session, paths, "up")


@dataclass
class Explanation:
    """Why a unit scored what it did in a period: every figure and the rows behind it."""

    ranking: Ranking
    unit_id: int
    #: None when the unit has no data at all in the period.
    score: Score | None
    parts: list[Part]
    inspections: list[InspectionRow]
    rectifications: list[RectificationRow]
    #: The unit's scores in every period, oldest first.
    history: list[Score]


def explain(session: Session, paths: Sequence[str], unit: Unit, period: str | None) -> Explanation:
    """One unit's score in `period` (default as in `ranking`), ranked among `paths`."""
    assessment = assess(session, paths)
    result = ranking(session, paths, period, assessment)
    history = [s for p in assessment.periods for s in assessment.scores(p) if s.unit_id == unit.id]
    score = next((s for s in history if s.period == result.period), None)
    inspections: list[InspectionRow] = []
    tasks: list[RectificationRow] = []
    if result.period is not None:
        tz = org_timezone(session)
        start, end = bounds(result.period)
        inspections = components.inspection_rows(session, unit.id, start, end, tz)
        tasks = [
            row
            for row in components.rectification_rows(session, [unit.path], [unit.level], tz,
                                                      unit_ids=[unit.id])
            if key_of_date(row.deadline, assessment.config.period) == result.period
        ]  # fmt: skip
    shown = parts(score, assessment.config) if score else []
    return Explanation(result, unit.id, score, shown, inspections, tasks, history)


@dataclass
class ResultSummary:
    """Inspection results of one part of the organisation (a unit and its subtree) in a
    period: figures about units, not people, so no anonymity threshold applies."""

    unit: Unit
    units_inspected: int = 0
    inspections: int = 0
    total: float = 0.0
    on_time: int = 0
    late: int = 0

    @property
    def mean(self) -> float | None:
        return self.total / self.inspections if self.inspections else None

    @property
    def on_time_rate(self) -> float | None:
        due = self.on_time + self.late
        return 100.0 * self.on_time / due if due else None


#: (count, sum of percent scores) of the counted inspections per (unit, period).
ResultCells = dict[components.Cell, tuple[int, float]]


def result_cells(session: Session, paths: Sequence[str]) -> ResultCells:
    """The counted inspections of every unit (any level) inside `paths` by period: read once
    for both the periods a page offers and the summary of the one chosen."""
    levels = [level.value for level in UnitLevel]
    period = assessment_config().period
    return components.inspection_cells(session, paths, levels, period, org_timezone(session))


def result_periods(session: Session, cells: ResultCells) -> tuple[list[str], str]:
    """(periods with counted inspections in `cells` (`result_cells`), the current period)."""
    config, tz = assessment_config(), org_timezone(session)
    return sorted({period for _, period in cells}), current_key(config.period, tz)


def result_summary(
    session: Session, paths: Sequence[str], period: str, cells: ResultCells
) -> list[ResultSummary]:
    """One row per child of each scope root (the root itself when it has none): counted
    inspections of every unit in its subtree in `period` (from `cells`, which may hold more
    units than `paths`), and their rectification tasks due in `period` (on time or late, as
    in the assessment)."""
    config, tz = assessment_config(), org_timezone(session)
    levels = [level.value for level in UnitLevel]
    groups = [
        ResultSummary(unit)
        for root in scope_roots(session, paths)
        for unit in (children(session, root, paths) or [root])
    ]
    units = dict(session.execute(select(Unit.id, Unit.path).where(within(list(paths)))).all())

    def group_of(unit_id: int) -> ResultSummary | None:
        path = units.get(unit_id, "")
        return next((g for g in groups if path.startswith(g.unit.path)), None)

    for (unit_id, key), (count, total) in cells.items():
        group = group_of(unit_id)
        if key == period and group is not None:
            group.units_inspected += 1
            group.inspections += count
            group.total += total
    rows = components.rectification_rows(session, paths, levels, tz)
    for (unit_id, key), cell in components.rectification_cells(rows, config.period).items():
        group = group_of(unit_id)
        if key == period and group is not None:
            group.on_time += cell.on_time
            group.late += cell.late
    return groups
