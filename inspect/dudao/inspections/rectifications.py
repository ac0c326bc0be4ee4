"""Rectification tasks (整改) opened from findings and moved by the rectification workflow.

The owner unit's leads start the task and submit it with their answer and evidence;
the inspector who made the finding (or the verifier named when the task was opened)
or the office on that unit verifies it or reopens it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.core.enums import Role
from dudao.core.errors import N_, Message, PermissionDenied
from dudao.core.permissions import roles_on
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Finding, Photo, Rectification, ReviewState
from dudao.inspections.submissions import FieldErrors, SubmissionConflict
from dudao.notifications.audience import holders_at_or_above
from dudao.org.models import Unit
from dudao.scheduling.recurrence import org_today
from dudao.workflow.engine import Applied, announce, apply, available_actions
from dudao.workflow.registry import get_workflow

OFFICE = {Role.ADMIN, Role.OFFICE}
CHECKS = ("verify", "reopen")
ANSWER_ACTIONS = {"start", "submit"}  # the owner's answer starts and submits at once
DESCRIPTION_MAX = 4000


def open_tasks(session: Session, finding_id: int) -> list[Rectification]:
    workflow = get_workflow("rectification")
    finals = [state.key for state in workflow.states if state.final]
    return list(
        session.scalars(
            select(Rectification).where(
                Rectification.finding_id == finding_id, Rectification.state.not_in(finals)
            )
        )
    )


def _hold(session: Session, finding: Finding) -> None:
    """Two tasks opened on one finding at the same moment: an UPDATE of the finding's row
    waits for the other transaction (PostgreSQL's row lock, SQLite's write lock), so the
    open-task check after it sees the task the other one opened."""
    table = Finding.__table__
    session.execute(update(table).where(table.c.id == finding.id).values(id=table.c.id))


def may_open(actor: Any, finding: Finding, inspection: Inspection) -> bool:
    """The office over the unit opens a task on any finding (a critical failure's flag may
    come before the review); an inspector only on a finding the office approved, of an
    inspection they were assigned to or submitted, so no other inspector can make
    themselves the verifier of someone else's finding."""
    roles = roles_on(actor, finding.unit)
    if OFFICE & roles:
        return True
    submission = finding.submission
    actor_id = getattr(actor, "id", None)
    return (
        Role.INSPECTOR in roles
        and submission.review_state == ReviewState.APPROVED
        and actor_id is not None
        and (actor_id == submission.submitted_by_id or actor_id in inspection.assignee_ids)
    )


def has_answerer(session: Session, owner: Unit) -> bool:
    """Whether anyone could answer a task `owner` owns: the workflow lets a unit lead on the
    owner unit or a unit above it start and submit it (an active account)."""
    return bool(holders_at_or_above(session, (Role.UNIT_LEAD,), [owner.path]))


