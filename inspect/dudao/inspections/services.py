"""Creating inspections and changing who is assigned; states change only in the engine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.auth.models import User
from dudao.definitions.models import DefinitionVersion
from dudao.inspections.models import Inspection, InspectionAssignment, InspectionOrigin
from dudao.org.models import Unit
from dudao.workflow.registry import get_workflow


def create_inspection(
    session: Session,
    actor: Any,
    unit: Unit,
    version: DefinitionVersion,
    due_date: date,
    origin: InspectionOrigin,
    *,
    reason: str | None = None,
    assignees: Iterable[User] = (),
    workflow: str = "inspection",
) -> Inspection:
    inspection = Inspection(
        unit=unit,
        definition_version_id=version.id,
        workflow=workflow,
        state=get_workflow(workflow).initial,
        origin=origin.value,
        due_date=due_date,
        reason=reason,
        created_by_id=getattr(actor, "id", None),
    )
    session.add(inspection)
    session.flush()
    set_assignees(session, actor, inspection, assignees, audit=False)
    record(
        session, actor, "inspection.create", "inspection", inspection.id,
        after={"unit": unit.code, "definition_version": version.id, "origin": origin.value,
               "due": due_date.isoformat(), "assignees": sorted(inspection.assignee_ids)},
    )  # fmt: skip
    return inspection


def set_assignees(
    session: Session, actor: Any, inspection: Inspection, users: Iterable[User], audit: bool = True
) -> None:
    wanted = {user.id for user in users}
    before = sorted(inspection.assignee_ids)
    inspection.assignments[:] = [a for a in inspection.assignments if a.user_id in wanted]
    for user_id in sorted(wanted - inspection.assignee_ids):
        inspection.assignments.append(InspectionAssignment(user_id=user_id))
    session.flush()
    if audit and before != sorted(wanted):
        record(
            session, actor, "inspection.assign", "inspection", inspection.id,
            before={"assignees": before}, after={"assignees": sorted(wanted)},
        )  # fmt: skip
