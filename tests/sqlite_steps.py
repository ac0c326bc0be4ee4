"""How much work a read does, counted in SQLite's virtual machine steps: deterministic,
unlike time, so a test can say that a page's queries cost the same however many rows
the tables hold (the index does the work, not a pass over the table)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")


def sqlite_steps(session: Session, read: Callable[[Session], T]) -> tuple[T, int]:
    """What `read(session)` returns and the steps (in tens) SQLite took to run it."""
    raw = session.connection().connection.driver_connection
    steps = 0

    def tick() -> int:
        nonlocal steps
        steps += 1
        return 0

    raw.set_progress_handler(tick, 10)
    try:
        return read(session), steps
    finally:
        raw.set_progress_handler(None, 10)
