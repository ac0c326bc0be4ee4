"""An inspection as a tablet's submission works on it: plain values, read by one statement.

A submission is the tablets' hottest write (docs/api.md, Performance). Who may work on
the inspection, whether it is open, its pinned definition and the workflow engine's
step need only these values; loaded as ORM objects (the inspection, its unit, its
assignments, its version) they cost the request more than any of its writes. The
engine moves a `WorkItem` with the same UPDATE as an inspection object.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dudao.definitions.models import DefinitionVersion
from dudao.inspections.models import Inspection, InspectionAssignment
from dudao.org.models import Unit

_INSPECTION, _UNIT = Inspection.__table__, Unit.__table__
_VERSION, _ASSIGNED = DefinitionVersion.__table__, InspectionAssignment.__table__
#: One row per assignee (one with a NULL user for none).
_WORK_ITEM = (
    select(
        _INSPECTION.c.id, _INSPECTION.c.unit_id, _UNIT.c.path, _INSPECTION.c.definition_version_id,
        _VERSION.c.content_hash, _INSPECTION.c.workflow, _INSPECTION.c.state,
        _INSPECTION.c.version, _INSPECTION.c.state_changed_at, _ASSIGNED.c.user_id,
    )
    .select_from(
        _INSPECTION.join(_UNIT, _UNIT.c.id == _INSPECTION.c.unit_id)
        .join(_VERSION, _VERSION.c.id == _INSPECTION.c.definition_version_id)
        .outerjoin(_ASSIGNED, _ASSIGNED.c.inspection_id == _INSPECTION.c.id)
    )
    .where(_INSPECTION.c.id == bindparam("id"))
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class UnitPlace:
    """What the permission checks read of a unit: where it is in the tree."""

    id: int
    path: str


@dataclass(slots=True)
class WorkItem:
    __tablename__: ClassVar[str] = "inspection"

    id: int
    unit_id: int
    unit: UnitPlace
    definition_version_id: int
    content_hash: str
    workflow: str
    state: str
    version: int
    state_changed_at: datetime | None
    assignee_ids: frozenset[int]


def work_item(session: Session, inspection_id: int) -> WorkItem | None:
    rows = session.execute(_WORK_ITEM, {"id": inspection_id}).all()
    if not rows:
        return None
    row = rows[0]
    return WorkItem(
        row.id, row.unit_id, UnitPlace(row.unit_id, row.path), row.definition_version_id,
        row.content_hash, row.workflow, row.state, row.version, row.state_changed_at,
        frozenset(r.user_id for r in rows if r.user_id is not None),
    )  # fmt: skip
