"""Registers inspections with the workflow's subject registry (timers, notifications)."""

from __future__ import annotations

from dudao.inspections.models import Inspection, InspectionAssignment
from dudao.workflow.subjects import SubjectType, register_subject

INSPECTION = register_subject(
    SubjectType(
        table="inspection",
        model=Inspection,
        assignment=InspectionAssignment,
        subject_column="inspection_id",
        link=lambda inspection_id: f"/inspections/{inspection_id}",
        noun=("检查", "Inspection"),
    )
)
