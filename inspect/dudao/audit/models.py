"""The audit log: one row per change, each row sealing the one before it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from dudao.core.database import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """`seq` is unique and gap-free, so a deleted or inserted row breaks the chain.

    `actor_id` deliberately has no foreign key: a cascade from another table
    (deleting a user) must never rewrite a sealed row.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_event_entity", "entity_type", "entity_id"),
        # The page's filter by user name, newest first, and its count.
        Index("ix_audit_event_actor_name", "actor_name", "seq"),
    )


class AuditSeal(Base):
    """The chain's head (seq and hash of the newest event), written with every append.

    A hash chain alone cannot tell that its newest rows were deleted; comparing
    the last row with this single-row seal can. Appends continue from the seal,
    so a deletion stays visible after later appends too.
    """

    __tablename__ = "audit_seal"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
