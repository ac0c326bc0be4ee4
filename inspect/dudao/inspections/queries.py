"""Reads for the inspection pages: an inspector's own list, the office list, one history.

Each is a fixed number of queries whatever the number of rows: units come joined,
assignees through the relationship's selectin load, definitions in one query.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.core.enums import Role
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.definitions.queries import current_version, pinned
from dudao.inspections.models import Inspection, InspectionAssignment
from dudao.inspections.submission_models import Finding, Submission
from dudao.notifications.audience import holders_at_or_above
from dudao.org.models import Unit
from dudao.org.queries import within
from dudao.scheduling.assign import conflicted, people_from_grants
from dudao.workflow.registry import get_workflow

PAGE_SIZE = 100
GROUPS = ("returned", "overdue", "today", "upcoming")
#: States in which an inspection's latest submission is its result (trends and analytics count
#: these; the list's `counted` and `failed` filters select the same inspections).
RESULT_STATES = ("submitted", "approved", "closed")


def workable_states(workflow: str = "inspection") -> list[str]:
    """States in which an assignee has something to do (sources of assignee-only actions)."""
    spec = get_workflow(workflow)
    return sorted({s for t in spec.transitions if t.assignee_only for s in t.sources})


def _my_open_work(query: Select[Any], user_id: int) -> Select[Any]:
    return query.join(
        InspectionAssignment, InspectionAssignment.inspection_id == Inspection.id
    ).where(
        InspectionAssignment.user_id == user_id,
        Inspection.workflow == "inspection",
        Inspection.state.in_(workable_states()),
    )


def mine(session: Session, user_id: int, today: date) -> dict[str, list[Inspection]]:
    """The inspector's open work, grouped (returned, overdue, today, upcoming), by due date."""
    query = _my_open_work(select(Inspection), user_id)
    rows = session.scalars(query.order_by(Inspection.due_date, Inspection.id)).all()
    groups: dict[str, list[Inspection]] = {name: [] for name in GROUPS}
    for row in rows:
        groups[due_group(row.state, row.due_date, today)].append(row)
    return groups


def mine_counts(session: Session, user_id: int, today: date) -> Counter[str]:
    """How many of the inspector's open inspections fall in each of `mine`'s groups, from
    two columns (the home page needs the numbers, not the inspections)."""
    rows = session.execute(_my_open_work(select(Inspection.state, Inspection.due_date), user_id))
    return Counter(due_group(state, due, today) for state, due in rows)


def assignment_groups(rows: list[dict[str, Any]], today: date) -> dict[str, list[dict[str, Any]]]:
    """The tablet's list (`sync_queries.assignments`, which also lists what was submitted)
    grouped as `mine` groups, with what waits for review last."""
    groups: dict[str, list[dict[str, Any]]] = {name: [] for name in (*GROUPS, "waiting")}
    for row in rows:
        due = date.fromisoformat(row["due_date"])
        waiting = row["state"] == "submitted"
        groups["waiting" if waiting else due_group(row["state"], due, today)].append(row)
    return groups


def due_group(state: str, due: date, today: date) -> str:
    """Where open work goes in an inspector's list (one of GROUPS): what came back to
    them first, then by its due date against today."""
    if state == "returned":
        return "returned"
    if due < today:
        return "overdue"
    return "today" if due == today else "upcoming"


@dataclass
class Filters:
    state: str = ""
    unit: Unit | None = None
    origin: str = ""
    due_from: date | None = None
    due_to: date | None = None
    page: int = 1
    subtree: bool = True  # False: the unit's own inspections only
    definition: str = ""  # a definition key
    counted: bool = False  # only inspections with a result (RESULT_STATES)
    failed: str = ""  # an item key the latest result failed (implies counted)
    overdue_on: date | None = None  # only those late on this day (see `late_clause`)

    def query_args(self) -> dict[str, Any]:
        args = {
            "state": self.state,
            "unit": self.unit.code if self.unit else "",
            "subtree": "" if self.subtree else "0",
            "origin": self.origin,
            "due_from": self.due_from.isoformat() if self.due_from else "",
            "due_to": self.due_to.isoformat() if self.due_to else "",
            "definition": self.definition,
            "counted": "1" if self.counted else "",
            "failed": self.failed,
            "overdue": "1" if self.overdue_on else "",
        }
        return {k: v for k, v in args.items() if v}


@dataclass
class OfficePage:
    rows: list[Inspection]
    total: int
    page: int
    pages: int
    definitions: dict[int, tuple[FormDefinition, DefinitionVersion]] = field(default_factory=dict)


