"""The periodic materialisation job: derive what is due from the schedules and create it.

Idempotent and re-derivable (docs/jobs.md): two cron processes enqueueing it,
a missed run, or a worker killed half-way all end with each inspection once.
"""

from __future__ import annotations

from dudao.core.jobs import job_runtime
from dudao.scheduling.materialise import materialise_all


def materialise_schedules() -> dict[str, int]:
    """Create every due periodic inspection up to today in the organisation's time zone."""
    runtime = job_runtime()
    report = materialise_all(runtime.session_factory, runtime.settings.timezone)
    return {"schedules": report.schedules, "created": report.created, "assigned": report.assigned}
