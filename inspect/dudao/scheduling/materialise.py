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

import json
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, bindparam, func, literal, select, text, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from dudao.audit.services import Entry, record_many
from dudao.core.database import utcnow
from dudao.core.errors import N_, Message
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
    problems: list[Message] = field(default_factory=list)

    def summary(self) -> Message:
        """The counts, in the reader's language; each of `problems` goes on a line of its own."""
        return Message(
            N_("Schedules: %(schedules)d; periods with new inspections: %(periods)d; "
               "inspections created: %(created)d, with inspectors: %(assigned)d."),
            schedules=self.schedules, periods=self.periods, created=self.created,
            assigned=self.assigned,
        )  # fmt: skip


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
    eligible: dict[str, list[Any]] = field(default_factory=dict)  # per unit path, all periods


def _plan(session: Session, schedule: Schedule) -> _Plan | Message:
    version = current_version(session, schedule.definition_key, "checklist")
    if version is None:
        return Message(
            N_("%(schedule)s: no checklist '%(key)s'; run `dudao forms sync`"),
            schedule=schedule.key, key=schedule.definition_key,
        )  # fmt: skip
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


def _bound(session: Session, column: str, value: Any) -> Any:
    """`value` as the inspection column's own type stores it (dates, UTC times)."""
    convert = _INSPECTION.c[column].type.bind_processor(session.get_bind().dialect)
    return convert(value) if convert else value


_COLUMNS = (
    "unit_id", "definition_version_id", "workflow", "state", "version", "origin",
    "schedule_id", "period_key", "period_start", "due_date", "created_at", "state_changed_at",
)  # fmt: skip
_UNNEST_ASSIGNMENTS = text(
    "INSERT INTO inspection_assignment (inspection_id, user_id, assigned_at)"
    " SELECT i, u, CAST(:now AS timestamptz)"
    " FROM unnest(CAST(:i AS integer[]), CAST(:u AS integer[])) AS t(i, u)"
)


def _insert_period(
    session: Session, plan: _Plan, key: str, day: date, due: date, now: datetime,
    states: list[tuple[int, str, int]],
) -> list[tuple[int, int]]:  # fmt: skip
    """INSERT ... SELECT FROM unnest (PostgreSQL) / json_each (SQLite) of the unit ids
    ... ON CONFLICT (schedule, unit, period) DO NOTHING RETURNING id, unit_id, with the
    dialect's own insert; one statement per (state, version), as every other column is
    the same for the whole period. Returns the rows this call inserted."""
    if session.get_bind().dialect.name == "postgresql":
        units = func.unnest(bindparam("units", type_=postgresql.ARRAY(Integer)))
        source = units.table_valued("value").render_derived()  # unnest(...) AS x(value)
        insert, encode = postgresql.insert, list
    else:
        units = func.json_each(bindparam("units", type_=String))
        source = units.table_valued("value")  # json_each's own column
        insert, encode = sqlite.insert, json.dumps  # type: ignore[assignment]
    c, schedule, created = _INSPECTION.c, plan.schedule, []
    groups: dict[tuple[str, int], list[int]] = {}
    for unit_id, state, version in states:
        groups.setdefault((state, version), []).append(unit_id)
    for (state, version), unit_ids in sorted(groups.items()):
        values = select(
            source.c.value,
            literal(plan.version_id, Integer),
            literal(schedule.workflow, c.workflow.type),
            literal(state, c.state.type),
            literal(version, Integer),
            literal(InspectionOrigin.PERIODIC.value, c.origin.type),
            literal(schedule.id, Integer),
            literal(key, c.period_key.type),
            literal(day, c.period_start.type),
            literal(due, c.due_date.type),
            literal(now, c.created_at.type),
            literal(now, c.state_changed_at.type),
        ).where(true())  # SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT
        statement = (
            insert(_INSPECTION)
            .from_select(_COLUMNS, values)
            .on_conflict_do_nothing(index_elements=["schedule_id", "unit_id", "period_key"])
            .returning(c.id, c.unit_id)
        )  # fmt: skip
        result = session.execute(statement, {"units": encode(unit_ids)})
        created += [(row[0], row[1]) for row in result]
    return created


def _write_period(
    session: Session, plan: _Plan, day: date, units: list[tuple[int, str]]
) -> tuple[int, int]:
    """Insert the period's missing inspections, assigned and audited; (created, assigned).

    Inspectors are chosen first, so each row is inserted in its final state (the
    `assign` transition applied: state and version as the engine leaves them); rows
    another run inserted meanwhile are skipped by ON CONFLICT and their choice dropped.
    """
    schedule, key, now = plan.schedule, day.isoformat(), utcnow()
    due = day + timedelta(days=schedule.window_days)
    targets = [Target(unit_id, path) for unit_id, path in units]
    rng = random.Random(f"{schedule.key}:{key}")
    choose(schedule.assignment or {}, targets, plan.people, plan.leads, rng, plan.eligible)
    chosen = {t.key: t.chosen for t in targets}
    moves = plan.assign_to is not None
    states = [
        (t.key, plan.assign_to, 2) if moves and t.chosen else (t.key, plan.initial, 1)
        for t in targets
    ]  # fmt: skip
    created = sorted(_insert_period(session, plan, key, day, due, now, states))
    if not created:
        return 0, 0
    assignments = [
        (inspection_id, user) for inspection_id, unit in created for user in chosen[unit]
    ]
    if session.get_bind().dialect.name == "postgresql" and assignments:
        session.execute(
            _UNNEST_ASSIGNMENTS,
            {"now": now, "i": [a for a, _ in assignments], "u": [u for _, u in assignments]},
        )
    elif assignments:
        at = _bound(session, "created_at", now)
        cursor = session.connection().connection.driver_connection.cursor()
        try:
            cursor.executemany(
                "INSERT INTO inspection_assignment (inspection_id, user_id, assigned_at)"
                " VALUES (?, ?, ?)",
                [(a, u, at) for a, u in assignments],
            )
        finally:
            cursor.close()
    moved = [inspection_id for inspection_id, unit in created if moves and chosen[unit]]
    entries: list[Entry] = [
        ("inspection.create", "inspection", inspection_id, None,
         {"unit_id": unit, "definition_version": plan.version_id,
          "origin": InspectionOrigin.PERIODIC.value, "schedule": schedule.key, "period": key,
          "due": due.isoformat(), "assignees": chosen[unit]})
        for inspection_id, unit in created
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
            report.problems.append(
                Message(N_("%(schedule)s: %(problem)s"), schedule=schedule.key, problem=exc.message)
            )
            return
        plan = _plan(session, schedule)
        if isinstance(plan, Message):
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
    for problem in report.problems:
        log.warning("Schedule not materialised: %s", problem)
    return report
