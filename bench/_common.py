"""Helpers shared by the bench scripts (run as `python bench/<script>.py`, so importable)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def scratch_database(server_url: str, name: str, create: bool = True) -> str:
    """Drop (and, unless not `create`, create again) database `name` on the PostgreSQL
    server of `server_url`; its URL."""
    base = make_url(server_url).set(drivername="postgresql+psycopg")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if create:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def bench_app(prefix: str, wipe: bool, config: dict[str, Any] | None = None) -> tuple[Path, Flask]:
    """A new temporary instance folder (removed when the script exits) and an app on
    DUDAO_BENCH_DATABASE_URL (or a SQLite file in that folder) with fresh Dudao tables;
    `org_subtree.prepare` refuses a database that holds units unless `wipe`. The caller has
    put `inspect/` on sys.path."""
    from org_subtree import prepare

    from dudao.app import create_app
    from dudao.config import load_settings

    folder = Path(tempfile.mkdtemp(prefix=prefix))
    # The folder holds the scratch SQLite database (68 MB for trend_scale): gone at exit.
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = os.environ.get("DUDAO_BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite'}"
    settings = load_settings({"DUDAO_DATABASE_URL": url, "DUDAO_INSTANCE_PATH": str(folder),
                              "DUDAO_SECRET_KEY": "bench"})  # fmt: skip
    app = create_app(settings, config)
    prepare(app.extensions["dudao"].engine, wipe)
    return folder, app
