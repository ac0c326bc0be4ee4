"""Workflow guards that need to know about answers (registered by name, see workflow/guards.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dudao.workflow.guards import guard


@guard("all_required_answered")
def all_required_answered(session: Session, subject: Any) -> str | None:
    """Submit only when the draft (or the submission just stored) is complete."""
    from dudao.inspections.drafts import missing_answers

    missing = missing_answers(session, subject)
    if not missing:
        return None
    if set(missing) == {"answers"}:
        return missing["answers"]
    keys = ", ".join(sorted(missing)[:5])
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    return f"not every required item is answered ({keys}{more})"
