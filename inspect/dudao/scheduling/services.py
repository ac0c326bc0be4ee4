"""Writing schedules: sync from files, edits on the web (ad hoc inspections: ad_hoc.py).

Schedules come from workflows/schedules/*.yaml. A schedule edited on the web is
detached from its file (`source_file` cleared), so a later sync neither
overwrites the office's edit nor deactivates it; a schedule whose file was
removed is deactivated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dudao.audit.services import record
from dudao.config import PROJECT_ROOT
from dudao.core.errors import N_, Listed, Message
from dudao.definitions.problems import Problem
from dudao.definitions.queries import by_key
from dudao.org.models import Unit
from dudao.org.queries import by_code
from dudao.scheduling import queries
from dudao.scheduling.assign import may_inspect
from dudao.scheduling.loader import ScheduleFileError, ScheduleSpec, load_schedule_file
from dudao.scheduling.models import Schedule
from dudao.workflow.engine import Conflict

SCHEDULES_DIR = PROJECT_ROOT / "workflows" / "schedules"
NO_UNIT = N_("no unit with the code '%(code)s'")
#: The fields a sync or an edit compares, as stored on Schedule.
FIELDS = (
    "name", "definition_key", "workflow", "scope_unit_id", "levels", "tags", "exclude_codes",
    "rrule", "dtstart", "window_days", "assignment",
)  # fmt: skip


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    detached: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    skipped_keys: list[str] = field(default_factory=list)

    def summary(self) -> Message:
        """One line for the command, in its reader's language."""
        counts = [
            (self.created, N_("%(num)d created")), (self.updated, N_("%(num)d updated")),
            (self.unchanged, N_("%(num)d unchanged")),
            (self.deactivated, N_("%(num)d deactivated")),
        ]  # fmt: skip
        if self.detached:
            counts.append((self.detached, N_("%(num)d kept as edited on the web")))
        if self.skipped_keys:
            counts.append((self.skipped_keys, N_("%(num)d skipped")))
        parts = Listed(Message(text, num=len(keys)) for keys, text in counts)
        return Message(N_("Schedules: %(counts)s."), counts=parts)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _resolve(
    session: Session, spec: ScheduleSpec, shown: str
) -> tuple[dict[str, Any], list[Problem]]:
    """The stored values for `spec`, or problems naming what the database lacks."""
    source = spec.source
    assert source is not None
    problems = []
    unit = by_code(session, spec.scope_code)
    if unit is None:
        problems.append(source.problem(("scope", "unit"), Message(NO_UNIT, code=spec.scope_code)))
    definition = by_key(session, spec.definition_key)
    if definition is None:
        problems.append(
            source.problem(
                ("definition",),
                Message(
                    N_("no definition '%(key)s' (run `dudao forms sync`)"), key=spec.definition_key
                ),
            )
        )
    elif definition.kind != "checklist":
        problems.append(
            source.problem(
                ("definition",),
                Message(
                    N_("'%(key)s' is a questionnaire; a schedule needs a checklist"),
                    key=spec.definition_key,
                ),
            )
        )
    known = {u.code for u in session.scalars(select(Unit).where(Unit.code.in_(spec.exclude_codes)))}
    for index, code in enumerate(spec.exclude_codes):
        if code not in known:
            problems.append(
                source.problem(("scope", "exclude", index), Message(NO_UNIT, code=code))
            )
    listed = "inspectors" if spec.assignment.get("policy") == "named" else "pool"
    names = spec.assignment.get(listed) or []
    outside = set(queries.not_inspectors(session, names, unit))
    for index, name in enumerate(names):
        if name in outside:
            not_one = Message(
                N_("'%(name)s' is not an inspector in this scope (or inactive, or unknown)"),
                name=name,
            )
            problems.append(source.problem(("assignment", listed, index), not_one))
    problems += _idle_inspectors(session, source, spec, unit, listed, names, outside)
    values = {
        "name": spec.name, "definition_key": spec.definition_key, "workflow": spec.workflow,
        "scope_unit_id": unit.id if unit else None, "levels": spec.levels, "tags": spec.tags,
        "exclude_codes": spec.exclude_codes, "rrule": spec.rrule, "dtstart": spec.dtstart,
        "window_days": spec.window_days, "assignment": spec.assignment,
    }  # fmt: skip
    return values, problems


def _idle_inspectors(
    session: Session, source: Any, spec: ScheduleSpec, unit: Unit | None, listed: str,
    names: list[str], outside: set[str],
) -> list[Any]:  # fmt: skip
    """An inspector of the pool (or named) who may inspect none of the schedule's units (回避:
    all in their own part of the tree): saved, the schedule would make inspections nobody
    is put on, with no word said."""
    if unit is None or not names:
        return []
    people = queries.people(session, [n for n in names if n not in outside])
    found = queries.target_units(session, unit, spec.levels, spec.tags, spec.exclude_codes)
    paths = [path for _id, path in found]
    idle = N_("'%(name)s' cannot inspect any unit of this schedule: they are all in their own "
              "part of the tree (回避)")  # fmt: skip
    return [
        source.problem(("assignment", listed, index), Message(idle, name=name))
        for index, name in enumerate(names)
        if name in people and paths and not any(may_inspect(people[name], p) for p in paths)
    ]


