"""Send in-app notifications exactly once per (user, event key)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dudao.core.database import utcnow
from dudao.notifications.models import Notification


def notify(
    session: Session,
    user_ids: Iterable[int],
    key: str,
    kind: str,
    title: str,
    body: str = "",
    link: str | None = None,
) -> int:
    """Create the notification for each user who does not have `key` yet; return how many.

    INSERT ... ON CONFLICT DO NOTHING on (user_id, key): two jobs sending the same
    event at the same moment (two cron processes) still give each user one.
    """
    wanted = sorted(set(user_ids))
    if not wanted:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - Dudao runs on PostgreSQL and SQLite only
        raise NotImplementedError(dialect)
    session.flush()
    statement = (
        insert(Notification)
        .values(
            [
                {
                    "user_id": uid,
                    "key": key,
                    "kind": kind,
                    "title": title,
                    "body": body,
                    "link": link,
                    "created_at": utcnow(),
                }
                for uid in wanted
            ]
        )
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(Notification.id)
    )
    return len(session.execute(statement).all())


def unread_count(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(
    session: Session, user_id: int, notification_ids: Iterable[int] | None = None
) -> None:
    statement = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if notification_ids is not None:
        statement = statement.where(Notification.id.in_(list(notification_ids)))
    session.execute(statement.values(read_at=utcnow()))
