"""The demo organisation loaded once per test run, and a copy of it for each test that reads it.

Loading the demo goes through the real services (296 units, a year of history): ~16 s
on a quiet machine, and several tests read one of the same two seeds. A test marked
`@pytest.mark.demo(seed=...)` gets its own copy of the loaded demo, which it may change
freely: the `settings` fixture points at a copy of the database (a SQLite file, or a
PostgreSQL database made with `CREATE DATABASE ... TEMPLATE`) in a copy of the instance
folder (the demo's photos). The `demo` fixture gives the `DemoLoad` that the one load
returned, so a test still reads what each step created.

Loaded once per run for all xdist workers: the first worker to need a seed loads it
under a lock while the other waits for it (it would take as long to load its own). The
demo's stories are dated from the day they are loaded, so a run that passes midnight in
the organisation's time zone loads the seed again for the new day.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from dudao.app import create_app
from dudao.config import DEFAULT_TIMEZONE, load_settings
from dudao.core import migrate
from dudao.core.database import make_engine
from dudao.demo.data import DEFAULT_SEED
from dudao.demo.loader import DemoLoad, load_demo
from dudao.scheduling.recurrence import local_today

#: The file in a template's folder that says it is complete: the pickled `DemoLoad`.
LOADED = "loaded.pickle"
#: The file in a template's folder naming its PostgreSQL database.
POSTGRES_NAME = "postgresql-database"
#: The run's folder of templates, in the controller's stash.
_SHARED = pytest.StashKey[Path]()
#: What the load of a test's demo returned, in the test item's stash (see `demo`).
DEMO_LOAD = pytest.StashKey[DemoLoad]()


@dataclass(frozen=True)
class DemoTemplate:
    """A loaded demo to copy: its instance folder, its database and what the load returned."""

    instance: Path
    database: str  # "dudao.sqlite" in `instance`, or the name of a PostgreSQL database
    loaded: DemoLoad


def pytest_configure(config: pytest.Config) -> None:
    """One folder for the whole run, made by the controller (xdist hands it to each worker).

    Not under pytest's tmp_path root: concurrent pytest sessions prune each other's roots.
    """
    if not hasattr(config, "workerinput"):
        config.stash[_SHARED] = Path(tempfile.mkdtemp(prefix="dudao-demos-"))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    node.workerinput["dudao_demos"] = str(node.config.stash[_SHARED])


def pytest_unconfigure(config: pytest.Config) -> None:
    """The controller, once every worker has finished: drop the templates and their folder."""
    shared = config.stash.get(_SHARED, None)
    if shared is None:
        return
    databases = [path.read_text() for path in shared.glob(f"*/{POSTGRES_NAME}")]
    if databases:
        admin = _admin_engine()
        with admin.connect() as connection:
            for name in databases:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    shutil.rmtree(shared, ignore_errors=True)


def shared_folder(config: pytest.Config) -> Path:
    if hasattr(config, "workerinput"):
        return Path(config.workerinput["dudao_demos"])
    return config.stash[_SHARED]


def demo_seed(request: pytest.FixtureRequest) -> int | None:
    """The seed of the test's `demo` mark, or None when the test has none."""
    mark = request.node.get_closest_marker("demo")
    if mark is None:
        return None
    return int(mark.kwargs.get("seed", DEFAULT_SEED))


def _admin_engine() -> Engine:
    """The test server's own database, outside any transaction (CREATE/DROP DATABASE)."""
    url = make_url(os.environ["DUDAO_TEST_DATABASE_URL"].strip())
    return create_engine(url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")


def demo_template(config: pytest.Config, seed: int, empty: str, redis_url: str) -> DemoTemplate:
    """The demo with `seed` as loaded today: loaded now unless a worker already has.

    `empty` is this worker's migrated database (see `database_template`): a SQLite file
    to start from, or the PostgreSQL URL whose server gets the template database.
    """
    shared = shared_folder(config)
    today = local_today(DEFAULT_TIMEZONE)
    backend = make_url(empty).get_backend_name()
    folder = shared / f"{backend}-seed-{seed}-{today.isoformat()}"
    with (shared / f"{backend}-seed-{seed}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (folder / LOADED).exists():
            run = shared.name.rsplit("-", 1)[-1].lower()
            _load(folder, seed, empty, redis_url, f"demo_{run}_{seed}_{today:%Y%m%d}")
        loaded = pickle.loads((folder / LOADED).read_bytes())
    database = "dudao.sqlite"
    if (folder / POSTGRES_NAME).exists():
        database = (folder / POSTGRES_NAME).read_text()
    return DemoTemplate(folder / "instance", database, loaded)


def _load(folder: Path, seed: int, empty: str, redis_url: str, suffix: str) -> None:
    """Load the demo into a new template; the `LOADED` file, written last, says it is whole."""
    shutil.rmtree(folder, ignore_errors=True)
    instance = folder / "instance"
    instance.mkdir(parents=True)
    if empty.startswith("sqlite"):
        shutil.copy(make_url(empty).database, instance / "dudao.sqlite")
        url = f"sqlite:///{instance / 'dudao.sqlite'}"
    else:
        base = make_url(empty)
        name = f"{make_url(os.environ['DUDAO_TEST_DATABASE_URL'].strip()).database}_{suffix}"
        admin = _admin_engine()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        (folder / POSTGRES_NAME).write_text(name)  # for pytest_unconfigure to drop
        url = base.set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
    settings = load_settings(
        {
            "DUDAO_INSTANCE_PATH": str(instance),
            "DUDAO_DATABASE_URL": url,
            "DUDAO_REDIS_URL": redis_url,
            "DUDAO_SECRET_KEY": "test-secret",
        }
    )
    # As the `app` and `session` fixtures would load it in a test.
    app = create_app(settings, {"TESTING": True, "WTF_CSRF_ENABLED": False})
    runtime = app.extensions["dudao"]
    with app.app_context(), runtime.session_factory() as session:
        loaded = load_demo(session, seed)
        session.commit()
    runtime.engine.dispose()  # closes SQLite's write-ahead log into the file
    (folder / LOADED).write_bytes(pickle.dumps(loaded))


class PostgresCopies:
    """A worker's copy of a template database, made afresh for each test that asks."""

    def __init__(self, database_url: str) -> None:
        self.base = make_url(database_url)
        self.name = f"{self.base.database}_demo"
        self.admin = _admin_engine()

    def fresh(self, template: str) -> str:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{self.name}" TEMPLATE "{template}"'))
        return self.base.set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(database_template: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite database: the worker's template, or on PostgreSQL one made for the
    tests that need a SQLite file whatever the run's database is (`dudao demo` uses one)."""
    if database_template.startswith("sqlite"):
        return database_template
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'template.sqlite'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def _postgres_copies(database_template: str) -> Iterator[PostgresCopies]:
    copies = PostgresCopies(database_template)
    yield copies
    copies.drop()


@pytest.fixture
def demo(request: pytest.FixtureRequest, settings: object) -> DemoLoad:
    """What loading the demo of the test's `demo` mark returned (the test's database is a
    copy of that load; see the `settings` fixture)."""
    seed = demo_seed(request)
    if seed is None:
        pytest.fail("the demo fixture needs @pytest.mark.demo(seed=...) on the test")
    return request.node.stash[DEMO_LOAD]
