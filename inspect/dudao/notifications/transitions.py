"""Who hears about a workflow transition, derived from its audit event and its subject.

Everything comes from the database (the audit event, the subject, its assignees, the
grants), so the job that sends right after a commit and the sweep that catches up on
lost jobs derive the same notifications, keyed `transition:<audit event id>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.audit.models import AuditEvent
from dudao.core.database import utcnow
from dudao.core.enums import Role
from dudao.notifications.audience import nearest_holders
from dudao.notifications.models import Notification
from dudao.notifications.services import Message, notify_many
from dudao.notifications.titles import subject_message
from dudao.workflow.subjects import UNIT_LEADS, subject_types

#: action -> (kind, audience). Actions not listed notify nobody (e.g. "start"). Who
#: "assignees" are depends on the subject type (`SubjectType.workers`); "author" is the
#: subject's author (named feedback).
RULES: dict[str, tuple[str, str]] = {
    "assign": ("assigned", "assignees"),
    "open": ("assigned", "assignees"),  # a rectification task opened for the unit's leads
    "return": ("returned", "assignees"),
    "reopen": ("returned", "assignees"),
    "submit": ("submitted", "office"),
    "approve": ("approved", "assignees"),
    "verify": ("approved", "assignees"),
    "cancel": ("cancelled", "assignees"),
    "answer": ("answered", "author"),
}
SWEEP_DAYS = 3


def transition_key(event_id: int) -> str:
    return f"transition:{event_id}"


def is_transition(event: AuditEvent) -> bool:
    """An engine transition: state before and after, and not a timer's own move."""
    before, after = event.before or {}, event.after or {}
    return "state" in before and "state" in after and "timer" not in after


def is_assignment(event: AuditEvent) -> bool:
    """A subject given to someone outside the workflow (a flag's assignee): they hear of it."""
    after = event.after or {}
    return "state" not in after and after.get("assignee") is not None


def rule_of(event: AuditEvent) -> tuple[str, str] | None:
    """(notice, audience) for an event that tells someone something — a transition in
    RULES, or an assignment (its assignee, "named") — else None."""
    if is_assignment(event):
        return "assigned", "named"
    action = event.action.rsplit(".", 1)[-1]
    return RULES[action] if action in RULES and is_transition(event) else None


def notable(event: AuditEvent) -> bool:
    return rule_of(event) is not None


def derive(session: Session, events: Iterable[AuditEvent]) -> list[Message]:
    """The notifications these transition events call for (a few queries for any number)."""
    kinds = subject_types()
    wanted: dict[str, list[tuple[AuditEvent, tuple[str, str]]]] = {}
    for event in events:
        rule = rule_of(event) if event.entity_type in kinds else None
        if rule is not None:
            wanted.setdefault(event.entity_type, []).append((event, rule))
    messages: list[Message] = []
    for table, found in wanted.items():
        kind = kinds[table]
        ids = sorted({int(e.entity_id) for e, _rule in found})
        subjects = {
            s.id: s for s in session.scalars(select(kind.model).where(kind.model.id.in_(ids)))
        }
        assignees, offices, leads = {}, {}, {}
        if any(audience in ("assignees", "office") for _event, (_notice, audience) in found):
            if kind.workers != UNIT_LEADS:
                assignees = kind.assignees(session, list(subjects.values()))
            paths = {s.unit.path for s in subjects.values()}
            offices = nearest_holders(session, Role.OFFICE, paths)
            if kind.workers == UNIT_LEADS:
                leads = nearest_holders(session, Role.UNIT_LEAD, paths)
        for event, (notice, audience) in found:
            subject = subjects.get(int(event.entity_id))
            if subject is None:
                continue
            after = event.after or {}
            if audience == "named":
                users = {int(after["assignee"])}
            elif audience == "author":
                author = getattr(subject, "author_id", None)
                users = {author} if author else set()
            elif audience == "office":
                users = offices[subject.unit.path]
                if kind.workers == UNIT_LEADS:  # a rectification's verifier checks it too
                    users = users | subject.assignee_ids
            elif kind.workers == UNIT_LEADS:
                users = leads[subject.unit.path]
            else:
                users = assignees[subject.id]
            body = after.get("comment") or after.get("reason") or ""
            due_on = None
            if notice == "assigned":  # what is asked and by when, not only a link
                due_on = kind.due_date(subject)
                if kind.workers == UNIT_LEADS:
                    body = body or subject.description
            messages += [
                subject_message(
                    uid,
                    transition_key(event.id),
                    notice,
                    kind,
                    subject,
                    body,
                    due_on=due_on,
                    audience=audience,
                )
                for uid in sorted(users - {event.actor_id})
            ]
    return messages


def notify_events(session: Session, event_ids: Iterable[int]) -> int:
    events = session.scalars(select(AuditEvent).where(AuditEvent.id.in_(list(event_ids)))).all()
    return notify_many(session, derive(session, events))


def sweep(session: Session, days: int = SWEEP_DAYS) -> int:
    """Re-derive the notifications of the last `days` days' transitions that have none yet."""
    since = utcnow() - timedelta(days=days)
    types = list(subject_types())
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.occurred_at >= since, AuditEvent.entity_type.in_(types))
    ).all()
    events = [e for e in events if notable(e)]
    if not events:
        return 0
    keys = [transition_key(e.id) for e in events]
    sent: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        sent.update(session.scalars(select(Notification.key).where(Notification.key.in_(chunk))))
    # One notify is one INSERT for all of an event's users: a key present means done.
    return notify_many(
        session, derive(session, [e for e in events if transition_key(e.id) not in sent])
    )
