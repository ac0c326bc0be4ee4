"""The nightly audit-chain job, run by a real RQ worker on the fixture's Redis."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from rq import Queue, SimpleWorker
from rq.job import JobStatus
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dudao.audit.chain import chain_head
from dudao.audit.jobs import alert_key, verify_audit_chain
from dudao.audit.models import AuditEvent
from dudao.core.queue import connect, enqueue
from dudao.notifications.models import Notification


def _run_once(app) -> dict[str, int]:
    """Enqueue the job as the app would and let a burst worker run it in this process."""
    settings = app.extensions["dudao"].settings
    job = enqueue(settings, verify_audit_chain)
    assert job is not None
    connection = connect(settings)
    worker = SimpleWorker([Queue("default", connection=connection)], connection=connection)
    assert worker.work(burst=True, with_scheduler=False)
    job.refresh()
    assert job.get_status() == JobStatus.FINISHED, job.latest_result().exc_string
    return job.return_value()


def _alerts(session: Session) -> list[tuple[int, str]]:
    session.expire_all()
    rows = session.execute(
        select(Notification.user_id, Notification.key).where(Notification.kind == "alert")
    )
    return sorted(tuple(row) for row in rows)


def _break_chain(app) -> None:
    with app.extensions["dudao"].engine.begin() as connection:
        connection.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(action="forged"))


def test_intact_chain_raises_no_alert(app, session, org, user_factory):
    user_factory("ada", ("admin", org.group))
    assert _run_once(app) == {"problems": 0, "alerted": 0}
    assert _alerts(session) == []


def test_broken_chain_alerts_every_admin_exactly_once_a_day(app, session, org, user_factory):
    ada = user_factory("ada", ("admin", org.group))
    bob = user_factory("bob", ("admin", org.company_a), ("office", org.group))
    user_factory("olive", ("office", org.group))
    user_factory("carol", ("admin", org.company_b))  # her part only: not the whole log
    gone = user_factory("gone", ("admin", org.group))
    gone.active = False  # directly: only the alert matters here
    session.commit()
    _break_chain(app)

    assert _run_once(app) == {"problems": 1, "alerted": 2}
    assert _run_once(app) == {"problems": 1, "alerted": 0}  # the same day: no second alert
    key = alert_key(datetime.now(app.extensions["dudao"].settings.tz).date())
    assert _alerts(session) == sorted([(ada.id, key), (bob.id, key)])
    alert = session.scalars(select(Notification).where(Notification.user_id == ada.id)).one()
    assert "event #2 (id " in alert.body and "content was edited" in alert.body
    assert alert.link == "/audit"


def test_two_runs_at_the_same_moment_still_alert_once(app, session, org, user_factory):
    """Two cron processes may enqueue the same run and two workers run it together."""
    ada = user_factory("ada", ("admin", org.group))
    _break_chain(app)
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                barrier.wait()
                results.append(verify_audit_chain())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r["alerted"] for r in results) == [0, 1]
    assert [user_id for user_id, _ in _alerts(session)] == [ada.id]


def test_the_head_goes_to_the_worker_log(app, session, org, caplog):
    with caplog.at_level(logging.INFO, logger="dudao.audit.jobs"):
        _run_once(app)
    seq, digest = chain_head(session)
    assert f"Audit chain head {seq}:{digest}, 0 problem(s)." in caplog.text
