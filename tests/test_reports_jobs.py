"""Report requests run by a real RQ worker: progress in job.meta, idempotency, the sweep
that finishes what a dead worker left, and the quarterly ZIP of a company's reports."""

from __future__ import annotations

import io
import os
import time
import zipfile
from datetime import timedelta

import pytest
from pypdf import PdfReader
from rq import Queue, SimpleWorker
from rq.job import Job, JobStatus
from sqlalchemy import select, update

from dudao.core.database import utcnow
from dudao.core.errors import NotFound
from dudao.core.queue import connect
from dudao.reports import jobs
from dudao.reports.models import ReportKind, ReportRequest, ReportState
from dudao.reports.services import enqueue_report, parse_quarter, request_report
from tests.report_world import report_world  # noqa: F401


def _drain(app) -> list[Job]:
    settings = app.extensions["dudao"].settings
    connection = connect(settings)
    queue = Queue("reports", connection=connection)
    queued = [Job.fetch(i, connection=connection) for i in queue.job_ids]
    worker = SimpleWorker([queue], connection=connection)
    worker.work(burst=True, with_scheduler=False)
    for job in queued:
        job.refresh()
        assert job.get_status() == JobStatus.FINISHED, job.latest_result().exc_string
    return queued


def _ask(app, session, actor, kind, **params) -> tuple[ReportRequest, bool]:
    request, new = request_report(session, actor, kind, params)
    session.commit()
    enqueue_report(app.extensions["dudao"].settings, request)
    return request, new


def _fresh(session, request_id: int) -> ReportRequest:
    session.expire_all()
    found = session.get(ReportRequest, request_id)
    assert found is not None
    return found


def test_inspection_report_job_reports_progress_and_is_idempotent(app, session, report_world):  # noqa: F811
    office = report_world.world.office
    request, new = _ask(app, session, office, ReportKind.INSPECTION,
                        inspection_id=report_world.inspection_id)  # fmt: skip
    assert new and request.state == ReportState.QUEUED
    (job,) = _drain(app)
    done = _fresh(session, request.id)
    assert done.state == ReportState.DONE and done.attempts == 1 and done.percent == 100
    assert job.meta["progress"]["done"] == job.meta["progress"]["total"] == done.progress_total
    assert done.progress_total >= 15  # one step per item shown
    path = app.extensions["dudao"].settings.data_dir / done.file_path
    assert "甲一厂第一党支部" in PdfReader(str(path)).pages[0].extract_text()
    # Asked again: the same request, nothing new to do; run again: skipped.
    again, new = _ask(app, session, office, ReportKind.INSPECTION,
                      inspection_id=report_world.inspection_id)  # fmt: skip
    assert not new and again.id == request.id
    settings = app.extensions["dudao"].settings
    assert Queue("reports", connection=connect(settings)).job_ids == []  # done: not enqueued
    assert jobs.run_report(request.id) == {"request": request.id, "skipped": "done"}


def test_changed_data_is_a_new_report(app, session, report_world):  # noqa: F811
    office = report_world.world.office
    first, _ = _ask(app, session, office, ReportKind.INSPECTION,
                    inspection_id=report_world.inspection_id)  # fmt: skip
    from dudao.inspections.models import Inspection
    from dudao.workflow.engine import apply

    inspection = session.get(Inspection, report_world.inspection_id)
    apply(session, office, inspection, "approve", fields={"comment": "同意"})
    session.commit()
    second, new = _ask(app, session, office, ReportKind.INSPECTION,
                       inspection_id=report_world.inspection_id)  # fmt: skip
    assert new and second.id != first.id


