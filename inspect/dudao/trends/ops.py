"""Operational rules read straight from the database: overdue rectifications and inspections
returned again and again (exact counts, one GROUP BY each)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dudao.inspections.models import Inspection
from dudao.inspections.rectification_queries import overdue_clause
from dudao.inspections.submission_models import Rectification, ReviewState, Submission
from dudao.trends.detection import Detection
from dudao.trends.queries import period_of


def overdue_rectifications(session: Session, cfg: dict[str, Any], today: date) -> list[Detection]:
    """Overdue as the task list counts it: past the deadline and not submitted, verified or
    cancelled, also once the lead has started an overdue task or before the timer ran."""
    overdue = overdue_clause(today)
    query = (
        select(Rectification.unit_id, func.count(), func.min(Rectification.deadline))
        .where(overdue)
        .group_by(Rectification.unit_id)
    )
    rows = [r for r in session.execute(query) if r[1] >= cfg["min_overdue"]]
    wanted = [r[0] for r in rows]
    listed: dict[int, list[int]] = {}
    for unit_id, rect_id in session.execute(
        select(Rectification.unit_id, Rectification.id)
        .where(overdue, Rectification.unit_id.in_(wanted))
        .order_by(Rectification.id)
    ):
        listed.setdefault(unit_id, []).append(rect_id)
    now = period_of(today, "UTC")
    return [
        Detection(
            rule="overdue_rectification", fingerprint=f"overdue_rectification:{unit_id}",
            severity=cfg["severity"], scope_unit_id=unit_id, unit_ids=[unit_id],
            first=period_of(oldest, "UTC"), last=now, active=True,
            evidence={"test": "count of overdue rectifications", "overdue": count,
                      "oldest_deadline": oldest.isoformat(),
                      "rectification_ids": listed.get(unit_id, [])[:50]},
        )
        for unit_id, count, oldest in rows
    ]  # fmt: skip


def returned_inspections(session: Session, cfg: dict[str, Any], tz: str) -> list[Detection]:
    query = (
        select(Submission.inspection_id, Inspection.unit_id, func.count(),
               func.max(Submission.submitted_at))
        .join(Inspection, Inspection.id == Submission.inspection_id)
        .where(Submission.review_state == ReviewState.RETURNED)
        .group_by(Submission.inspection_id, Inspection.unit_id)
        .having(func.count() >= cfg["min_returns"])
    )  # fmt: skip
    return [
        Detection(
            rule="returned_inspection", fingerprint=f"returned_inspection:{inspection_id}",
            severity=cfg["severity"], scope_unit_id=unit_id, unit_ids=[unit_id],
            first=period_of(latest, tz), last=period_of(latest, tz), active=True,
            evidence={"test": "count of returned submissions", "returns": count,
                      "inspection_ids": [inspection_id]},
        )
        for inspection_id, unit_id, count, latest in session.execute(query)
    ]  # fmt: skip
