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
    """Create the notification for each user who does not have `key` yet; return how many."""
    wanted = set(user_ids)
    if not wanted:
        return 0
    existing = set(
        session.scalars(
            select(Notification.user_id).where(
                Notification.key == key, Notification.user_id.in_(wanted)
            )
        )
    )
    new = sorted(wanted - existing)
    session.add_all(
        Notification(user_id=uid, key=key, kind=kind, title=title, body=body, link=link)
        for uid in new
    )
    session.flush()
    return len(new)


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
