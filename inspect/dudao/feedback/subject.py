"""Registers feedback items with the workflow's subject registry (timers, notifications)."""

from __future__ import annotations

from dudao.feedback.models import FeedbackItem
from dudao.workflow.subjects import SubjectType, register_subject

FEEDBACK = register_subject(
    SubjectType(
        table="feedback_item",
        model=FeedbackItem,
        assignment=None,
        subject_column="feedback_id",
        link=lambda item_id: f"/feedback/{item_id}",
        noun=("意见建议", "Feedback"),
    )
)
