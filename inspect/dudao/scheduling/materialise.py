"""Create the inspections that active schedules say are due, exactly once, in bulk.

Correctness comes from the database, not from cron firing once: every run derives
what is due (occurrences from dtstart up to today, in the organisation's time
zone, for the units in scope) and inserts it with INSERT ... ON CONFLICT DO
NOTHING on UNIQUE(schedule_id, unit_id, period_key). Two runs at once, a rerun
or a catch-up after downtime therefore create each inspection once. Each period
of each schedule is one transaction (created + assigned + audited together), so a
worker killed half-way leaves whole periods behind and the next run adds the rest.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from dudao.audit.services import Entry, record_many
from dudao.core.database import utcnow
from dudao.definitions.queries import current_version
from dudao.inspections.models import Inspection, InspectionAssignment, InspectionOrigin
from dudao.scheduling import queries
from dudao.scheduling.assign import Target, choose
from dudao.scheduling.models import Schedule
from dudao.scheduling.recurrence import RecurrenceError, local_today, occurrences
from dudao.workflow.registry import get_workflow

log = logging.getLogger(__name__)
#: Rows per INSERT/UPDATE statement: well under SQLite's 32,766 parameters.
CHUNK = 2000
_INSPECTION = Inspection.__table__
_ASSIGNMENT = InspectionAssignment.__table__


@dataclass
class RunReport:
    schedules: int = 0
    periods: int = 0
    created: int = 0
    assigned: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.schedules} schedule(s), {self.periods} period(s) with new inspections, "
            f"{self.created} inspection(s) created, {self.assigned} assigned."
        )
        return text + "".join(f"\n  {problem}" for problem in self.problems)


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(_INSPECTION)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


@dataclass
class _Plan:
    """Everything one schedule needs, read once before the periods are written."""

    schedule: Schedule
    version_id: int
    initial: str
    assign_to: str | None
    units: list[tuple[int, str]]
    people: dict[str, Any]
    leads: dict[str, list[int]]


def _plan(session: Session, schedule: Schedule) -> _Plan | str:
    version = current_version(session, schedule.definition_key)
    if version is None:
        return f"{schedule.key}: no definition {schedule.definition_key!r}; run `dudao forms sync`"
    workflow = get_workflow(schedule.workflow)
    assign = workflow.transition("assign", workflow.initial)
    policy = schedule.assignment or {}
    names = policy.get("inspectors") or policy.get("pool") or []
    return _Plan(
        schedule,
        version.id,
        workflow.initial,
        assign.target if assign is not None else None,
        queries.target_units(
            session, schedule.scope_unit, schedule.levels, schedule.tags, schedule.exclude_codes
        ),
        queries.people(session, names),
        queries.lead_paths(session) if policy.get("policy") == "unit_lead" else {},
    )


def _write_period(
    session: Session, plan: _Plan, day: date, units: list[tuple[int, str]]
) -> tuple[int, int]:
    """Insert the period's missing inspections, assign and audit them; (created, assigned)."""
    schedule, key, now = plan.schedule, day.isoformat(), utcnow()
    due = day + timedelta(days=schedule.window_days)
    rows = [
        {
            "unit_id": unit_id, "definition_version_id": plan.version_id,
            "workflow": schedule.workflow, "state": plan.initial, "version": 1,
            "origin": InspectionOrigin.PERIODIC.value, "schedule_id": schedule.id,
            "period_key": key, "period_start": day, "due_date": due,
            "created_at": now, "state_changed_at": now,
        }
        for unit_id, _ in units
    ]  # fmt: skip
    statement = (
        _insert(session)
        .on_conflict_do_nothing(index_elements=["schedule_id", "unit_id", "period_key"])
        .returning(_INSPECTION.c.id, _INSPECTION.c.unit_id)
    )
    created: list[tuple[int, int]] = []
    for chunk in _chunks(rows):
        created += [tuple(row) for row in session.execute(statement, list(chunk))]
    if not created:
        return 0, 0
    paths = dict(units)
    targets = [Target(inspection_id, paths[unit_id]) for inspection_id, unit_id in sorted(created)]
    rng = random.Random(f"{schedule.key}:{key}")
    choose(schedule.assignment or {}, targets, plan.people, plan.leads, rng)
    assignments = [
        {"inspection_id": t.key, "user_id": user_id, "assigned_at": now}
        for t in targets
        for user_id in t.chosen
    ]
    for chunk in _chunks(assignments):
        session.execute(_ASSIGNMENT.insert(), list(chunk))
    moved = [t.key for t in targets if t.chosen] if plan.assign_to else []
    for chunk in _chunks(moved):
        session.execute(
            update(_INSPECTION)
            .where(_INSPECTION.c.id.in_(list(chunk)), _INSPECTION.c.state == plan.initial)
            .values(state=plan.assign_to, version=_INSPECTION.c.version + 1, state_changed_at=now)
        )
    unit_ids = {inspection_id: unit_id for inspection_id, unit_id in created}
    entries: list[Entry] = [
        ("inspection.create", "inspection", t.key, None,
         {"unit_id": unit_ids[t.key], "definition_version": plan.version_id,
          "origin": InspectionOrigin.PERIODIC.value, "schedule": schedule.key, "period": key,
          "due": due.isoformat(), "assignees": t.chosen})
        for t in targets
    ]  # fmt: skip
    entries += [
        (f"{schedule.workflow}.assign", "inspection", inspection_id,
         {"state": plan.initial}, {"state": plan.assign_to})
        for inspection_id in moved
    ]  # fmt: skip
    record_many(session, None, entries)
    return len(created), len(moved)


def materialise_schedule(
    factory: sessionmaker[Session],
    schedule_id: int,
    until: date,
    report: RunReport,
    after_period: Callable[[str], None] | None = None,
) -> None:
    """All due periods of one schedule, one committed transaction per period."""
    with factory() as session:
        schedule = session.get(Schedule, schedule_id)
        if schedule is None or not schedule.active:
            return
        report.schedules += 1
        try:
            days = occurrences(schedule.rrule, schedule.dtstart, until)
        except RecurrenceError as exc:
            report.problems.append(f"{schedule.key}: {exc}")
            return
        plan = _plan(session, schedule)
        if isinstance(plan, str):
            report.problems.append(plan)
            return
        if not plan.units or not days:
            return
        counts = queries.existing_periods(session, schedule.id)
        session.commit()  # end the read transaction before writing (keeps objects loaded)
        for day in days:
            key = day.isoformat()
            missing = plan.units
            if counts.get(key):
                have = queries.existing_units(session, schedule.id, key)
                missing = [u for u in plan.units if u[0] not in have]
            if not missing:
                continue
            try:
                created, assigned = _write_period(session, plan, day, missing)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            if created:
                report.periods += 1
                report.created += created
                report.assigned += assigned
            if after_period is not None:
                after_period(key)


def active_schedule_ids(session: Session) -> list[int]:
    return list(
        session.scalars(select(Schedule.id).where(Schedule.active.is_(True)).order_by(Schedule.id))
    )


def materialise_all(
    factory: sessionmaker[Session],
    timezone: str,
    until: date | None = None,
    now: datetime | None = None,
    after_period: Callable[[str], None] | None = None,
) -> RunReport:
    """Every active schedule up to `until` (default: today in `timezone`)."""
    until = until or local_today(timezone, now or datetime.now(UTC))
    report = RunReport()
    with factory() as session:
        ids = active_schedule_ids(session)
    for schedule_id in ids:
        materialise_schedule(factory, schedule_id, until, report, after_period)
    log.info("Materialised schedules up to %s: %s", until, report.summary())
    return report
