"""Guards: named checks a transition can require, registered by the features that know them.

A guard returns None when the transition may go ahead, or a Message saying why not (the
refusal shows it in its reader's language).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from dudao.core.errors import N_, Message

Guard = Callable[[Session, Any], Message | None]

GUARDS: dict[str, Guard] = {}


def guard(name: str) -> Callable[[Guard], Guard]:
    def register(func: Guard) -> Guard:
        GUARDS[name] = func
        return func

    return register


@guard("has_assignees")
def has_assignees(_session: Session, subject: Any) -> Message | None:
    return None if subject.assignee_ids else Message(N_("nobody is assigned yet"))
