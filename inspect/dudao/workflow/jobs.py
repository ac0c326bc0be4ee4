"""The periodic timer job (reminders and escalations), idempotent by notification keys."""

from __future__ import annotations

from datetime import datetime

from dudao.core.database import utcnow
from dudao.core.jobs import job_runtime, job_session
from dudao.core.queue import enqueue
from dudao.workflow.timers import run


def run_timers(now: str | None = None) -> dict[str, object]:
    """Evaluate every workflow timer for the organisation's today (`now`: ISO time, for tests)."""
    settings = job_runtime().settings
    moment = datetime.fromisoformat(now) if now else utcnow()
    today = moment.astimezone(settings.tz).date()
    with job_session() as session:
        result = run(session, today)
    if result.notified and settings.smtp_url:
        from dudao.notifications.jobs import send_pending_emails

        enqueue(settings, send_pending_emails)
    return {
        "today": today.isoformat(),
        "notified": result.notified,
        "moved": result.moved,
        "fired": result.fired,
    }
