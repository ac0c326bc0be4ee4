"""SQLAlchemy base, engine and session factory; nothing here knows about Flask."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from dudao.config import DEFAULT_TIMEZONE, masked, setting, typed
from dudao.core.errors import ConfigError

SUPPORTED_BACKENDS = ("postgresql", "sqlite")
#: Ids are 64-bit signed integers in both databases: a larger one in a URL or a command
#: is no id at all (not found), not an overflow in the driver.
LARGEST_ID = 2**63 - 1
CONNECT_TIMEOUT = 10  # seconds

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC time is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def org_timezone(session: Session) -> str:
    """The organisation's time zone for a session's work: its settings', else the default
    (a session made without settings, as some scripts and tests make)."""
    settings = session.info.get("settings")
    return settings.timezone if settings is not None else DEFAULT_TIMEZONE


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def _sqlite_savepoint_in_a_write_transaction(connection: Connection, _name: str | None) -> None:
    """A SAVEPOINT opened outside a transaction first begins one with BEGIN IMMEDIATE.

    pysqlite begins a transaction only before an INSERT, UPDATE or DELETE: reads before
    it hold no snapshot, and that first write waits (busy_timeout) for the write lock.
    A SAVEPOINT, though, begins a deferred transaction of its own: its first read pins a
    snapshot, and once another connection has committed (or holds the lock) SQLite
    refuses at once to upgrade it ("database is locked", which busy_timeout does not
    cover). Its RELEASE would also commit everything, whatever the session does next.
    A savepoint guards writes, so its transaction takes the write lock at the start
    (waiting for it as any write does); reads elsewhere keep taking no lock at all.
    """
    driver: Any = connection.connection.dbapi_connection  # sqlite3.Connection
    # None: AUTOCOMMIT, or an engine that emits BEGIN itself (core.migrate): left alone.
    managed = driver is not None and driver.isolation_level is not None
    if managed and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Build an engine, or raise ConfigError with one clear sentence."""
    shown = setting("DATABASE_URL", masked(url))
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise ConfigError(f"{shown} is not a valid database URL.") from exc
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise ConfigError(
            f"{shown} names the database {typed(parsed.get_backend_name())}; "
            "Dudao works with postgresql+psycopg://user:password@host/name or sqlite:///path."
        )
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        # An unreachable host fails within seconds instead of the OS's minutes.
        kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", CONNECT_TIMEOUT)
    if parsed.get_backend_name() == "postgresql":
        # After a database restart every pooled connection is dead: test each as it is
        # taken, so no request (a sign-in) fails for the pool's sake.
        kwargs.setdefault("pool_pre_ping", True)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        from pathlib import Path

        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise ConfigError(f"{shown} cannot be used: {exc}.") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _sqlite_savepoint_in_a_write_transaction)
    return engine


def _reason(exc: DBAPIError) -> str:
    """The driver's first line, without its boilerplate, ending in a full stop."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    reason = re.sub(r"^connection failed: |FATAL: +", "", reason)
    missing = re.search(r'database "([^"]+)" does not exist', reason)
    if missing:
        reason = f"the database {typed(missing.group(1))} does not exist (create it first)"
    return reason.rstrip(".") + "."


def check_database(engine: Engine) -> None:
    """Connect once so a wrong URL stops the start with one sentence, not a traceback."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        where = engine.url.render_as_string()  # the password hidden
        raise ConfigError(
            f"Cannot connect to the database at {where} (DUDAO_DATABASE_URL): {_reason(exc)}"
        ) from exc


def dialect_insert(session: Session | str) -> Callable[..., Any]:
    """The `insert` of the session's dialect (or of the dialect named), which has ON
    CONFLICT (PostgreSQL and SQLite)."""
    dialect = session if isinstance(session, str) else session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - Dudao runs on PostgreSQL and SQLite only
        raise NotImplementedError(dialect)
    return insert


def refresh_statistics(session: Session, *tables: type[Base]) -> None:
    """ANALYZE the tables of a bulk load (PostgreSQL), in its transaction.

    Until autovacuum analyses them (a minute later, or never where it is off) the
    planner reads the tables as empty: a re-import's 2,000-id IN lists then ran as a
    prepared generic plan scanning every row against every id, 1.3 s a query."""
    if session.get_bind().dialect.name == "postgresql":
        names = ", ".join(model.__tablename__ for model in tables)
        session.execute(text(f"ANALYZE {names}"))


def make_session_factory(engine: Engine, **info: Any) -> sessionmaker[Session]:
    """`info` travels with every session (e.g. the settings, for after-commit effects)."""
    return sessionmaker(bind=engine, expire_on_commit=False, info=info)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work for jobs and CLI commands: commit on success, roll back on error."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