def sync_schedules(
    session: Session, actor: Any, folder: Path = SCHEDULES_DIR, *, skip_unresolved: bool = False
) -> SyncReport:
    """Load every schedule file; all or nothing (ScheduleFileError lists every problem).

    With `skip_unresolved` (for `dudao init` on an empty organisation), a schedule that
    names a unit, definition or account the database lacks is skipped and reported.
    """
    report, problems, loaded = SyncReport(), [], {}
    for path in sorted(folder.glob("*.yaml")):
        shown = f"{folder.parent.name}/{folder.name}/{path.name}"
        try:
            spec = load_schedule_file(path, shown)
        except ScheduleFileError as exc:
            problems.extend(exc.problems)
            continue
        if spec.key in loaded:
            problems.append(
                Problem(
                    shown,
                    1,
                    1,
                    "key",
                    Message(
                        N_("'%(key)s' is already used by %(file)s"),
                        key=spec.key,
                        file=loaded[spec.key][0],
                    ),
                )
            )
            continue
        values, unresolved = _resolve(session, spec, shown)
        if unresolved and skip_unresolved:
            report.skipped.extend(unresolved)
            report.skipped_keys.append(spec.key)
            loaded[spec.key] = (shown, None, None)
            continue
        problems.extend(unresolved)
        loaded[spec.key] = (shown, spec, values)
    if problems:
        raise ScheduleFileError(problems)
    existing = {s.key: s for s in session.scalars(select(Schedule))}
    for key, (shown, spec, values) in loaded.items():
        if spec is None:
            continue
        schedule = existing.get(key)
        if schedule is None:
            schedule = Schedule(key=key, source_file=shown, active=spec.active, **values)
            session.add(schedule)
            session.flush()
            after = {k: _jsonable(v) for k, v in values.items()} | {"file": shown}
            record(session, actor, "schedule.create", "schedule", schedule.id, after=after)
            report.created.append(key)
            continue
        if schedule.source_file is None:
            report.detached.append(key)
            continue
        values = values | {"active": spec.active}
        changed = {k: v for k, v in values.items() if getattr(schedule, k) != v}
        if not changed and schedule.source_file == shown:
            report.unchanged.append(key)
            continue
        before = {k: _jsonable(getattr(schedule, k)) for k in changed}
        for name, value in changed.items():
            setattr(schedule, name, value)
        schedule.source_file = shown
        session.flush()
        record(session, actor, "schedule.update", "schedule", schedule.id,
               before=before, after={k: _jsonable(v) for k, v in changed.items()})  # fmt: skip
        report.updated.append(key)
    for key, schedule in existing.items():
        if key not in loaded and schedule.source_file and schedule.active:
            schedule.active = False
            session.flush()
            after = {"active": False, "reason": "file removed"}
            record(session, actor, "schedule.deactivate", "schedule", schedule.id,
                   before={"active": True}, after=after)  # fmt: skip
            report.deactivated.append(key)
    return report


def sync_shipped(session: Session, _plan: object = None) -> int:
    """Sync workflows/schedules/ in the caller's transaction, skipping schedules whose units
    or accounts do not exist yet; the number of schedules that changed.

    Shaped as a `dudao demo` loader step (session, plan) -> count, like
    definitions.commands.sync_shipped; run it after the org chart and accounts.
    """
    report = sync_schedules(session, None, SCHEDULES_DIR, skip_unresolved=True)
    return len(report.created) + len(report.updated) + len(report.deactivated)


def update_schedule(
    session: Session, actor: Any, schedule: Schedule, expected_version: int, values: dict[str, Any]
) -> bool:
    """Apply an edit made against `expected_version`; Conflict when someone saved meanwhile.

    Returns whether anything changed. The schedule is detached from its file.
    """
    if expected_version != schedule.version:
        raise Conflict("This schedule was changed by someone else meanwhile; reload and try again.")
    changed = {k: v for k, v in values.items() if getattr(schedule, k) != v}
    if not changed:
        return False
    before = {k: _jsonable(getattr(schedule, k)) for k in changed}
    for name, value in changed.items():
        setattr(schedule, name, value)
    schedule.source_file = None
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(
            "This schedule was changed by someone else meanwhile; reload and try again."
        ) from exc
    action = "schedule.activate" if changed.get("active") is True else "schedule.update"
    if changed.keys() == {"active"} and not changed["active"]:
        action = "schedule.deactivate"
    record(session, actor, action, "schedule", schedule.id,
           before=before, after={k: _jsonable(v) for k, v in changed.items()})  # fmt: skip
    return True
