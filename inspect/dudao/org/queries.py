"""Reads of the org tree; subtrees are one indexed prefix query."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Select, case, false, func, or_, select
from sqlalchemy.orm import Session

from dudao.org.models import Unit


def within(paths: Sequence[str]) -> object:
    """A WHERE clause keeping units inside any of the given subtrees."""
    if not paths:
        return false()
    return or_(*(Unit.path.startswith(p, autoescape=True) for p in paths))


def subtree(session: Session, unit: Unit, include_inactive: bool = True) -> Sequence[Unit]:
    statement: Select[tuple[Unit]] = select(Unit).where(within([unit.path])).order_by(Unit.path)
    if not include_inactive:
        statement = statement.where(Unit.active.is_(True))
    return session.scalars(statement).all()


def active_below(session: Session, unit: Unit) -> Sequence[Unit]:
    """The active units in `unit`'s subtree, itself left out."""
    return session.scalars(
        select(Unit).where(within([unit.path]), Unit.id != unit.id, Unit.active.is_(True))
    ).all()


def deactivated_with(session: Session, unit: Unit) -> list[Unit]:
    """The inactive units below `unit` that were deactivated in the same act as it (they
    share its `deactivated_at`), in tree order, each directly under `unit` or under another
    of them: reactivated together with `unit`, none is left under an inactive unit. Units
    deactivated on their own, before or after, have moments of their own and are left out;
    so is a unit that went with `unit` but has since been moved under one of those."""
    if unit.active or unit.deactivated_at is None:
        return []
    went = session.scalars(
        select(Unit).where(
            within([unit.path]),
            Unit.id != unit.id,
            Unit.active.is_(False),
            Unit.deactivated_at == unit.deactivated_at,
        )
    )
    reached, together = {unit.id}, []
    for each in in_tree_order(went):  # each after its parent
        if each.parent_id in reached:
            reached.add(each.id)
            together.append(each)
    return together


def children(session: Session, unit: Unit | None, paths: Sequence[str]) -> Sequence[Unit]:
    """Direct children of `unit` (roots when None) that lie inside the viewer's scope."""
    parent_clause = Unit.parent_id.is_(None) if unit is None else Unit.parent_id == unit.id
    return session.scalars(
        select(Unit).where(parent_clause, within(paths)).order_by(Unit.code)
    ).all()


def scope_roots(session: Session, paths: Sequence[str]) -> Sequence[Unit]:
    """The units at the top of the viewer's scope."""
    return session.scalars(select(Unit).where(Unit.path.in_(list(paths))).order_by(Unit.code)).all()


def ancestors(session: Session, unit: Unit) -> Sequence[Unit]:
    ids = unit.ancestor_ids[:-1]
    if not ids:
        return []
    return session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.depth)).all()


#: The most units a type-ahead suggests: enough to choose from, few enough to read.
SUGGEST_LIMIT = 20


def overlap(paths: Sequence[str], others: Sequence[str]) -> list[str]:
    """The subtrees inside both sets of subtree prefixes (two subtrees overlap only where
    one holds the other): a user's reach for one permission kept within another's."""
    return sorted(
        {p for p in paths for q in others if p.startswith(q)}
        | {q for q in others for p in paths if q.startswith(p)}
    )


def too_short(text: str) -> bool:
    """A single Latin letter or digit matches most codes, so it suggests nothing; a single
    Chinese character (华, 金) already names something, so it is enough."""
    return not text or (len(text) < 2 and text.isascii())


def suggest(
    session: Session, text: str, paths: Sequence[str], *, active_only: bool = False
) -> Sequence[Unit]:
    """Units inside `paths` whose code, name or English name holds `text` (case aside), for
    a type-ahead: the unit with exactly that code first, then active before inactive, codes
    starting with `text` before names starting with it before the rest, then by code."""
    text = text.strip()
    if too_short(text):
        return []
    code_is = func.lower(Unit.code) == text.lower()
    rank = case(
        (Unit.code.istartswith(text, autoescape=True), 0),
        (Unit.name.startswith(text, autoescape=True), 1),
        (Unit.name_en.istartswith(text, autoescape=True), 1),
        else_=2,
    )
    statement = select(Unit).where(
        within(paths),
        or_(
            Unit.code.icontains(text, autoescape=True),
            Unit.name.icontains(text, autoescape=True),
            Unit.name_en.icontains(text, autoescape=True),
        ),
    )
    if active_only:
        statement = statement.where(Unit.active.is_(True))
    statement = statement.order_by(
        case((code_is, 0), else_=1), case((Unit.active.is_(True), 0), else_=1), rank, Unit.code
    )
    return session.scalars(statement.limit(SUGGEST_LIMIT)).all()


def by_code(session: Session, code: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.code == code))


def in_tree_order(units: Iterable[Unit]) -> list[Unit]:
    """Each unit after its parent, siblings by code: ordering by path would put siblings in
    the order they were created (HC03 before HC01), because a path holds ids."""
    listed = list(units)
    codes = {unit.id: unit.code for unit in listed}

    def key(unit: Unit) -> list[str]:
        return [codes.get(int(part), part.zfill(12)) for part in unit.path.strip("/").split("/")]

    return sorted(listed, key=key)


def tags_in_use(session: Session, paths: Sequence[str]) -> list[tuple[str, int]]:
    """(tag, number of active units with it) in the subtrees at `paths`, the most used
    first: the tags a schedule or a unit is given are chosen from these rather than typed
    anew (a typo matches no unit)."""
    counts: dict[str, int] = {}
    found = select(Unit.tags).where(Unit.active.is_(True), within(paths))
    for tags in session.scalars(found):
        for tag in tags or ():
            counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
