"""Registers flags with the workflow's subject registry (timers, notifications)."""

from __future__ import annotations

from dudao.trends.models import Flag
from dudao.workflow.subjects import SubjectType, register_subject

FLAG = register_subject(
    SubjectType(
        table="trend_flag",
        model=Flag,
        assignment=None,
        subject_column="",
        link=lambda flag_id: f"/flags/{flag_id}",
        noun=("问题线索", "Flag"),
    )
)
