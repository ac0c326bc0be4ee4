"""Writing the demo story's times into rows made now: a year of work is made in seconds by
the services, which stamp everything with the present; these put each row back at the
moment of the story it belongs to."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from dudao.audit.models import AuditEvent
from dudao.notifications.models import Notification
from dudao.notifications.services import notify_many
from dudao.notifications.transitions import derive, transition_key


def executemany(
    session: Session, table: Any, key: str, rows: list[dict[str, Any]], **values: str
) -> None:
    """UPDATE table SET column = :param ... WHERE key = :pk, once per row, in one call."""
    if rows:
        statement = (
            update(table)
            .where(table.c[key] == bindparam("pk"))
            .values({column: bindparam(param) for column, param in values.items()})
        )
        session.execute(statement, rows)


def notify_dated(
    session: Session, events: Sequence[AuditEvent],
    moment: Callable[[AuditEvent], datetime | None], now: datetime,
) -> int:  # fmt: skip
    """Make the notifications of `events` by the function the notification job calls (so
    the sweep finds them sent) and date each at `moment(event)` of the story; those older
    than three days are read, as people read them. Returns how many were made."""
    made = notify_many(session, derive(session, events))
    dated = []
    for event in events:
        at = moment(event)
        if at is not None:
            read = at + timedelta(hours=2) if at < now - timedelta(days=3) else None
            dated.append({"pk": transition_key(event.id), "at": at, "read": read})
    executemany(session, Notification.__table__, "key", dated, created_at="at", read_at="read")
    return made
