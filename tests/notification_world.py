"""Shared by the notification tests: the default queue run to empty by a real RQ worker."""

from __future__ import annotations

from rq import Queue, SimpleWorker
from rq.job import JobStatus

from dudao.core.queue import connect


def drain(app) -> list:
    """Run the default queue to empty with a real worker; every job must have finished."""
    settings = app.extensions["dudao"].settings
    connection = connect(settings)
    queue = Queue("default", connection=connection)
    jobs = queue.get_jobs()
    SimpleWorker([queue], connection=connection).work(burst=True, with_scheduler=False)
    for job in jobs:
        job.refresh()
        assert job.get_status() == JobStatus.FINISHED, job.latest_result().exc_string
    return jobs
