"""Follow-up effects that run only after the transaction commits.

A service registers an effect (usually: enqueue a job by id) with `after_commit`;
nothing runs if the transaction rolls back. Effects must not use the session, and
they may fail (Redis down) without harm, because periodic jobs re-derive their work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from dudao.core.queue import batched

log = logging.getLogger(__name__)
_KEY = "dudao.after_commit"


def after_commit(session: Session, effect: Callable[..., Any], *args: Any) -> None:
    session.info.setdefault(_KEY, []).append((effect, args))


@event.listens_for(Session, "after_commit")
def _run_effects(session: Session) -> None:
    effects = session.info.pop(_KEY, [])
    if not effects:
        return
    try:
        with batched():  # the jobs they enqueue go to Redis together, when the block ends
            for effect, args in effects:
                try:
                    effect(*args)
                except Exception:  # an effect is an optimisation; the sweep redoes its work
                    name = getattr(effect, "__name__", effect)
                    log.exception("After-commit effect %s failed", name)
    except Exception:  # the transaction has committed: never fail it afterwards
        log.exception("Sending the jobs of after-commit effects failed")


@event.listens_for(Session, "after_rollback")
def _drop_effects(session: Session) -> None:
    session.info.pop(_KEY, None)
