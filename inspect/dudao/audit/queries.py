"""Reads for the audit log page: one filtered page of events and a readable diff."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from dudao.audit.models import AuditEvent
from dudao.core.permissions import Permission, can
from dudao.org.models import Unit

PER_PAGE = 50


@dataclass(frozen=True)
class AuditFilter:
    """What the page narrows to; empty strings mean "any"."""

    entity_type: str = ""
    entity_id: str = ""
    actor: str = ""

    def apply(self, statement: Select[Any]) -> Select[Any]:
        if self.entity_type:
            statement = statement.where(AuditEvent.entity_type == self.entity_type)
        if self.entity_id:
            statement = statement.where(AuditEvent.entity_id == self.entity_id)
        if self.actor:
            statement = statement.where(AuditEvent.actor_name == self.actor)
        return statement

    def query_args(self) -> dict[str, str]:
        """The non-empty filters, for links that keep them (paging)."""
        return {name: value for name, value in vars(self).items() if value}


@dataclass(frozen=True)
class EventPage:
    events: list[AuditEvent]
    page: int
    pages: int
    total: int


def events_page(
    session: Session, filters: AuditFilter, page: int = 1, per_page: int = PER_PAGE
) -> EventPage:
    """Newest first; a page past the end shows the last page."""
    total = session.scalar(filters.apply(select(func.count(AuditEvent.id)))) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    events = session.scalars(
        filters.apply(select(AuditEvent))
        .order_by(AuditEvent.seq.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return EventPage(list(events), page, pages, total)


def entity_types(session: Session) -> list[str]:
    """The object types in the log, in order: one index probe per type (the next type after
    the last one found, on ix_audit_event_entity), not a pass over the whole log, which
    only grows (a DISTINCT read every event on every view of the page)."""
    found = select(func.min(AuditEvent.entity_type).label("name")).cte("types", recursive=True)
    after = select(func.min(AuditEvent.entity_type)).where(AuditEvent.entity_type > found.c.name)
    found = found.union_all(select(after.scalar_subquery()).where(found.c.name.is_not(None)))
    names = select(found.c.name).where(found.c.name.is_not(None)).order_by(found.c.name)
    return list(session.scalars(names))


@dataclass(frozen=True)
class Value:
    """A value as the page shows it: `text`; `key`, the value as stored where the text
    names it otherwise (for the title); `href`, the page of what it names."""

    text: str
    key: str | None = None
    href: str | None = None


@dataclass(frozen=True)
class Change:
    field: str
    old: Value | None
    new: Value | None


def shown(value: Any) -> str:
    """A value as the log stores it: JSON for lists and objects, true/false, else its text."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def field_changes(
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    show: Callable[[str, Any], Value] = lambda _name, value: Value(shown(value)),
) -> list[Change]:
    """The fields that differ, old and new as `show` (field name, value) writes them (None
    where a side has no such field)."""
    before, after = before or {}, after or {}
    changes = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if name in before and name in after and old == new:
            continue
        changes.append(
            Change(
                name,
                show(name, old) if name in before else None,
                show(name, new) if name in after else None,
            )
        )
    return changes


def reads_whole_log(session: Session, user: object, tops: Sequence[Unit] | None = None) -> bool:
    """An event is not tied to a unit, so the log is read only by who holds VIEW_AUDIT on
    every top unit, the whole organisation; an office of one company would read another's
    named feedback and results in it. Everyone reads an object's history on its page.
    `tops` (the organisation's top units) saves their query when asking for many users."""
    if not can(user, Permission.VIEW_AUDIT):  # most pages' readers: no query for the menu
        return False
    if tops is None:
        tops = top_units(session)
    return bool(tops) and all(can(user, Permission.VIEW_AUDIT, top) for top in tops)


def top_units(session: Session) -> Sequence[Unit]:
    return session.scalars(select(Unit).where(Unit.parent_id.is_(None))).all()
