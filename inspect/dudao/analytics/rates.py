"""On-time rates over periods: rectifications closed by their deadline, inspections completed
by their due date (per schedule and per draw). One GROUP BY each (docs/analytics.md).

An item whose deadline has not passed and that is not done yet cannot be judged: it is
counted as `pending` and left out of the rate's denominator until it is done or late.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from dudao.analytics.periods import local_date, month_of, period_key
from dudao.analytics.queries import Filters
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Rectification, Submission
from dudao.org.models import Unit
from dudao.org.queries import within
from dudao.scheduling.models import Schedule, SpotCheckDraw
from dudao.workflow.registry import get_workflow

CANCELLED = "cancelled"


@dataclass
class Rate:
    """Due in the period: on time, late (done after the deadline), missed (not done, deadline
    passed), pending (not done, deadline still ahead)."""

    label: str
    due: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0
    pending: int = 0

    @property
    def judged(self) -> int:
        return self.due - self.pending

    @property
    def rate(self) -> float | None:
        """On time, in per cent of the judged (None when nothing can be judged yet)."""
        return round(100.0 * self.on_time / self.judged, 1) if self.judged else None

    def add(self, due: int, on_time: int, late: int, pending: int) -> None:
        self.due += due
        self.on_time += on_time
        self.late += late
        self.pending += pending
        self.missed += due - on_time - late - pending


def _sum(flag: Any) -> Any:
    return func.sum(case((flag, 1), else_=0))


def _periods(filters: Filters) -> dict[str, Rate]:
    return {key: Rate(key) for key in filters.range.periods()}


def rectification_rates(
    session: Session, paths: Sequence[str], filters: Filters, today: date, tz: str
) -> list[Rate]:
    """Per period of the deadline: rectification tasks verified by their deadline."""
    workflow = get_workflow("rectification")
    done = [s.key for s in workflow.states if s.final and s.key != CANCELLED]
    finished = Rectification.state.in_(done)
    closed_on = local_date(session, Rectification.state_changed_at, tz)
    month = month_of(session, Rectification.deadline).label("month")
    rows = session.execute(
        select(month, func.count(), _sum(and_(finished, closed_on <= Rectification.deadline)),
               _sum(and_(finished, closed_on > Rectification.deadline)),
               _sum(and_(~finished, Rectification.deadline >= today)))
        .join(Unit, Unit.id == Rectification.unit_id)
        .where(within(paths), within([filters.unit.path]), Rectification.state != CANCELLED,
               Rectification.deadline >= filters.range.first,
               Rectification.deadline <= filters.range.last)
        .group_by(month)
    ).all()  # fmt: skip
    periods = _periods(filters)
    for month_key, due, on_time, late, pending in rows:
        periods[period_key(month_key, filters.range.grain)].add(due, on_time, late, pending)
    return list(periods.values())


@dataclass
class Completion:
    """Per schedule and per draw over the whole range, and per period for each kind."""

    schedules: list[tuple[int, Rate]] = field(default_factory=list)  # (schedule id, rate)
    draws: list[tuple[int, Rate]] = field(default_factory=list)  # (draw id, rate)
    by_period: dict[str, list[Rate]] = field(default_factory=dict)  # "schedules"/"draws"


def completion(
    session: Session, paths: Sequence[str], filters: Filters, today: date, tz: str
) -> Completion:
    """Inspections of schedules and draws due in the range: completed (first submitted) by
    their due date, in the organisation's time zone; cancelled inspections are not due."""
    first = (
        select(Submission.inspection_id, func.min(Submission.submitted_at).label("at"))
        .group_by(Submission.inspection_id)
        .subquery()
    )
    submitted_on = local_date(session, first.c.at, tz)
    submitted = first.c.at.is_not(None)
    month = month_of(session, Inspection.due_date).label("month")
    rows = session.execute(
        select(Inspection.schedule_id, Inspection.draw_id, month, func.count(),
               _sum(and_(submitted, submitted_on <= Inspection.due_date)),
               _sum(and_(submitted, submitted_on > Inspection.due_date)),
               _sum(and_(~submitted, Inspection.due_date >= today)))
        .join(Unit, Unit.id == Inspection.unit_id)
        .outerjoin(first, first.c.inspection_id == Inspection.id)
        .where(within(paths), within([filters.unit.path]), Inspection.state != CANCELLED,
               (Inspection.schedule_id.is_not(None)) | (Inspection.draw_id.is_not(None)),
               Inspection.due_date >= filters.range.first,
               Inspection.due_date <= filters.range.last)
        .group_by(Inspection.schedule_id, Inspection.draw_id, month)
    ).all()  # fmt: skip
    schedules: dict[int, Rate] = {}
    draws: dict[int, Rate] = {}
    by_period = {"schedules": _periods(filters), "draws": _periods(filters)}
    for schedule_id, draw_id, month_key, *counts in rows:
        kind, source, key = (
            ("draws", draws, draw_id)
            if draw_id is not None
            else ("schedules", schedules, schedule_id)
        )
        source.setdefault(key, Rate("")).add(*counts)
        by_period[kind][period_key(month_key, filters.range.grain)].add(*counts)
    names = _names(session, set(schedules), set(draws))
    for source, kind in ((schedules, "schedule"), (draws, "draw")):
        for key, rate in source.items():
            rate.label = names.get((kind, key), f"#{key}")
    return Completion(
        sorted(schedules.items(), key=lambda kv: kv[1].label),
        sorted(draws.items(), key=lambda kv: kv[1].label),
        {kind: list(rates.values()) for kind, rates in by_period.items()},
    )


def _names(session: Session, schedule_ids: set[int], draw_ids: set[int]) -> dict[tuple, str]:
    names: dict[tuple, str] = {}
    if schedule_ids:
        for sid, name in session.execute(
            select(Schedule.id, Schedule.name).where(Schedule.id.in_(schedule_ids))
        ):
            names[("schedule", sid)] = name
    if draw_ids:
        for did, title in session.execute(
            select(SpotCheckDraw.id, SpotCheckDraw.title).where(SpotCheckDraw.id.in_(draw_ids))
        ):
            names[("draw", did)] = title
    return names
