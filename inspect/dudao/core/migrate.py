"""Alembic, driven from code so `dudao db upgrade` needs no alembic.ini on the path."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from dudao.config import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


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


def migrations_present() -> bool:
    return Path(MIGRATIONS_DIR, "env.py").exists()