def open_rectification(
    session: Session,
    actor: Any,
    finding: Finding,
    owner: Unit,
    deadline: date,
    description: str,
    verifier_id: int | None = None,
) -> Rectification:
    """Open one task for a finding; the owner unit must be the finding's unit or above it,
    with a lead who can answer the task, and the deadline today or later (a task overdue at
    birth would count against its owner).
    The verifier is the inspector who made the finding unless someone else is named."""
    if not may_open(actor, finding, session.get_one(Inspection, finding.inspection_id)):
        raise PermissionDenied(
            Message(N_("Only the office, or an inspector of this inspection once the office "
                       "approved it, may open a rectification."))
        )  # fmt: skip
    errors: dict[str, str] = {}
    if not finding.unit.path.startswith(owner.path):
        errors["owner_unit"] = Message(
            N_("The owner must be the inspected unit or a unit above it.")
        )
    elif not has_answerer(session, owner):
        errors["owner_unit"] = Message(
            N_("Nobody could answer this task: no active account is the lead of %(unit)s or "
               "of a unit above it. Choose another owner unit, or give it a lead first."),
            unit=owner.code,
        )  # fmt: skip
    if deadline < org_today(session):
        errors["deadline"] = Message(N_("The deadline cannot be before today."))
    text = (description or "").strip()
    if not text:
        errors["description"] = Message(N_("Say what has to be put right."))
    elif len(text) > DESCRIPTION_MAX:
        errors["description"] = Message(
            N_("Keep the description to %(n)d characters or fewer."), n=DESCRIPTION_MAX
        )
    if errors:
        raise FieldErrors(Message(N_("The rectification cannot be opened as it stands.")), errors)
    _hold(session, finding)
    if open_tasks(session, finding.id):
        raise SubmissionConflict(
            "rectification_open",
            Message(N_("This finding already has an open rectification task.")),
        )
    task = Rectification(
        finding_id=finding.id, unit_id=owner.id, state=get_workflow("rectification").initial,
        deadline=deadline, description=text,
        verifier_id=verifier_id or finding.submission.submitted_by_id,
        created_by_id=getattr(actor, "id", None), evidence_photo_ids=[],
    )  # fmt: skip
    session.add(task)
    session.flush()
    # Recorded like a transition into the initial state, so the owner unit's leads are told.
    event = record(
        session, actor, "rectification.open", "rectification", task.id, before={"state": None},
        after={"state": task.state, "finding": finding.id, "item": finding.item_key,
               "owner": owner.code, "deadline": deadline.isoformat()},
    )  # fmt: skip
    announce(session, Applied("rectification", task.id, "open", "", task.state, event.id))
    return task


def awaits_answer(actor: Any, task: Rectification) -> bool:
    """The owner unit's lead answers, and adds evidence, only while the workflow waits for
    it: not once the task is submitted, verified or cancelled."""
    return answers_among(available_actions(actor, task))


def answers_among(actions: Iterable[Any]) -> bool:
    """Whether the actions open to someone include answering the task (`awaits_answer`
    for a page that has them already)."""
    return bool(ANSWER_ACTIONS & {t.action for t in actions})


def may_check(session: Session, actor: Any, task: Rectification) -> bool:
    """Verify and reopen are for the office over the unit, or for the inspector who made the
    finding or was named as verifier; other inspectors on the unit only read the task."""
    if OFFICE & roles_on(actor, task.unit):
        return True
    actor_id = getattr(actor, "id", None)
    return actor_id is not None and actor_id in (
        task.verifier_id,
        task.finding.submission.submitted_by_id,
    )


def act(
    session: Session,
    actor: Any,
    task: Rectification,
    action: str,
    comment: str = "",
    photo_ids: list[str] | None = None,
    expected_version: int | None = None,
) -> Applied:
    """Apply a rectification workflow action; `submit` keeps the answer and evidence photos
    (a task still `open` is started first, in the same transaction)."""
    possible = get_workflow(task.workflow).transition(action, task.state) is not None
    if action in CHECKS and possible and not may_check(session, actor, task):
        raise PermissionDenied(
            Message(N_("Only the inspector who made the finding or the office verifies this task."))
        )
    if action == "submit" and photo_ids:
        known = set(
            session.scalars(
                select(Photo.id).where(
                    Photo.id.in_(photo_ids), Photo.inspection_id == task.finding.inspection_id
                )
            )
        )
        if set(photo_ids) - known:
            raise FieldErrors(
                Message(N_("Upload the evidence photos first.")),
                {"photo_ids": Message(N_("unknown photo"))},
            )
    fields = {"comment": comment} if action in ("submit", "reopen", "verify") else {}
    if action == "cancel":
        fields = {"reason": comment}
    if action == "submit" and task.state == "open":
        apply(session, actor, task, "start", expected_version=expected_version)
        expected_version = None
    applied = apply(session, actor, task, action, expected_version=expected_version, fields=fields)
    if action == "submit":
        task.response = comment.strip()
        task.evidence_photo_ids = list(photo_ids or [])
        session.flush()
    return applied
