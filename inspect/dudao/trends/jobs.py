"""Trend jobs: incremental analysis after a submission, and the nightly full run.

Both re-derive everything from the database, so a lost job costs nothing: the
nightly run finds whatever an incremental job missed.
"""

from __future__ import annotations

from typing import Any

from dudao.core.jobs import job_runtime, job_session
from dudao.core.queue import enqueue
from dudao.inspections.models import Inspection
from dudao.scheduling.recurrence import org_today
from dudao.trends.services import UNIT_RULES, analyze
from dudao.workflow import engine


def analyze_inspection(inspection_id: int) -> dict[str, int]:
    """The unit rules over the history of the inspection's unit (well under a second)."""
    runtime = job_runtime()
    tz = runtime.settings.timezone
    with job_session() as session:
        inspection = session.get(Inspection, inspection_id)
        if inspection is None:
            return {"created": 0, "updated": 0}
        summary = analyze(
            session, tz, today=org_today(session), unit_ids=[inspection.unit_id], rules=UNIT_RULES
        )
    return {"created": summary.created, "updated": summary.updated}


def analyze_all() -> dict[str, int]:
    """Every rule over the whole history (RQ cron, nightly)."""
    runtime = job_runtime()
    with job_session() as session:
        summary = analyze(session, runtime.settings.timezone, today=org_today(session))
    return {"created": summary.created, "updated": summary.updated,
            "reopened": summary.reopened, "cleared": summary.cleared}  # fmt: skip


def enqueue_after_submit(settings: Any, applied: engine.Applied) -> None:
    """Workflow listener (after commit): a submitted inspection is analysed at once."""
    if applied.subject_type == "inspection" and applied.action == "submit" and settings:
        enqueue(settings, analyze_inspection, applied.subject_id)
