"""Triage writes: every state change goes through the workflow engine (audit, locking);
assigning and commenting, which move no state, are audited and locked here the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dudao.audit.services import record
from dudao.core.database import utcnow
from dudao.core.effects import after_commit
from dudao.core.enums import Role
from dudao.core.errors import N_, Message, PermissionDenied, ValidationError
from dudao.core.permissions import roles_on
from dudao.notifications.jobs import enqueue_event
from dudao.trends.models import Flag
from dudao.workflow import engine

#: Why a flag was left out of a bulk action (the view words them for the reader).
STALE = "changed meanwhile"
CLOSED = "closed"
NO_ROLE = "no role"
OUT_OF_REACH = "assignee cannot act on it"
UNCHANGED = "already assigned"
WRONG_STATE = "wrong state"

#: The roles that triage flags (the flag-triage workflow's roles).
TRIAGE_ROLES = {Role.OFFICE, Role.ADMIN}
COMMENT_MAX = 4000


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # flag id -> a code, or a Message


def may_triage(user: Any, flag: Flag) -> bool:
    """Whether `user` is an active office or admin user on the flag's unit or above."""
    return bool(getattr(user, "active", True)) and bool(TRIAGE_ROLES & roles_on(user, flag.unit))


def bulk_apply(
    session: Session,
    actor: Any,
    flags: list[Flag],
    action: str,
    versions: dict[int, int] | None = None,
) -> BulkResult:
    """Apply `action` to each flag in the caller's transaction; a refused flag is reported
    and left unchanged while the others go ahead. A Conflict raised while flushing
    (someone changed a flag meanwhile) propagates: the caller rolls back the whole batch."""
    result = BulkResult()
    versions = versions or {}
    for flag in flags:
        expected = versions.get(flag.id)
        if expected is not None and expected != flag.version:
            result.refused[flag.id] = STALE
            continue
        try:
            engine.apply(session, actor, flag, action, expected_version=expected)
        except engine.TransitionRefused as exc:
            wrong_state = exc.names("action")
            result.refused[flag.id] = WRONG_STATE if wrong_state else exc.message
            continue
        except PermissionDenied:
            result.refused[flag.id] = NO_ROLE
            continue
        result.done.append(flag.id)
    return result


def bulk_assign(
    session: Session,
    actor: Any,
    flags: list[Flag],
    person: Any | None,
    versions: dict[int, int] | None = None,
) -> BulkResult:
    """Give each flag to `person` (or to nobody) in the caller's transaction. A flag is left
    unchanged and reported when its page was stale, it is closed, the actor has no triage
    role on it, `person` could not act on it, or it already is theirs; a Conflict while
    flushing propagates (the caller rolls back the batch)."""
    result = BulkResult()
    versions = versions or {}
    target = person.id if person is not None else None
    for flag in flags:
        expected = versions.get(flag.id)
        if expected is not None and expected != flag.version:
            result.refused[flag.id] = STALE
        elif not flag.is_open:
            result.refused[flag.id] = CLOSED
        elif not may_triage(actor, flag):
            result.refused[flag.id] = NO_ROLE
        elif person is not None and not may_triage(person, flag):
            result.refused[flag.id] = OUT_OF_REACH
        elif flag.assignee_id == target:
            result.refused[flag.id] = UNCHANGED
        else:
            set_assignee(session, actor, flag, person, expected, flag.due_date)
            result.done.append(flag.id)
    return result


def set_assignee(
    session: Session,
    actor: Any,
    flag: Flag,
    user: Any | None,
    expected_version: int | None,
    due_date: date | None,
) -> None:
    """Give the flag to an office user (or to nobody) with a deadline (or none), audited
    and optimistically locked."""
    if expected_version is not None and expected_version != flag.version:
        raise engine.Conflict("This was changed by someone else meanwhile; reload and try again.")
    before: dict[str, Any] = {"assignee": flag.assignee_id}
    after: dict[str, Any] = {"assignee": user.id if user is not None else None}
    if due_date != flag.due_date:
        before["due_date"] = flag.due_date.isoformat() if flag.due_date else None
        after["due_date"] = due_date.isoformat() if due_date else None
    if before == after:
        return
    flag.assignee_id, flag.due_date = after["assignee"], due_date
    flag.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError as exc:
        raise engine.Conflict("This was changed by someone else meanwhile.") from exc
    event = record(
        session, actor, "trend_flag.assign", "trend_flag", flag.id, before=before, after=after
    )
    if after["assignee"] not in (None, getattr(actor, "id", None)):
        after_commit(session, enqueue_event, session.info.get("settings"), event.id)


def add_comment(session: Session, actor: Any, flag: Flag, text: str) -> None:
    """A note in the flag's history without a state change (audited; moves no version, so
    it never makes someone else's open page stale)."""
    if not may_triage(actor, flag):
        raise PermissionDenied("Only the office may comment on a flag.")
    text = (text or "").strip()
    if not text or len(text) > COMMENT_MAX:
        problem = (Message(N_("Keep the comment to %(n)d characters or fewer."), n=COMMENT_MAX)
                   if text else Message(N_("Write the comment.")))  # fmt: skip
        raise ValidationError.of_field("comment", problem)
    record(session, actor, "trend_flag.comment", "trend_flag", flag.id, after={"comment": text})
