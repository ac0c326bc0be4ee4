"""Reads for scheduling: target units, inspectors and leads, schedules in scope (set-based)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, not_, select
from sqlalchemy.orm import Session

from dudao.auth.models import RoleGrant, User
from dudao.core.enums import Role
from dudao.core.errors import N_, Message, name_list
from dudao.inspections.models import Inspection
from dudao.org.models import Unit
from dudao.org.queries import within
from dudao.scheduling.assign import Person, on_one_branch, people_from_grants
from dudao.scheduling.models import Schedule
from dudao.scheduling.recurrence import RecurrenceError, occurrences


def target_units(
    session: Session,
    root: Unit,
    levels: Sequence[str] = (),
    tags: Sequence[str] = (),
    exclude_codes: Sequence[str] = (),
) -> list[tuple[int, str]]:
    """(id, path) of the active units in `root`'s subtree matching the filters, in path order.

    Levels: any of them (none = all). Tags: a unit with any of them (none = all).
    An excluded code leaves out that unit's whole subtree. Two queries in all.
    """
    if not root.active:
        return []
    statement = select(Unit.id, Unit.path, Unit.tags).where(
        within([root.path]), Unit.active.is_(True)
    )
    if levels:
        statement = statement.where(Unit.level.in_(list(levels)))
    if exclude_codes:
        paths = session.scalars(select(Unit.path).where(Unit.code.in_(list(exclude_codes)))).all()
        if paths:
            statement = statement.where(not_(within(list(paths))))
    wanted = set(tags)
    return [
        (unit_id, path)
        for unit_id, path, unit_tags in session.execute(statement.order_by(Unit.path))
        if not wanted or wanted & set(unit_tags or ())
    ]


def people(session: Session, usernames: Sequence[str]) -> dict[str, Person]:
    """Active accounts by username with their inspector and home grants (one query)."""
    if not usernames:
        return {}
    rows = session.execute(
        select(User.id, User.username, RoleGrant.role, Unit.path)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .join(Unit, Unit.id == RoleGrant.unit_id)
        .where(User.username.in_(list(usernames)), User.active.is_(True))
    ).all()
    return people_from_grants((uid, name, Role(role).value, path) for uid, name, role, path in rows)


def lead_paths(session: Session) -> dict[str, list[int]]:
    """Unit path -> ids of the active accounts that lead it (one query)."""
    rows = session.execute(
        select(Unit.path, RoleGrant.user_id)
        .join(RoleGrant, RoleGrant.unit_id == Unit.id)
        .join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.role == Role.UNIT_LEAD, User.active.is_(True))
    ).all()
    leads: dict[str, list[int]] = {}
    for path, user_id in rows:
        leads.setdefault(path, []).append(user_id)
    return leads


def not_inspectors(session: Session, usernames: Sequence[str], scope: Unit | None) -> list[str]:
    """Those of `usernames` who may not inspect in `scope`: not an active account with an
    inspector grant on a unit inside its subtree or above it (on any unit, without a scope).

    The one rule for the inspectors a schedule (its form or its file) or a draw is given:
    an account that exists but inspects nowhere there would leave its inspections unassigned.
    """
    found = people(session, usernames)

    def inspects(name: str) -> bool:
        paths = found[name].inspect_paths if name in found else ()
        return any(scope is None or on_one_branch(path, scope.path) for path in paths)

    return sorted({name for name in usernames if not inspects(name)})


def inspector_problem(
    session: Session, usernames: Sequence[str], scope: Unit | None
) -> Message | None:
    """`not_inspectors` in one sentence, for a form's field; None when there are none."""
    missing = not_inspectors(session, usernames, scope)
    if not missing:
        return None
    return Message(
        N_("Not inspectors in this scope (or inactive, or unknown): %(names)s."),
        names=name_list(missing),
    )


def existing_periods(session: Session, schedule_id: int) -> dict[str, int]:
    """period_key -> how many inspections the schedule already has for it."""
    rows = session.execute(
        select(Inspection.period_key, func.count())
        .where(Inspection.schedule_id == schedule_id)
        .group_by(Inspection.period_key)
    ).all()
    return {key: count for key, count in rows}


