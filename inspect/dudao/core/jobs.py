"""Running jobs: the database session a job uses, and the periodic jobs cron schedules.

Jobs take ids, are idempotent and can be re-derived from the database, so a job
lost with Redis or a killed worker is finished by the next periodic run
(docs/jobs.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import current_app
from rq.cron import CronJob, CronScheduler
from sqlalchemy.orm import Session

from dudao.core.database import transaction
from dudao.core.runtime import Runtime


@dataclass(frozen=True)
class PeriodicJob:
    func: Callable[..., Any]
    cron: str | None = None
    interval: int | None = None
    queue: str = "default"
    timeout: int = 1800


def job_runtime() -> Runtime:
    """The worker pushes an application context once; jobs read the runtime from it."""
    return current_app.extensions["dudao"]


@contextmanager
def job_session() -> Iterator[Session]:
    with transaction(job_runtime().session_factory) as session:
        yield session


def periodic_jobs() -> list[PeriodicJob]:
    """Every job `dudao cron` schedules; cron strings are read in the organisation's time zone
    (`dudao cron` runs with TZ set to DUDAO_TIMEZONE)."""
    from dudao.audit.jobs import verify_audit_chain
    from dudao.notifications.jobs import send_pending_emails, sweep_transition_notifications
    from dudao.reports.jobs import sweep_stuck_reports
    from dudao.scheduling.jobs import materialise_schedules
    from dudao.surveys.jobs import (
        MAILING_TIMEOUT,
        finish_invitation_emails,
        move_pending_responses,
    )
    from dudao.trends.jobs import analyze_all
    from dudao.workflow.jobs import run_timers

    return [
        PeriodicJob(verify_audit_chain, cron="17 2 * * *"),
        # Every 10 minutes, by interval (the cron string would be "*/10 * * * *"): the job
        # derives what is due from the database, so extra or missed runs do no harm.
        PeriodicJob(materialise_schedules, interval=600),
        PeriodicJob(sweep_transition_notifications, cron="*/10 * * * *"),
        PeriodicJob(run_timers, cron="5 * * * *"),
        PeriodicJob(send_pending_emails, interval=120, timeout=600),
        # Shuffled batches of anonymous answers, and the rest of a campaign that closed.
        PeriodicJob(move_pending_responses, interval=300),
        # E-mailed survey links still due in open campaigns (a worker died mid-send).
        PeriodicJob(finish_invitation_emails, interval=600, timeout=MAILING_TIMEOUT),
        # Reports whose worker died or whose job was lost (docs/reports.md).
        PeriodicJob(sweep_stuck_reports, interval=300),
        # Trend detection over the whole history, re-deriving what a lost job missed.
        PeriodicJob(analyze_all, cron="40 1 * * *"),
    ]


def register_periodic_jobs(
    scheduler: CronScheduler, jobs: list[PeriodicJob] | None = None
) -> list[CronJob]:
    """Put every periodic job on RQ's cron scheduler; `dudao cron` then only starts it."""
    return [
        scheduler.register(
            job.func,
            queue_name=job.queue,
            cron=job.cron,
            interval=job.interval,
            job_timeout=job.timeout,
        )
        for job in (periodic_jobs() if jobs is None else jobs)
    ]
