"""Each office user's named queue filters: the query string of `/flags`, kept per user."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dudao.core.errors import N_, Message, ValidationError, field_problem
from dudao.triage.models import SavedFilter

#: The queue's filter arguments (the page number is not part of a filter).
QUERY_KEYS = (
    "state", "severity", "rule", "unit", "period_from", "period_to", "assignee", "detected",
    "sort",
)  # fmt: skip
NAME_MAX = 80
PER_USER = 50


def normalise(query: str) -> str:
    """The filter part of a query string: known arguments with a value other than the
    default order, in a fixed order (so the same filter always reads the same)."""
    given: dict[str, str] = {}
    for key, value in parse_qsl(query.lstrip("?")):
        if (key, value) == ("sort", "newest"):
            continue
        if key in QUERY_KEYS and value.strip() and key not in given:
            given[key] = value.strip()
    return urlencode([(key, given[key]) for key in QUERY_KEYS if key in given])


def for_user(session: Session, user_id: int) -> list[SavedFilter]:
    return list(
        session.scalars(
            select(SavedFilter).where(SavedFilter.user_id == user_id).order_by(SavedFilter.name)
        )
    )


def save_filter(session: Session, user_id: int, name: str, query: str) -> SavedFilter:
    """Keep the filter under `name`; each problem names its field, `name` or `query` (a
    filter that shows everything needs no name)."""
    name = " ".join((name or "").split())
    query = normalise(query or "")
    problems = []
    if not name:
        problems.append(field_problem("name", Message(N_("Give the filter a name."))))
    elif len(name) > NAME_MAX:
        too_long = Message(N_("Keep the name to %(n)d characters or fewer."), n=NAME_MAX)
        problems.append(field_problem("name", too_long))
    elif session.scalar(
        select(SavedFilter.id).where(SavedFilter.user_id == user_id, SavedFilter.name == name)
    ):
        taken = Message(N_("You already have a filter with this name."))
        problems.append(field_problem("name", taken))
    elif (
        session.scalar(select(func.count(SavedFilter.id)).where(SavedFilter.user_id == user_id))
        or 0
    ) >= PER_USER:
        too_many = Message(N_("You have %(n)d saved filters; delete one first."), n=PER_USER)
        problems.append(field_problem("name", too_many))
    if not query:
        everything = Message(N_("Set a filter first: this one shows every flag."))
        problems.append(field_problem("query", everything))
    if problems:
        raise ValidationError(Message(N_("The filter cannot be saved as it stands.")), problems)
    saved = SavedFilter(user_id=user_id, name=name, query=query)
    session.add(saved)
    session.flush()
    return saved


def delete_filter(session: Session, user_id: int, filter_id: int) -> bool:
    """Delete one of the user's own filters; False when it is not theirs or gone."""
    saved = session.get(SavedFilter, filter_id)
    if saved is None or saved.user_id != user_id:
        return False
    session.delete(saved)
    session.flush()
    return True
