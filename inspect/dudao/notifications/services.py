"""Send in-app notifications exactly once per (user, event key)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dudao.core.database import dialect_insert, utcnow
from dudao.core.errors import N_
from dudao.notifications.models import Notification

#: Every kind of notification and its name (the catalogue's msgid), translated where it is
#: shown (the inbox's filters, e-mail subjects in the recipient's language); e-mail
#: digests list kinds in this order.
KINDS: dict[str, str] = {
    "assigned": N_("Assigned"),
    "due_soon": N_("Due soon"),
    "overdue": N_("Overdue"),
    "escalated": N_("Escalated"),
    "returned": N_("Returned"),
    "submitted": N_("Submitted"),
    "approved": N_("Approved"),
    "cancelled": N_("Cancelled"),
    "answered": N_("Replied"),
    "alert": N_("Alert"),
}


@dataclass(frozen=True)
class Message:
    """One notification for one user; (user_id, key) is sent at most once. One about a
    workflow subject names it (`notifications.titles.subject_message`)."""

    user_id: int
    key: str
    kind: str
    title: str
    body: str = ""
    link: str | None = None
    subject_type: str | None = None
    subject_id: int | None = None
    unit_id: int | None = None
    due_on: date | None = None


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
    return notify_many(
        session, [Message(uid, key, kind, title, body, link) for uid in sorted(set(user_ids))]
    )


def notify_many(session: Session, messages: Iterable[Message], batch: int = 500) -> int:
    """Insert many notifications in few statements; those already sent are skipped.

    INSERT ... ON CONFLICT DO NOTHING on (user_id, key): two jobs sending the same
    event at the same moment (two cron processes) still give each user one.
    """
    rows = list({(m.user_id, m.key): m for m in messages}.values())
    if not rows:
        return 0
    insert = dialect_insert(session)
    session.flush()
    now, created = utcnow(), 0
    for start in range(0, len(rows), batch):
        values = [
            {"user_id": m.user_id, "key": m.key, "kind": m.kind, "title": m.title[:300],
             "body": m.body, "link": m.link, "created_at": now, "subject_type": m.subject_type,
             "subject_id": m.subject_id, "unit_id": m.unit_id, "due_on": m.due_on}
            for m in rows[start : start + batch]
        ]  # fmt: skip
        statement = (
            insert(Notification)
            .values(values)
            .on_conflict_do_nothing(index_elements=["user_id", "key"])
            .returning(Notification.id)
        )
        created += len(session.execute(statement).all())
    return created


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
