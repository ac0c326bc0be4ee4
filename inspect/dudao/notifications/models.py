"""In-app notifications; `key` makes sending the same event twice a no-op.

A notification about a workflow subject keeps what its title is made of (subject type,
subject id, unit), so the title is written in each reader's language when shown
(`notifications.titles`); `title` holds it in the default language, and is the whole
title of a notification about no subject (an alert)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dudao.core.database import Base, UTCDateTime, utcnow
from dudao.org.models import Unit


class Notification(Base):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once the e-mail copy is sent (only when SMTP is configured), so it is sent once.
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The workflow subject it is about (`SubjectType.table`, id) and that subject's unit.
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    # A reminder's or escalation's due date, written in the reader's language when shown.
    due_on: Mapped[date | None] = mapped_column(Date)

    unit: Mapped[Unit | None] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        # The unread count every page shows and the inbox's unread ones, newest first: only
        # the user's unread rows are read, however many read ones they have collected.
        Index("ix_notification_unread", "user_id", "read_at", "created_at", "id"),
        # The inbox, newest first: its first page without sorting all the user's rows.
        Index("ix_notification_user_created", "user_id", "created_at", "id"),
    )
