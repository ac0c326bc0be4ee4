"""One RQ job for the follow-up jobs of one transaction.

A tablet's submission commits two follow-ups: telling the office, and analysing the
inspection for trends. Each RQ job costs the request that enqueues it its creation,
serialisation and Redis commands, together about as much as a SQL statement, so a
transaction's follow-ups for one queue travel as one job that runs them in order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from rq import Queue
from rq.queue import EnqueueData

log = logging.getLogger(__name__)

Call = tuple[Callable[..., Any], tuple[Any, ...]]
#: Calls a job's description names (a seeding transaction can have hundreds).
SHOWN = 4


def prepared(calls: Sequence[Call]) -> EnqueueData:
    """The RQ job for `calls`: the call itself when there is one, else `run_together`."""
    if len(calls) == 1:
        return Queue.prepare_data(*calls[0])
    named = [f"{func.__name__}{args!r}" for func, args in calls[:SHOWN]]
    if len(calls) > SHOWN:
        named.append(f"… {len(calls)} calls in all")
    return Queue.prepare_data(run_together, (tuple(calls),), description=", ".join(named))


def run_together(calls: Sequence[Call]) -> list[Any]:
    """Run each call in order, also after one before it failed (each is idempotent and
    independent); then raise the first failure, so RQ records the job as failed."""
    results: list[Any] = []
    failures: list[Exception] = []
    for func, args in calls:
        try:
            results.append(func(*args))
        except Exception as exc:
            log.exception("%s%r failed", func.__name__, args)
            failures.append(exc)
    if failures:
        raise failures[0]
    return results
