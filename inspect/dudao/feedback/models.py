"""Named feedback: representatives' opinions and suggestions (意见建议), and the office's
records of report meetings (汇报会) and research visits (调研), each handled through the
`feedback` workflow (received → in handling → answered) with the answer kept on the item."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dudao.core.database import Base, UTCDateTime, utcnow
from dudao.org.models import Unit

if TYPE_CHECKING:
    from dudao.auth.models import User


class FeedbackKind(StrEnum):
    OPINION = "opinion"
    REPORT_MEETING = "report_meeting"
    RESEARCH = "research"


CATEGORIES = ("organisation", "work_style", "service", "integrity", "other")
#: Each category's name in Chinese and English (the pages, and flags naming a theme).
CATEGORY_LABELS = {
    "organisation": ("组织建设", "Organisation"),
    "work_style": ("工作作风", "Work style"),
    "service": ("服务群众", "Service"),
    "integrity": ("廉洁自律", "Integrity"),
    "other": ("其他", "Other"),
}


#: A kind's and a state's name in Chinese and English, as the categories'.
KIND_LABELS = {
    "opinion": ("意见建议", "Opinion or suggestion"),
    "report_meeting": ("汇报会", "Report meeting"),
    "research": ("调研", "Research visit"),
}
STATE_LABELS = {
    "received": ("已收到", "Received"),
    "in_handling": ("办理中", "In handling"),
    "answered": ("已答复", "Answered"),
}


def category_label(category: str, english: bool) -> str:
    """A category's name in one language (an unknown key stands for itself)."""
    zh, en = CATEGORY_LABELS.get(category, (category, category))
    return en if english else zh


class FeedbackItem(Base):
    __tablename__ = "feedback_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    category: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    workflow: Mapped[str] = mapped_column(String(64), default="feedback")
    state: Mapped[str] = mapped_column(String(32), default="received")
    version: Mapped[int] = mapped_column(default=1)
    due_date: Mapped[date | None] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    #: Named feedback: the office reads who wrote it (or who recorded the meeting).
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    attachments: Mapped[list[FeedbackAttachment]] = relationship(
        back_populates="item", order_by="FeedbackAttachment.filename"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_feedback_item_state_due", "state", "due_date"),)

    @property
    def assignee_ids(self) -> set[int]:
        return set()


class FeedbackAttachment(Base):
    """A file attached to a feedback item, stored under data_dir/feedback/<item id>/."""

    __tablename__ = "feedback_attachment"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))

    item: Mapped[FeedbackItem] = relationship(back_populates="attachments")
