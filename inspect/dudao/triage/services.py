"""Triage writes: every state change goes through the workflow engine (audit, locking)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dudao.audit.services import record
from dudao.core.database import utcnow
from dudao.core.errors import PermissionDenied
from dudao.trends.models import Flag
from dudao.workflow import engine

#: Why a flag was left out because the page showed an older version of it.
STALE = "changed meanwhile"


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # flag id -> why


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
        except (engine.TransitionRefused, PermissionDenied) as exc:
            result.refused[flag.id] = str(exc)
            continue
        result.done.append(flag.id)
    return result


def set_assignee(
    session: Session, actor: Any, flag: Flag, user: Any | None, expected_version: int | None
) -> None:
    """Give the flag to an office user (or to nobody), audited and optimistically locked."""
    if expected_version is not None and expected_version != flag.version:
        raise engine.Conflict("This was changed by someone else meanwhile; reload and try again.")
    before = flag.assignee_id
    flag.assignee_id = user.id if user is not None else None
    if before == flag.assignee_id:
        return
    flag.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError as exc:
        raise engine.Conflict("This was changed by someone else meanwhile.") from exc
    record(session, actor, "trend_flag.assign", "trend_flag", flag.id,
           before={"assignee": before}, after={"assignee": flag.assignee_id})  # fmt: skip
