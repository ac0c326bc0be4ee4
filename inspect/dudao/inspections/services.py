"""Creating inspections and changing who is assigned; states change only in the engine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from dudao.audit.services import Entry, record, record_many
from dudao.auth.models import User
from dudao.core.errors import N_, Message, ValidationError
from dudao.definitions.models import DefinitionVersion
from dudao.inspections.models import Inspection, InspectionAssignment, InspectionOrigin
from dudao.org.models import Unit
from dudao.workflow.engine import Conflict
from dudao.workflow.registry import get_workflow
from dudao.workflow.spec import Workflow


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


def may_reassign(workflow: Workflow, state: str) -> bool:
    """Assignees change only while the workflow still has work for them: in a state the
    `assign` action or an assignee-only action (start, submit) leaves from. Once the
    checklist is submitted, approved, closed or cancelled, who did it stays as it was."""
    return any(t.action == "assign" or t.assignee_only for t in workflow.transitions_from(state))


def set_assignees(
    session: Session, actor: Any, inspection: Inspection, users: Iterable[User], audit: bool = True
) -> None:
    """Conflict once the workflow has no more work for assignees (see `may_reassign`);
    ValidationError for nobody once assigned (only a planned inspection waits for people)."""
    workflow = get_workflow(inspection.workflow)
    if not may_reassign(workflow, inspection.state):
        raise Conflict(Message(N_("The assignees can no longer be changed at this stage.")))
    wanted = {user.id for user in users}
    if not wanted and inspection.state != workflow.initial:
        raise ValidationError(
            Message(N_("Choose at least one inspector: this inspection is under way."))
        )
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


def create_inspections(
    session: Session,
    actor: Any,
    units: Iterable[Unit],
    version: DefinitionVersion,
    due_date: date,
    origin: InspectionOrigin,
    *,
    reason: str | None = None,
    assignees: dict[int, list[int]] | None = None,
    workflow: str = "inspection",
) -> list[Inspection]:
    """Many inspections at once (an ad hoc check of a whole subtree): one flush, one audit append.

    `assignees` maps unit id -> user ids. An inspection that gets assignees is moved
    on by the workflow's `assign` action (state and audit event, as the engine does).
    """
    spec = get_workflow(workflow)
    assign = spec.transition("assign", spec.initial)
    assignees = assignees or {}
    created = []
    for unit in units:
        users = sorted(set(assignees.get(unit.id, ())))
        target = assign.target if assign is not None and users else spec.initial
        inspection = Inspection(
            unit=unit, definition_version_id=version.id, workflow=workflow, state=target,
            origin=origin.value, due_date=due_date, reason=reason,
            created_by_id=getattr(actor, "id", None),
            assignments=[InspectionAssignment(user_id=user_id) for user_id in users],
        )  # fmt: skip
        session.add(inspection)
        created.append(inspection)
    session.flush()
    entries: list[Entry] = []
    for inspection in created:
        entries.append(
            ("inspection.create", "inspection", inspection.id, None,
             {"unit": inspection.unit.code, "definition_version": version.id,
              "origin": origin.value, "due": due_date.isoformat(), "reason": reason,
              "assignees": sorted(inspection.assignee_ids)})
        )  # fmt: skip
        if inspection.state != spec.initial:
            entries.append(
                (f"{workflow}.assign", "inspection", inspection.id,
                 {"state": spec.initial}, {"state": inspection.state})
            )  # fmt: skip
    record_many(session, actor, entries)
    return created
