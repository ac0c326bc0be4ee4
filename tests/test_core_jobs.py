"""Queue and cron plumbing: enqueue survives a dead Redis, cron registers the periodic jobs."""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Iterator
from unittest import mock

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from rq.cron import CronScheduler
from rq.job import JobStatus

from dudao.audit.jobs import verify_audit_chain
from dudao.core import commands
from dudao.core.effects import after_commit
from dudao.core.jobs import PeriodicJob, periodic_jobs, register_periodic_jobs
from dudao.core.queue import connect, enqueue
from dudao.core.together import prepared, run_together


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_enqueue_returns_none_when_redis_is_unreachable(settings, caplog):
    dead = dataclasses.replace(settings, redis_url=f"redis://127.0.0.1:{_closed_port()}/0")
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="dudao.core.queue"):
        assert enqueue(dead, verify_audit_chain) is None
    assert time.monotonic() - started < 10
    assert "Could not enqueue verify_audit_chain" in caplog.text
    assert "periodic sweep will do it" in caplog.text


def test_enqueue_puts_the_job_on_the_named_queue(settings):
    job = enqueue(settings, verify_audit_chain, queue="reports")
    assert job is not None and job.origin == "reports"
    assert job.func_name == "dudao.audit.jobs.verify_audit_chain"


def test_periodic_jobs_are_registered_with_their_schedule(redis_url):
    scheduler = CronScheduler(connection=Redis.from_url(redis_url), name="test-cron")
    registered = register_periodic_jobs(scheduler)
    assert scheduler.get_jobs() == registered
    assert ("dudao.audit.jobs.verify_audit_chain", "17 2 * * *", "default") in [
        (j.func_name, j.cron, j.queue_name) for j in registered
    ]
    assert [j.func_name for j in registered] == [
        f"{p.func.__module__}.{p.func.__name__}" for p in periodic_jobs()
    ]
    assert registered[0].next_enqueue_time is not None
    assert len(registered) == len(periodic_jobs())


def test_register_takes_an_explicit_list(redis_url):
    scheduler = CronScheduler(connection=Redis.from_url(redis_url), name="test-cron")
    job = PeriodicJob(verify_audit_chain, interval=60, queue="reports", timeout=5)
    (cron_job,) = register_periodic_jobs(scheduler, [job])
    assert (cron_job.interval, cron_job.queue_name) == (60, "reports")
    assert cron_job.job_options["job_timeout"] == 5


@pytest.fixture
def process_time_zone() -> Iterator[None]:
    """`dudao cron` sets the process's TZ: put it back for the tests after."""
    saved = os.environ.get("TZ")
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def test_cron_command_registers_and_starts_in_the_org_time_zone(
    app, monkeypatch, process_logging, process_time_zone
):
    started: list[list[str]] = []
    monkeypatch.setattr(
        CronScheduler, "start", lambda self: started.append([j.func_name for j in self.get_jobs()])
    )
    result = app.test_cli_runner().invoke(commands.cron_command)
    assert result.exit_code == 0, result.output
    assert os.environ["TZ"] == "Asia/Shanghai"
    assert started == [[f"{p.func.__module__}.{p.func.__name__}" for p in periodic_jobs()]]
    assert "dudao.audit.jobs.verify_audit_chain" in started[0]


def test_cron_starts_again_after_redis_was_lost(
    app, monkeypatch, process_logging, process_time_zone
):
    """RQ's cron scheduler ends on a lost Redis; `dudao cron` waits and starts it again."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    names: list[str] = []

    def start(self) -> None:
        names.append(self.name)
        if len(names) < 3:
            raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(CronScheduler, "start", start)
    monkeypatch.setattr(commands, "CRON_RETRY_SECONDS", 0)
    result = app.test_cli_runner().invoke(commands.cron_command)
    assert result.exit_code == 0, result.output
    assert len(names) == 3 and len(set(names)) == 3  # a new registration each time


def test_after_commit_jobs_reach_redis_as_one_job_after_the_commit(app, settings, session):
    queue = Queue("default", connection=connect(settings))
    queue.empty()
    after_commit(session, enqueue, settings, verify_audit_chain)
    after_commit(session, enqueue, settings, verify_audit_chain)
    assert queue.count == 0  # nothing before the commit
    session.commit()
    (job,) = queue.get_jobs()  # one job for the transaction's two, sent when the effects ended
    assert job.func_name == "dudao.core.together.run_together"
    assert job.description == "verify_audit_chain(), verify_audit_chain()"
    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False)
    job.refresh()
    assert job.get_status() == JobStatus.FINISHED, job.latest_result().exc_string
    assert len(job.return_value()) == 2


def test_a_long_batch_names_its_first_calls_and_how_many():
    data = prepared([(verify_audit_chain, (n,)) for n in range(40)])
    assert data.description == (
        "verify_audit_chain(0,), verify_audit_chain(1,), verify_audit_chain(2,), "
        "verify_audit_chain(3,), … 40 calls in all"
    )


def test_jobs_run_together_all_run_and_the_first_failure_is_raised(caplog):
    ran: list[int] = []

    def fails(n: int) -> None:
        ran.append(n)
        raise ValueError(f"call {n}")

    def works(n: int) -> int:
        ran.append(n)
        return n

    logged = caplog.at_level(logging.ERROR, logger="dudao.core.together")
    with logged, pytest.raises(ValueError, match="call 1"):
        run_together([(fails, (1,)), (works, (2,)), (fails, (3,))])
    assert ran == [1, 2, 3] and caplog.text.count("failed") == 2
    assert run_together([(works, (4,))]) == [4]


def test_a_batch_that_cannot_be_sent_never_fails_the_commit(settings, session, caplog):
    broken = mock.patch.object(Queue, "enqueue_many", side_effect=RuntimeError("broken"))
    with caplog.at_level(logging.ERROR, logger="dudao.core.effects"), broken:
        after_commit(session, enqueue, settings, verify_audit_chain)
        session.commit()
    assert "Sending the jobs of after-commit effects failed" in caplog.text
