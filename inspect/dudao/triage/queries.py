"""Reads for the flag queue and the flag page: one query for the counts per state, two for
a page of flags (its ids, then those flags), one for a flag's history; never one per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, contains_eager, load_only

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.core.enums import Role
from dudao.notifications.audience import holders_at_or_above
from dudao.org.models import Unit
from dudao.org.queries import within
from dudao.trends.models import CLOSED_STATES, Flag

PAGE_SIZE = 50
RELATED_SHOWN = 10
SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}
SORTS = ("newest", "oldest", "severity", "last_detected", "unit")


@dataclass
class Filters:
    """The queue's filter, as it travels in the URL."""

    state: str = ""
    severity: str = ""
    rule: str = ""
    unit: Unit | None = None
    period_from: str = ""  # "YYYY-MM": flags detected in or after
    period_to: str = ""  # "YYYY-MM": flags first detected in or before
    assignee: str = ""  # a user id, "me", or "none" for flags nobody follows up
    detected: str = ""  # "yes": still detected; "no": no longer (the ones to close)
    viewer_id: int | None = None  # who "me" is
    sort: str = "newest"
    page: int = 1

    def query_args(self) -> dict[str, Any]:
        """The filter as URL arguments (empty ones left out), for links and paging."""
        args = {
            "state": self.state,
            "severity": self.severity,
            "rule": self.rule,
            "unit": self.unit.code if self.unit else "",
            "period_from": self.period_from,
            "period_to": self.period_to,
            "assignee": self.assignee,
            "detected": self.detected,
            "sort": "" if self.sort == "newest" else self.sort,
        }
        return {k: v for k, v in args.items() if v}


@dataclass
class QueuePage:
    rows: list[Flag]
    total: int
    page: int
    pages: int
    counts: dict[str, int]


def _scoped(query: Select[Any], paths: Sequence[str], filters: Filters) -> Select[Any]:
    """Flags whose unit lies in the viewer's subtrees, narrowed by every filter but state."""
    query = query.join(Unit, Unit.id == Flag.unit_id)
    query = query.where(within(paths))
    if filters.severity:
        query = query.where(Flag.severity == filters.severity)
    if filters.rule:
        query = query.where(Flag.rule == filters.rule)
    if filters.unit is not None:
        query = query.where(Unit.path.startswith(filters.unit.path))
    if filters.period_from:
        query = query.where(Flag.last_detected >= filters.period_from)
    if filters.period_to:
        query = query.where(Flag.first_detected <= filters.period_to)
    if filters.detected:
        query = query.where(Flag.detected.is_(filters.detected == "yes"))
    if filters.assignee == "none":
        query = query.where(Flag.assignee_id.is_(None))
    elif filters.assignee == "me":
        query = query.where(Flag.assignee_id == filters.viewer_id)
    elif filters.assignee.isdigit():
        query = query.where(Flag.assignee_id == int(filters.assignee))
    return query


def _order(sort: str) -> list[Any]:
    rank = case(SEVERITY_RANK, value=Flag.severity, else_=0)
    return {
        "oldest": [Flag.created_at, Flag.id],
        "severity": [rank.desc(), Flag.last_detected.desc(), Flag.id.desc()],
        "last_detected": [Flag.last_detected.desc(), Flag.id.desc()],
        "unit": [Unit.code, Flag.id.desc()],
    }.get(sort, [Flag.created_at.desc(), Flag.id.desc()])


def queue(session: Session, paths: Sequence[str], filters: Filters) -> QueuePage:
    """A page of flags in scope matching `filters`, and the counts per state (the state
    filter left out, so the counts show where the other states stand)."""
    if not paths:
        return QueuePage([], 0, 1, 1, {})
    counts = dict(
        session.execute(
            _scoped(select(Flag.state, func.count(Flag.id)), paths, filters).group_by(Flag.state)
        ).all()
    )
    total = counts.get(filters.state, 0) if filters.state else sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    # The page's ids first (read from the queue indexes alone, however deep the page),
    # then those flags with their units.
    query = _scoped(select(Flag.id), paths, filters)
    if filters.state:
        query = query.where(Flag.state == filters.state)
    ids = list(
        session.scalars(
            query.order_by(*_order(filters.sort)).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        )
    )
    found = {f.id: f for f in session.scalars(select(Flag).where(Flag.id.in_(ids))).unique()}
    return QueuePage([found[i] for i in ids if i in found], total, page, pages, counts)


def count_new(session: Session, paths: Sequence[str]) -> int:
    """Flags in the viewer's subtrees that nobody has looked at yet (state "new")."""
    query = _scoped(select(func.count(Flag.id)), paths, Filters())
    return session.scalar(query.where(Flag.state == "new")) or 0


def rules_in_use(session: Session) -> list[str]:
    return list(session.scalars(select(Flag.rule).distinct().order_by(Flag.rule)))


def in_scope(session: Session, paths: Sequence[str], ids: Sequence[int]) -> list[Flag]:
    """The flags among `ids` the viewer may see (others are silently left out)."""
    if not paths or not ids:
        return []
    query = (
        select(Flag)
        .join(Unit, Unit.id == Flag.unit_id)
        .where(Flag.id.in_(ids), within(paths))
        .order_by(Flag.id)
    )
    return list(session.scalars(query).unique())


def related(session: Session, flag: Flag, paths: Sequence[str]) -> tuple[list[Flag], int]:
    """Other open flags the viewer may see on any of the flag's units, the most severe
    first (at most RELATED_SHOWN), and how many there are: one problem seen by several
    rules, such as a branch's falling score and the company-wide item behind it."""
    if not paths:
        return [], 0
    units = set(flag.unit_ids or [flag.unit_id])
    # A flag on one of these units is raised at that unit or above it: only those scopes.
    scopes = {a for u in session.scalars(select(Unit).where(Unit.id.in_(units))) for a in
              u.ancestor_ids}  # fmt: skip
    query = (
        select(Flag)
        .join(Unit, Unit.id == Flag.unit_id)
        .options(
            contains_eager(Flag.unit),
            load_only(Flag.rule, Flag.severity, Flag.unit_id, Flag.unit_ids),
        )
        .where(
            Flag.id != flag.id,
            Flag.state.not_in(CLOSED_STATES),
            Flag.unit_id.in_(scopes),
            within(paths),
        )
        .order_by(*_order("severity"))
    )
    found = [f for f in session.scalars(query) if units & set(f.unit_ids or [f.unit_id])]
    return found[:RELATED_SHOWN], len(found)


def history(session: Session, flag_id: int) -> list[AuditEvent]:
    """The flag's audit events (detections and triage actions), oldest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "trend_flag", AuditEvent.entity_id == str(flag_id))
            .order_by(AuditEvent.seq)
        )
    )


def office_users(session: Session, paths: Sequence[str]) -> list[User]:
    """Active users holding the office or admin role on a unit at or above any of `paths`
    (they can act on flags there): the people a flag can be given to."""
    return holders_at_or_above(session, (Role.OFFICE, Role.ADMIN), paths)


def users_by_id(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
