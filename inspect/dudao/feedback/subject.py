"""Registers feedback items with the workflow's subject registry (timers, notifications)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dudao.feedback.models import FeedbackItem
from dudao.workflow.subjects import SubjectType, register_subject


@dataclass(frozen=True)
class NamedFeedback(SubjectType):
    """Named feedback is for the office and its author alone. It has no assignees, and it
    must not count as a subject "without assignees", which notifications hand to the unit
    leads (a rectification's): a reopened item would tell them, with the office's comment,
    about feedback on their own unit. `assignment` names the item itself so that it never
    does; `assignees` is always nobody."""

    def assignees(self, session: Session, ids: list[int]) -> dict[int, set[int]]:
        return {i: set() for i in ids}


FEEDBACK = register_subject(
    NamedFeedback(
        table="feedback_item",
        model=FeedbackItem,
        assignment=FeedbackItem,
        subject_column="id",
        link=lambda item_id: f"/feedback/{item_id}",
        noun=("意见建议", "Feedback"),
    )
)
