"""Workflow guards that need to know about answers (registered by name, see workflow/guards.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dudao.core.errors import N_, Message
from dudao.workflow.guards import guard


@guard("all_required_answered")
def all_required_answered(session: Session, subject: Any) -> Message | None:
    """Submit only when the draft (or the submission just stored) is complete."""
    from dudao.inspections.drafts import missing_answers

    missing = missing_answers(session, subject)
    if not missing:
        return None
    if set(missing) == {"answers"}:
        return missing["answers"]
    keys = ", ".join(sorted(missing)[:5])
    if len(missing) <= 5:
        return Message(N_("not every required item is answered (%(keys)s)"), keys=keys)
    return Message(N_("not every required item is answered (%(keys)s and %(num)d more)"),
                   keys=keys, num=len(missing) - 5)  # fmt: skip
