"""RQ jobs that write reports, with their progress in job.meta and in the database.

`run_report(request_id)` claims the request (an atomic UPDATE: queued, or running
with a heartbeat older than STALE_AFTER, i.e. a dead worker), writes the file
under data_dir/reports/ (to a temporary name, then renamed), and marks it done.
Running it twice, or in two workers at once, writes the same file once.
`sweep_stuck_reports` (cron) re-enqueues requests whose worker died or whose
job was never enqueued.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from rq import get_current_job
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from dudao.config import Settings
from dudao.core.database import utcnow
from dudao.core.errors import DudaoError
from dudao.core.jobs import job_runtime
from dudao.core.queue import enqueue
from dudao.org.models import Unit
from dudao.reports.inspection_data import load_inspection_report
from dudao.reports.inspection_pdf import render_inspection_pdf
from dudao.reports.models import ReportKind, ReportRequest, ReportState
from dudao.reports.services import JOB_TIMEOUT, batch_inspections, catalogue_for, parse_quarter

log = logging.getLogger(__name__)
PARTIAL = ".part."  # a report file still being written
STALE_AFTER = timedelta(minutes=10)  # no heartbeat for this long: the worker is gone
LOST_AFTER = timedelta(minutes=5)  # queued this long without starting: the job was lost
HEARTBEAT_EVERY = 1.0  # seconds between progress writes to the database

Progress = Callable[[int, int], None]


class _Reporter:
    """Progress to job.meta on every step; to the database (and heartbeat) at most once a
    second, in its own short transaction so the page can show it while the job runs."""

    def __init__(
        self, factory: sessionmaker[Session], request_id: int, echo: Progress | None = None
    ) -> None:
        self.factory, self.request_id, self.echo = factory, request_id, echo
        self.job = get_current_job()
        self.last = 0.0
        self.total = 0

    def __call__(self, done: int, total: int, force: bool = False) -> None:
        self.total = total
        if self.echo is not None:
            self.echo(done, total)
        if self.job is not None:
            self.job.meta["progress"] = {"done": done, "total": total}
            self.job.save_meta()
        now = time.monotonic()
        if force or now - self.last >= HEARTBEAT_EVERY:
            self.last = now
            with self.factory.begin() as session:
                session.execute(
                    update(ReportRequest)
                    .where(ReportRequest.id == self.request_id)
                    .values(progress_done=done, progress_total=total, heartbeat_at=utcnow())
                )


def _claim(factory: sessionmaker[Session], request_id: int) -> bool:
    now = utcnow()
    job = get_current_job()
    with factory.begin() as session:
        claimed = session.execute(
            update(ReportRequest)
            .where(
                ReportRequest.id == request_id,
                or_(
                    ReportRequest.state == ReportState.QUEUED,
                    (ReportRequest.state == ReportState.RUNNING)
                    & (ReportRequest.heartbeat_at < now - STALE_AFTER),
                ),
            )
            .values(
                state=ReportState.RUNNING,
                started_at=now,
                heartbeat_at=now,
                attempts=ReportRequest.attempts + 1,
                job_id=job.id if job else None,
                progress_done=0,
            )
        )
        return claimed.rowcount == 1


def _write_atomically(folder: Path, name: str, fill: Callable[[Path], None]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, temp = tempfile.mkstemp(prefix=PARTIAL, dir=folder)
    os.close(descriptor)
    # mkstemp makes it owner-only; a web server running as another user on the shared
    # data folder must read the report: the permissions a new file gets (the umask).
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(temp, 0o666 & ~mask)
    try:
        fill(Path(temp))
        os.replace(temp, folder / name)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _inspection(session: Session, settings: Settings, params: dict, target: Path,
                progress: Progress) -> None:  # fmt: skip
    report = load_inspection_report(
        session, int(params["inspection_id"]), settings.data_dir, settings.tz, params["locale"],
        photos=params.get("photos", True),
    )  # fmt: skip
    pdf = render_inspection_pdf(
        report, font=settings.pdf_font, tz=settings.tz, locale=params["locale"],
        progress=progress,
    )  # fmt: skip
    target.write_bytes(pdf)


def _batch(session: Session, settings: Settings, params: dict, target: Path,
           progress: Progress) -> None:  # fmt: skip
    unit = session.scalar(select(Unit).where(Unit.code == params["unit"]))
    assert unit is not None
    ids = batch_inspections(session, unit, parse_quarter(params["quarter"]))
    progress(0, len(ids))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for done, inspection_id in enumerate(ids, start=1):
            report = load_inspection_report(
                session, inspection_id, settings.data_dir, settings.tz, params["locale"]
            )
            pdf = render_inspection_pdf(
                report, font=settings.pdf_font, tz=settings.tz, locale=params["locale"]
            )
            archive.writestr(f"{report.unit_code}-{inspection_id}.pdf", pdf)
            progress(done, len(ids))


def _summary(session: Session, settings: Settings, params: dict, target: Path,
             progress: Progress) -> None:  # fmt: skip
    from dudao.reports.summary import load_summary
    from dudao.reports.summary_pdf import render_summary_pdf

    unit = session.scalar(select(Unit).where(Unit.code == params["unit"]))
    assert unit is not None
    summary = load_summary(session, unit, parse_quarter(params["quarter"]), settings.tz,
                           params.get("locale", "zh"))  # fmt: skip
    target.write_bytes(render_summary_pdf(summary, font=settings.pdf_font, tz=settings.tz,
                                          progress=progress))  # fmt: skip


def _campaign(session: Session, settings: Settings, params: dict, target: Path,
              progress: Progress) -> None:  # fmt: skip
    from dudao.reports.campaign_data import load_campaign_report
    from dudao.reports.campaign_pdf import render_campaign_pdf

    data = load_campaign_report(session, int(params["campaign_id"]), params.get("locale", "zh"))
    target.write_bytes(render_campaign_pdf(data, font=settings.pdf_font, tz=settings.tz,
                                           progress=progress))  # fmt: skip


WRITERS = {ReportKind.INSPECTION: _inspection, ReportKind.BATCH: _batch,
           ReportKind.SUMMARY: _summary, ReportKind.CAMPAIGN: _campaign}  # fmt: skip


def _said(exc: Exception, params: dict[str, Any]) -> str:
    """Why a report failed, for its page: a service's refusal in the report's language."""
    if isinstance(exc, DudaoError):
        return exc.in_language(catalogue_for(str(params.get("locale") or "zh")))
    return str(exc)


def run_report(request_id: int, echo: Progress | None = None) -> dict[str, Any]:
    """Write the report of one request; a no-op when it is done or another worker has it.

    `echo(done, total)` is for the CLI, which runs the job in its own process."""
    runtime = job_runtime()
    settings, factory = runtime.settings, runtime.session_factory
    if not _claim(factory, request_id):
        with factory() as session:
            state = session.scalar(
                select(ReportRequest.state).where(ReportRequest.id == request_id)
            )
        return {"request": request_id, "skipped": state}
    reporter = _Reporter(factory, request_id, echo)
    with factory() as session:
        request = session.get(ReportRequest, request_id)
        assert request is not None
        kind, params, key = request.kind, dict(request.params), request.key
        extension = "zip" if kind == ReportKind.BATCH else "pdf"
        name = f"{key}.{extension}"
        try:
            _write_atomically(
                settings.data_dir / "reports", name,
                lambda target: WRITERS[ReportKind(kind)](session, settings, params, target,
                                                         reporter),
            )  # fmt: skip
        except Exception as exc:
            session.rollback()
            with factory.begin() as failed:
                failed.execute(
                    update(ReportRequest)
                    .where(ReportRequest.id == request_id)
                    .values(
                        state=ReportState.FAILED,
                        error=_said(exc, params)[:2000],
                        finished_at=utcnow(),
                    )
                )
            raise
    with factory.begin() as session:
        request = session.get(ReportRequest, request_id)
        assert request is not None
        total = max(request.progress_total, reporter.total)
        request.state = ReportState.DONE
        request.file_path = f"reports/{name}"
        request.progress_total = total
        request.progress_done = total
        request.finished_at = request.heartbeat_at = utcnow()
        request.error = None
    if reporter.job is not None:
        reporter.job.meta["progress"] = {"done": total, "total": total}
        reporter.job.save_meta()
    return {"request": request_id, "file": f"reports/{name}"}


def preload(settings: Settings) -> None:
    """`dudao worker` calls this before it forks work-horses: the report libraries are
    imported (with this module) and the PDF font is read once (about 0.5 s) instead of
    in every job. A font that cannot work is logged, not fatal: other jobs still run."""
    from dudao.core.errors import ConfigError
    from dudao.reports.fonts import register_font

    try:
        register_font(settings.pdf_font)
    except ConfigError as exc:
        log.warning("PDF reports will fail: %s", exc)


def sweep_stuck_reports() -> dict[str, int]:
    """Re-enqueue requests whose worker died (no heartbeat for STALE_AFTER) or whose job
    never started (queued for LOST_AFTER); `run_report`'s claim keeps this harmless."""
    runtime = job_runtime()
    now = utcnow()
    with runtime.session_factory() as session:
        ids = list(
            session.scalars(
                select(ReportRequest.id).where(
                    or_(
                        (ReportRequest.state == ReportState.RUNNING)
                        & (ReportRequest.heartbeat_at < now - STALE_AFTER),
                        (ReportRequest.state == ReportState.QUEUED)
                        & (ReportRequest.created_at < now - LOST_AFTER),
                    )
                )
            )
        )
    for request_id in ids:
        enqueue(runtime.settings, run_report, request_id, queue="reports", job_timeout=JOB_TIMEOUT)
    return {"requeued": len(ids), "partial_removed": _remove_lost_partials(runtime.settings)}


def _remove_lost_partials(settings: Settings) -> int:
    """A worker killed while writing leaves its temporary file: once older than any job may
    run, nobody is writing it."""
    folder = settings.data_dir / "reports"
    cutoff = time.time() - JOB_TIMEOUT - 60
    removed = 0
    for path in folder.glob(f"{PARTIAL}*") if folder.is_dir() else ():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
