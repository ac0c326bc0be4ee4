"""Reads for feedback pages: an author's own items, the office's queue within its scope."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dudao.feedback.models import FeedbackItem
from dudao.org.models import Unit
from dudao.org.queries import within


def by_author(session: Session, user_id: int) -> Sequence[FeedbackItem]:
    return session.scalars(
        select(FeedbackItem)
        .where(FeedbackItem.author_id == user_id)
        .options(selectinload(FeedbackItem.unit))
        .order_by(FeedbackItem.id.desc())
    ).all()


def in_scope(
    session: Session, paths: Sequence[str], state: str | None = None
) -> Sequence[FeedbackItem]:
    """Items about units inside the office's subtrees, oldest unanswered first."""
    query = (
        select(FeedbackItem)
        .join(Unit, Unit.id == FeedbackItem.unit_id)
        .where(within(paths))
        .options(selectinload(FeedbackItem.unit), selectinload(FeedbackItem.author))
        .order_by(FeedbackItem.state == "answered", FeedbackItem.id)
    )
    if state:
        query = query.where(FeedbackItem.state == state)
    return session.scalars(query).all()
