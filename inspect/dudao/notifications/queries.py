"""Reads for the notification centre."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dudao.notifications.models import Notification

#: The newest this many are shown (batches make a long page short).
PAGE = 500


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


#: Notifications of one kind made within this of each other came from one batch.
BATCH_GAP = timedelta(minutes=1)


def batches(items: list[Notification]) -> list[list[Notification]]:
    """Runs of the (newest first) items of one kind about one kind of thing made at about
    the same time: what one job made at once, e.g. a schedule assigning an inspector 150
    checks, shown as one entry. An inspection submitted and a rectification answered in the
    same minute are two entries: the second would hide behind the first."""
    runs: list[list[Notification]] = []
    for item in items:
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and last.kind == item.kind
            and _subject(last) == _subject(item)
            and last.created_at - item.created_at <= BATCH_GAP
        ):
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _subject(item: Notification) -> str:
    """What the notification is about, by its link: "/inspections/4" -> "inspections"."""
    return (item.link or "").strip("/").split("/", 1)[0]
