"""Alembic environment: the engine comes from Dudao's settings (or the caller)."""

from __future__ import annotations

from alembic import context

import dudao.models  # noqa: F401  (registers every table)
from dudao.config import load_settings
from dudao.core.database import Base, make_engine

config = context.config
engine = config.attributes.get("engine") or make_engine(load_settings().database_url)


def run_migrations() -> None:
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            compare_type=True,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