def existing_units(session: Session, schedule_id: int, period_key: str) -> set[int]:
    return set(
        session.scalars(
            select(Inspection.unit_id).where(
                Inspection.schedule_id == schedule_id, Inspection.period_key == period_key
            )
        )
    )


def schedules_in_scope(session: Session, paths: Sequence[str]) -> Sequence[Schedule]:
    """Schedules whose scope unit lies inside one of the viewer's subtrees."""
    return session.scalars(
        select(Schedule).join(Unit, Unit.id == Schedule.scope_unit_id).where(within(paths))
        .order_by(Schedule.active.desc(), Schedule.key)
    ).all()  # fmt: skip


def inspections_count(session: Session, schedule_ids: Sequence[int]) -> dict[int, Any]:
    """schedule id -> number of inspections it created (one query)."""
    if not schedule_ids:
        return {}
    rows = session.execute(
        select(Inspection.schedule_id, func.count())
        .where(Inspection.schedule_id.in_(list(schedule_ids)))
        .group_by(Inspection.schedule_id)
    ).all()
    return {schedule_id: count for schedule_id, count in rows}


@dataclass(frozen=True)
class Backlog:
    """The inspections a schedule lacks for its periods from its start up to today, which
    the next run (within 10 minutes) creates at once; `overdue` of them are already past
    their due date, in the periods from `first` to `last`."""

    inspections: int = 0
    overdue: int = 0
    first: date | None = None
    last: date | None = None

    @property
    def token(self) -> str:
        """What the office confirmed: a confirmation of other numbers confirms nothing."""
        return f"{self.inspections}:{self.overdue}:{self.first}:{self.last}"


def backlog(
    session: Session, schedule: Schedule, today: date, values: Mapping[str, Any] | None = None
) -> Backlog:
    """What `schedule` creates at once once it is active, with `values` (an edit's) in place
    of its own. Two queries for the units, one for the inspections it has."""
    values = values or {}

    def value(name: str) -> Any:
        return values[name] if name in values else getattr(schedule, name)

    scope = session.get(Unit, value("scope_unit_id"))
    if scope is None:
        return Backlog()
    try:
        days = occurrences(value("rrule"), value("dtstart"), today)
    except RecurrenceError:  # a stored rule no longer valid: the run creates nothing either
        return Backlog()
    units = target_units(session, scope, value("levels"), value("tags"), value("exclude_codes"))
    if not days or not units:
        return Backlog()
    ids = {unit_id for unit_id, _path in units}
    rows = session.execute(
        select(Inspection.period_key, Inspection.unit_id).where(
            Inspection.schedule_id == schedule.id,
            Inspection.period_key >= days[0].isoformat(),
            Inspection.period_key <= days[-1].isoformat(),
        )
    )
    have = Counter(key for key, unit_id in rows if unit_id in ids)
    missing = {day: len(ids) - have[day.isoformat()] for day in days}
    made = [day for day, count in missing.items() if count]
    window = timedelta(days=value("window_days"))
    return Backlog(
        sum(missing.values()),
        sum(count for day, count in missing.items() if day + window < today),
        made[0] if made else None,
        made[-1] if made else None,
    )


def inspectors_within(session: Session, paths: Sequence[str]) -> list[tuple[str, str]]:
    """(username, display name) of the active accounts that may inspect somewhere in the
    subtrees at `paths` (an inspector grant on a unit on one branch with one of them, the
    rule `not_inspectors` checks), by name: the people a form's inspector field offers."""
    rows = session.execute(
        select(User.username, User.display_name, Unit.path)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .join(Unit, Unit.id == RoleGrant.unit_id)
        .where(RoleGrant.role == Role.INSPECTOR, User.active.is_(True))
    ).all()
    found = {(name, shown) for name, shown, path in rows
             if any(on_one_branch(path, p) for p in paths)}  # fmt: skip
    return sorted(found, key=lambda person: (person[1], person[0]))