def late_clause(today: date) -> Any:
    """Past its due date in a state the workflow's escalation timers watch (the list's
    "overdue" rows, `Workflow.late_in`): work still outstanding, not a late approval."""
    workflow = get_workflow("inspection")
    late = [state.key for state in workflow.states if workflow.late_in(state.key)]
    return and_(Inspection.due_date < today, Inspection.state.in_(late))


def count_late(session: Session, paths: Sequence[str], today: date) -> int:
    """How many inspections inside `paths` are late today."""
    if not paths:
        return 0
    query = select(func.count(Inspection.id)).join(Unit, Unit.id == Inspection.unit_id)
    return session.scalar(query.where(within(paths), late_clause(today))) or 0


def office_list(session: Session, paths: Sequence[str], filters: Filters) -> OfficePage:
    """Inspections of units inside `paths` (the viewer's scope) matching `filters`."""
    if not paths:
        return OfficePage([], 0, 1, 1)
    query = select(Inspection).join(Unit, Unit.id == Inspection.unit_id).where(within(paths))
    if filters.state:
        query = query.where(Inspection.state == filters.state)
    if filters.unit is not None:
        query = query.where(
            Unit.path.startswith(filters.unit.path) if filters.subtree
            else Inspection.unit_id == filters.unit.id
        )  # fmt: skip
    if filters.origin:
        query = query.where(Inspection.origin == filters.origin)
    if filters.due_from:
        query = query.where(Inspection.due_date >= filters.due_from)
    if filters.due_to:
        query = query.where(Inspection.due_date <= filters.due_to)
    if filters.overdue_on:
        query = query.where(late_clause(filters.overdue_on))
    query = _result_filters(query, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    rows = list(
        session.scalars(
            query.order_by(Inspection.due_date.desc(), Inspection.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    )
    return OfficePage(rows, total, page, pages, definitions(session, rows))


def _result_filters(query: Select[Any], filters: Filters) -> Select[Any]:
    """Definition, "has a result" and "the latest result failed item X" (as analytics counts)."""
    if filters.definition:
        versions = (
            select(DefinitionVersion.id)
            .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
            .where(FormDefinition.key == filters.definition)
        )
        query = query.where(Inspection.definition_version_id.in_(versions))
    if filters.counted or filters.failed:
        query = query.where(Inspection.state.in_(RESULT_STATES))
    if filters.failed:
        latest = (
            select(func.max(Submission.id))
            .where(Submission.inspection_id == Inspection.id)
            .correlate(Inspection)
            .scalar_subquery()
        )
        query = query.where(
            select(Finding.id)
            .where(Finding.inspection_id == Inspection.id, Finding.submission_pk == latest,
                   Finding.item_key == filters.failed)
            .correlate(Inspection)
            .exists()
        )  # fmt: skip
    return query


def definitions(
    session: Session, rows: Sequence[Inspection]
) -> dict[int, tuple[FormDefinition, DefinitionVersion]]:
    """Definition and version of each row's pinned version, in one query."""
    ids = {row.definition_version_id for row in rows}
    if not ids:
        return {}
    found = session.execute(
        select(DefinitionVersion, FormDefinition)
        .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
        .where(DefinitionVersion.id.in_(ids))
    )
    return {version.id: (definition, version) for version, definition in found}


def filter_names(session: Session, filters: Filters, locale: str) -> tuple[str, str]:
    """The checklist's title and the failed item's label for the list's filter notices; a
    key naming nothing current (a retired checklist, an item since removed) as it is."""
    title, label = filters.definition, filters.failed
    version = current_version(session, filters.definition) if filters.definition else None
    if version is not None:
        spec = pinned(session, version.id, version.content_hash)
        title = spec.title.get(locale)
        label = next((i.label.get(locale) for i in spec.items if i.key == label), label)
    return title, label


def users_by_id(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def history(session: Session, inspection_id: int) -> list[AuditEvent]:
    """The inspection's audit events, oldest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.entity_type == "inspection", AuditEvent.entity_id == str(inspection_id)
            )
            .order_by(AuditEvent.seq)
        )
    )


def assignable(session: Session, inspection: Inspection) -> list[User]:
    """Active users holding the inspector role on the inspection's unit (they can act on
    it), less those it would make judge their own unit (回避, as schedules and draws
    assign); whoever is assigned already stays, so saving the form drops nobody unseen."""
    holders = holders_at_or_above(session, (Role.INSPECTOR,), [inspection.unit.path])
    # Their grants came with them (selectin): no second query for what 回避 needs.
    people = people_from_grants(
        (u.id, u.username, Role(g.role).value, g.unit.path) for u in holders for g in u.grants
    )
    path, assigned = inspection.unit.path, inspection.assignee_ids
    return [u for u in holders if u.id in assigned or not conflicted(people[u.username], path)]
