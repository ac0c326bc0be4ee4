"""Registers feedback items with the workflow's subject registry (timers, notifications)."""

from __future__ import annotations

from dudao.feedback.models import FeedbackItem
from dudao.workflow.subjects import NOBODY, SubjectType, register_subject

FEEDBACK = register_subject(
    SubjectType(
        table="feedback_item",
        model=FeedbackItem,
        assignment=None,
        subject_column="",
        link=lambda item_id: f"/feedback/{item_id}",
        author_link=lambda item_id: f"/feedback/mine/{item_id}",
        noun=("意见建议", "Feedback"),
        # For the office and its author alone: its unit's leads hear nothing of it (a
        # reopened item's comment included); the author hears of the answer.
        workers=NOBODY,
    )
)
