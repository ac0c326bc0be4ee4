"""Alembic, driven from code so `dudao db upgrade` needs no alembic.ini on the path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, event

from dudao.config import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with _transactional_ddl(engine) as migrating:
        command.upgrade(alembic_config(migrating), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with _transactional_ddl(engine) as migrating:
        command.downgrade(alembic_config(migrating), revision)


@contextmanager
def _transactional_ddl(engine: Engine) -> Iterator[Engine]:
    """An engine on which a migration is all or nothing, also on SQLite.

    pysqlite commits before every CREATE/ALTER/DROP, so a migration cut short (Ctrl-C,
    a crash) would leave half a schema that no later run can repair. SQLAlchemy's
    documented recipe: turn pysqlite's transaction handling off and emit BEGIN ourselves.
    """
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield engine
        return
    from dudao.core.database import make_engine

    migrating = make_engine(engine.url.render_as_string(hide_password=False))
    event.listen(migrating, "connect", _no_implicit_transactions)
    event.listen(migrating, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    try:
        yield migrating
    finally:
        migrating.dispose()


def _no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def revision(engine: Engine, message: str) -> None:
    command.revision(alembic_config(engine), message=message, autogenerate=True)


def drift(engine: Engine) -> list[object]:
    """Differences between the migrated database and the models (empty when they agree)."""
    import dudao.models  # noqa: F401  (registers every table)
    from dudao.core.database import Base

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return list(compare_metadata(context, Base.metadata))


def check_schema(engine: Engine, *, behind_ok: bool = False) -> None:
    """ConfigError with one sentence when the database is not at this code's last migration:
    behind it (every query on a new column would fail; `behind_ok` for the commands that
    migrate), or at one this code does not know (upgraded by a newer release)."""
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    from dudao.core.errors import ConfigError

    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    script = ScriptDirectory.from_config(alembic_config(engine))
    head = script.get_current_head()
    where = engine.url.render_as_string()  # the password hidden
    if current is not None:
        try:
            script.get_revision(current)
        except CommandError:
            raise ConfigError(
                f"The database at {where} is at migration {current}, which this Dudao does not "
                f"know (its last is {head}): a newer release upgraded it. Run that release, or "
                "restore the backup made before the upgrade."
            ) from None
    if current != head and not behind_ok:
        raise ConfigError(
            f"The database at {where} is at migration {current or 'none (empty)'}, and this "
            f"Dudao needs {head}: run `dudao db upgrade` (or `dudao init`) first."
        )


def migrations_present() -> bool:
    return Path(MIGRATIONS_DIR, "env.py").exists()
