"""Request-scoped helpers for views: the database session and the runtime."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from dudao.core.runtime import Runtime


def runtime(app: Flask | None = None) -> Runtime:
    return (app or current_app).extensions["dudao"]


def db() -> Session:
    """The request's session; views commit once, after the service has done its work."""
    if "db_session" not in g:
        g.db_session = runtime().session_factory()
    return g.db_session


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
