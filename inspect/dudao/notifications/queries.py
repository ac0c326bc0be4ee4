"""Reads for the notification centre."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dudao.notifications.models import Notification

PAGE = 200


def inbox(
    session: Session, user_id: int, kind: str | None = None, unread_only: bool = False
) -> list[Notification]:
    """The user's newest notifications, optionally of one kind or unread only."""
    query = select(Notification).where(Notification.user_id == user_id)
    if kind:
        query = query.where(Notification.kind == kind)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    order = (Notification.created_at.desc(), Notification.id.desc())
    return list(session.scalars(query.order_by(*order).limit(PAGE)))


def unread_by_kind(session: Session, user_id: int) -> dict[str, int]:
    """Unread counts per kind, for the filter links (one query)."""
    rows = session.execute(
        select(Notification.kind, func.count())
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .group_by(Notification.kind)
    )
    return {kind: count for kind, count in rows}
