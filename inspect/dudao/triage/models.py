"""What triage keeps beside the flags: each office user's saved queue filters, and the
rectification tasks opened from a flag (the task itself belongs to inspections)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dudao.core.database import Base, UTCDateTime, utcnow


class SavedFilter(Base):
    """A named queue filter of one user: the query string of `/flags` (migration 0010)."""

    __tablename__ = "saved_flag_filter"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "name"),)


class FlagRectification(Base):
    """A rectification task opened from a flag for one of its units (migration 0011)."""

    __tablename__ = "flag_rectification"

    flag_id: Mapped[int] = mapped_column(
        ForeignKey("trend_flag.id", ondelete="CASCADE"), primary_key=True
    )
    rectification_id: Mapped[int] = mapped_column(
        ForeignKey("rectification.id", ondelete="CASCADE"), primary_key=True, index=True
    )
