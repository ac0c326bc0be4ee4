"""Workflow timers: remind before the due date, escalate after it, once each.

For every registered subject type (inspections; later rectifications and flags),
every workflow and every timer, one query finds the subjects the timer applies to
today; their notifications are keyed `timer:<workflow>:<timer>:<id>:<due date>`,
so running the job again (or on two machines) sends nothing twice, and a changed
due date is reminded again. "Today" is the organisation's date (settings.tz).

- remind, days N: from N days before the due date up to the due date itself;
- escalate, days N: once the due date has passed by at least N days (N = 0 and
  N = 1 both mean "the day after the due date"); with a `target`, the subject is
  also moved there by the system (workflow.engine.apply_timer).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from dudao.notifications.audience import AUDIENCE_ROLES, nearest_holders
from dudao.notifications.services import Message, notify_many
from dudao.notifications.titles import subject_message
from dudao.workflow.engine import Conflict, apply_timer
from dudao.workflow.registry import all_workflows
from dudao.workflow.spec import Timer, Workflow
from dudao.workflow.subjects import SubjectType, subject_types

log = logging.getLogger(__name__)


@dataclass
class TimerResult:
    notified: int = 0
    moved: int = 0
    fired: dict[str, int] = field(default_factory=dict)


def timer_key(workflow: str, timer: str, subject_id: int, due: date) -> str:
    return f"timer:{workflow}:{timer}:{subject_id}:{due.isoformat()}"


def due_subjects(
    session: Session, kind: SubjectType, workflow: Workflow, timer: Timer, today: date
) -> list[Any]:
    """The subjects `timer` fires for on `today`, with their units (one query: every
    notification's title names the subject's unit)."""
    model, due = kind.model, kind.due_column
    query = (
        select(model)
        .options(joinedload(model.unit))
        .where(model.workflow == workflow.key, model.state.in_(timer.states))
    )
    if timer.kind == "remind":
        query = query.where(due >= today, due <= today + timedelta(days=timer.days))
    else:
        query = query.where(due <= today - timedelta(days=max(timer.days, 1)))
    if timer.target:
        query = query.where(model.state != timer.target)
    return list(session.scalars(query.order_by(model.id)))


def _messages(
    session: Session, kind: SubjectType, workflow: Workflow, timer: Timer, subjects: list[Any]
) -> list[Message]:
    paths = {s.unit.path for s in subjects}
    assignees = kind.assignees(session, subjects) if "assignees" in timer.notify else {}
    by_role = {
        audience: nearest_holders(session, AUDIENCE_ROLES[audience], paths)
        for audience in timer.notify
        if audience in AUDIENCE_ROLES
    }
    messages = []
    for subject in subjects:
        due = kind.due_date(subject)
        key = timer_key(workflow.key, timer.key, subject.id, due)
        if timer.kind == "remind":
            personal, others = "due_soon", "due_soon"
        else:
            personal, others = "overdue", "escalated"
        for uid in sorted(assignees.get(subject.id, ())):
            messages.append(subject_message(uid, key, personal, kind, subject, due_on=due))
        for holders in by_role.values():
            messages += [
                subject_message(uid, key, others, kind, subject, due_on=due)
                for uid in sorted(holders[subject.unit.path])
            ]
    return messages


def run(session: Session, today: date) -> TimerResult:
    """Fire every timer due on `today`; notifications are committed before any move."""
    result = TimerResult()
    moves: list[tuple[SubjectType, int, str, str]] = []
    for kind in subject_types().values():
        for workflow in all_workflows().values():
            for timer in workflow.timers:
                subjects = due_subjects(session, kind, workflow, timer, today)
                if not subjects:
                    continue
                result.fired[f"{workflow.key}.{timer.key}"] = len(subjects)
                result.notified += notify_many(
                    session, _messages(session, kind, workflow, timer, subjects)
                )
                if timer.kind == "escalate" and timer.target:
                    moves += [(kind, s.id, timer.key, timer.target) for s in subjects]
    session.commit()
    for kind, subject_id, key, target in moves:
        subject = session.get(kind.model, subject_id)
        try:
            apply_timer(session, subject, key, target)
            session.commit()
            result.moved += 1
        except Conflict:  # someone acted meanwhile; the next run looks again
            session.rollback()
            log.info("Timer %s: %s %s changed meanwhile", key, kind.table, subject_id)
    return result
