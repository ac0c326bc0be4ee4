"""Registers rectification tasks with the workflow's subject registry, so the
rectification workflow's timers remind the owner unit's leads and mark tasks overdue."""

from __future__ import annotations

from dudao.inspections.submission_models import Rectification
from dudao.workflow.subjects import UNIT_LEADS, SubjectType, register_subject

RECTIFICATION = register_subject(
    SubjectType(
        table="rectification",
        model=Rectification,
        assignment=None,  # the owner unit's leads are reached by role (notify: [unit_lead])
        subject_column="",
        link=lambda rectification_id: f"/rectifications/{rectification_id}",
        noun=("整改", "Rectification"),
        due="deadline",
        workers=UNIT_LEADS,
    )
)
