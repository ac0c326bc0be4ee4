"""Commands for the database, the worker and cron."""

from __future__ import annotations

import itertools
import logging
import os
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue, SimpleWorker, Worker
from rq.cron import CronScheduler

from dudao.config import check_data_dir
from dudao.core import migrate
from dudao.core.database import check_database
from dudao.core.errors import N_, Message
from dudao.core.jobs import register_periodic_jobs
from dudao.core.language import language_option, say
from dudao.core.logs import configure_process_logging
from dudao.core.queue import QUEUES, check_redis, connect
from dudao.core.runtime import Runtime

log = logging.getLogger(__name__)
CRON_RETRY_SECONDS = 15


def _runtime() -> Runtime:
    return current_app.extensions["dudao"]


def prepare_database(runtime: Runtime) -> None:
    """Check the connection and bring the schema to the newest migration."""
    check_database(runtime.engine)
    migrate.check_schema(runtime.engine, behind_ok=True)  # not one a newer release made
    migrate.upgrade(runtime.engine)


@click.group("db", help="Database schema (Alembic migrations).")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Apply every pending migration.")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    runtime = _runtime()
    check_database(runtime.engine)
    migrate.check_schema(runtime.engine, behind_ok=True)
    migrate.upgrade(runtime.engine, revision)
    click.echo(f"Database at {runtime.engine.url.render_as_string()} is at {revision}.")


@db_group.command("downgrade", help="Undo migrations down to REVISION.")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    runtime = _runtime()
    check_database(runtime.engine)
    migrate.downgrade(runtime.engine, revision)


@db_group.command("revision", help="Write a new migration from the difference to the models.")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    migrate.revision(_runtime().engine, message)


@db_group.command("check", help="Exit 1 if the migrated schema differs from the models.")
@with_appcontext
def db_check() -> None:
    runtime = _runtime()
    check_database(runtime.engine)
    migrate.check_schema(runtime.engine)  # behind: say so, not the columns one by one
    differences = migrate.drift(runtime.engine)
    for difference in differences:
        click.echo(str(difference))
    if differences:
        raise SystemExit(1)
    click.echo("The database schema matches the models.")


@click.command("init", help="Create or upgrade the database and load definitions.")
@language_option
@with_appcontext
def init_command(lang: str) -> None:
    check_data_dir(_runtime().settings)
    prepare_database(_runtime())
    say(Message(N_("Database ready.")), lang)
    from dudao.definitions.commands import sync_folder as sync_definitions

    if _runtime().settings.forms_dir.is_dir():  # before the schedules, which name definitions
        say(sync_definitions(_runtime(), lang=lang).summary(), lang)
    from dudao.scheduling.commands import sync_folder as sync_schedules

    # Schedules naming units or accounts that do not exist yet are listed and skipped.
    say(sync_schedules(_runtime(), skip_unresolved=True, lang=lang).summary(), lang)


@click.command("worker", help="Run an RQ worker for Dudao's queues.")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--simple", is_flag=True, help="Run jobs in this process instead of a fork.")
@with_appcontext
def worker_command(burst: bool, simple: bool) -> None:
    runtime = _runtime()
    configure_process_logging()  # UTC with "Z", as `dudao cron`'s lines
    check_database(runtime.engine)
    connection = connect(runtime.settings)
    check_redis(connection, runtime.settings)
    migrate.check_schema(runtime.engine)  # every job would fail on a missing column
    check_data_dir(runtime.settings)  # reports, and the photos they read
    from dudao.reports.jobs import preload as preload_reports

    preload_reports(runtime.settings)  # the PDF font once, not in every forked job
    runtime.engine.dispose()  # a forked work-horse must not share pooled connections
    os.register_at_fork(after_in_child=lambda: runtime.engine.dispose(close=False))
    worker_class = SimpleWorker if simple else Worker
    queues = [Queue(name, connection=connection) for name in QUEUES]
    worker_class(queues, connection=connection).work(burst=burst, with_scheduler=False)


@click.command("cron", help="Run RQ's cron scheduler for Dudao's periodic jobs.")
@with_appcontext
def cron_command() -> None:
    runtime = _runtime()
    configure_process_logging()  # UTC with "Z", though TZ is the organisation's below
    connection = connect(runtime.settings)
    check_redis(connection, runtime.settings)
    # RQ reads cron strings in the process's local time: make that the organisation's.
    os.environ["TZ"] = runtime.settings.timezone
    time.tzset()
    for attempt in itertools.count(1):
        name = f"dudao-cron-{os.getpid()}-{attempt}"  # the lost one may still be registered
        scheduler = CronScheduler(connection=connection, name=name)
        register_periodic_jobs(scheduler)
        try:
            scheduler.start()
            return
        except RedisConnectionError as exc:
            # RQ's cron ends on a lost Redis (the worker waits): every periodic sweep would
            # stop in silence until someone restarted it. Wait, then start again.
            log.warning("Redis is unreachable (%s); the cron scheduler starts again in %d s.",
                        exc, CRON_RETRY_SECONDS)  # fmt: skip
            time.sleep(CRON_RETRY_SECONDS)