def test_the_sweep_finishes_a_request_whose_worker_died(app, session, report_world):  # noqa: F811
    request, _ = request_report(session, report_world.world.office, ReportKind.INSPECTION,
                                {"inspection_id": report_world.inspection_id})  # fmt: skip
    session.commit()
    engine = app.extensions["dudao"].engine
    # A worker claimed it and died: running, heartbeat long ago, no job in the queue.
    with engine.begin() as connection:
        connection.execute(
            update(ReportRequest)
            .where(ReportRequest.id == request.id)
            .values(state=ReportState.RUNNING, attempts=1,
                    heartbeat_at=utcnow() - jobs.STALE_AFTER - timedelta(seconds=5))
        )  # fmt: skip
    # ... and left its temporary file behind (a fresh one may still be written: kept).
    folder = app.extensions["dudao"].settings.data_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    lost, fresh = folder / ".part.lost", folder / ".part.fresh"
    lost.write_bytes(b"%PDF-")
    fresh.write_bytes(b"%PDF-")
    old = time.time() - jobs.JOB_TIMEOUT - 120
    os.utime(lost, (old, old))
    assert jobs.sweep_stuck_reports() == {"requeued": 1, "partial_removed": 1}
    assert not lost.exists() and fresh.exists()
    _drain(app)
    done = _fresh(session, request.id)
    assert done.state == ReportState.DONE and done.attempts == 2
    assert jobs.sweep_stuck_reports() == {"requeued": 0, "partial_removed": 0}
    # Readable as any new file is (a web server of another user on the shared folder).
    mask = os.umask(0)
    os.umask(mask)
    assert (folder / done.file_path.split("/")[-1]).stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_live_worker_is_not_overtaken(app, session, report_world):  # noqa: F811
    request, _ = request_report(session, report_world.world.office, ReportKind.INSPECTION,
                                {"inspection_id": report_world.inspection_id})  # fmt: skip
    session.commit()
    with app.extensions["dudao"].engine.begin() as connection:
        connection.execute(
            update(ReportRequest).where(ReportRequest.id == request.id)
            .values(state=ReportState.RUNNING, heartbeat_at=utcnow())
        )  # fmt: skip
    assert jobs.sweep_stuck_reports()["requeued"] == 0
    assert jobs.run_report(request.id)["skipped"] == ReportState.RUNNING


def test_quarter_batch_is_one_zip_of_the_company_reports(app, session, report_world):  # noqa: F811
    request, _ = _ask(app, session, report_world.world.office, ReportKind.BATCH,
                      unit="A", quarter="2026q4")  # fmt: skip
    assert request.params == {"unit": "A", "quarter": "2026Q4", "locale": "zh"}
    (job,) = _drain(app)
    done = _fresh(session, request.id)
    assert done.state == ReportState.DONE and done.file_name == "检查报告-A-2026Q4.zip"
    assert job.meta["progress"] == {"done": 1, "total": 1}
    path = app.extensions["dudao"].settings.data_dir / done.file_path
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names == [f"A1-1-{report_world.inspection_id}.pdf"]  # not B's inspection
        pdf = PdfReader(io.BytesIO(archive.read(names[0])))
        assert "创先争优活动专项抽查表" in pdf.pages[0].extract_text()
    assert session.scalar(select(ReportRequest.id).where(ReportRequest.kind == "batch"))


def test_quarters():
    import pytest

    from dudao.core.errors import ValidationError

    period = parse_quarter("2026Q4")
    assert (period.start.isoformat(), period.end.isoformat()) == ("2026-10-01", "2026-12-31")
    assert parse_quarter("2027Q1").end.isoformat() == "2027-03-31"
    with pytest.raises(ValidationError, match="2026Q3"):
        parse_quarter("2026-3")


def test_progress_is_written_step_by_step(app, session, report_world, monkeypatch):  # noqa: F811
    """Every step reaches job.meta; the row follows (here at every step, HEARTBEAT_EVERY=0)."""
    seen: list[tuple[int, int, dict]] = []
    original = jobs._Reporter.__call__

    def spy(self, done: int, total: int, force: bool = False) -> None:
        original(self, done, total, force)
        with app.extensions["dudao"].session_factory() as other:
            row = other.scalar(select(ReportRequest).where(ReportRequest.kind == "inspection"))
            seen.append((done, total, dict(self.job.meta["progress"]), row.progress_done))

    monkeypatch.setattr(jobs._Reporter, "__call__", spy)
    monkeypatch.setattr(jobs, "HEARTBEAT_EVERY", 0.0)
    _ask(app, session, report_world.world.office, ReportKind.INSPECTION,
         inspection_id=report_world.inspection_id)  # fmt: skip
    _drain(app)
    total = seen[-1][1]
    assert [s[0] for s in seen] == list(range(1, total + 1))
    assert all(meta == {"done": d, "total": t} and row == d for d, t, meta, row in seen)


def test_a_failed_report_says_why_in_the_report_s_language(app, session, report_world):  # noqa: F811
    """A report whose inspection has gone fails with the service's reason, in the language
    the report was asked in, for its page; it was the English sentence on a Chinese page."""
    office = report_world.world.office
    reasons = {}
    for locale in ("zh", "en"):
        request, _new = request_report(session, office, ReportKind.INSPECTION,
                                       {"inspection_id": report_world.inspection_id,
                                        "locale": locale})  # fmt: skip
        session.execute(
            update(ReportRequest)
            .where(ReportRequest.id == request.id)
            .values(params={"inspection_id": 999999, "locale": locale})
        )
        session.commit()
        with pytest.raises(NotFound):
            jobs.run_report(request.id)
        failed = _fresh(session, request.id)
        assert failed.state == ReportState.FAILED
        reasons[locale] = failed.error
    assert reasons == {"zh": "检查 999999 不存在。", "en": "Inspection 999999 does not exist."}
