"""Reads behind the pages: pioneer posts, manual entries and branches, inside a scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, joinedload

from dudao.core.enums import UnitLevel
from dudao.org.models import Unit
from dudao.org.queries import in_tree_order, within
from dudao.targets.models import PioneerPost, TargetEntry

PAGE_SIZE = 100


@dataclass(frozen=True)
class PostPage:
    rows: Sequence[PioneerPost]
    total: int
    page: int
    pages: int


def posts(
    session: Session, paths: Sequence[str], *, under: Unit | None = None, retired: bool = False,
    page: int = 1,
) -> PostPage:  # fmt: skip
    """One page of the pioneer posts of branches inside `paths` (and under `under`), active
    ones unless `retired`, by branch code and name."""
    where = [within(paths)]
    if under is not None:
        where.append(within([under.path]))
    if not retired:
        where.append(PioneerPost.retired_on.is_(None))
    joined = select(PioneerPost.id).join(Unit, Unit.id == PioneerPost.unit_id).where(*where)
    total = session.scalar(select(func.count()).select_from(joined.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = session.scalars(
        select(PioneerPost)
        .join(Unit, Unit.id == PioneerPost.unit_id)
        .options(joinedload(PioneerPost.unit))
        .where(*where)
        .order_by(Unit.code, PioneerPost.name, PioneerPost.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return PostPage(rows, total, page, pages)


def branches(session: Session, paths: Sequence[str]) -> Sequence[Unit]:
    """Active party branches inside `paths`: where a pioneer post can be registered."""
    return session.scalars(
        select(Unit)
        .where(Unit.level == UnitLevel.BRANCH, Unit.active.is_(True), within(paths))
        .order_by(Unit.code)
    ).all()


def units(session: Session, paths: Sequence[str]) -> Sequence[Unit]:
    """Active units inside `paths`: where an office entry can be recorded."""
    return in_tree_order(session.scalars(select(Unit).where(Unit.active.is_(True), within(paths))))


@dataclass(frozen=True)
class EntryRow:
    entry: TargetEntry
    corrected_by: int | None  # the id of the entry that replaced this one


def entries(session: Session, target_key: str, paths: Sequence[str]) -> list[EntryRow]:
    """Every entry of a target inside `paths`, newest first, each with its correction."""
    newer = aliased(TargetEntry)
    rows = session.execute(
        select(TargetEntry, newer.id)
        .join(Unit, Unit.id == TargetEntry.unit_id)
        .outerjoin(newer, newer.corrects_id == TargetEntry.id)
        .options(joinedload(TargetEntry.unit))
        .where(TargetEntry.target_key == target_key, within(paths))
        .order_by(TargetEntry.entry_date.desc(), TargetEntry.id.desc())
    )
    return [EntryRow(entry, corrected_by) for entry, corrected_by in rows]


def correction_of(session: Session, entry_id: int) -> int | None:
    """The id of the entry that corrected `entry_id`, if any."""
    return session.scalar(select(TargetEntry.id).where(TargetEntry.corrects_id == entry_id))


@dataclass(frozen=True)
class MoveRow:
    unit: Unit
    period: str
    from_tier: object
    to_tier: object


def tier_moves(session: Session, moves: Sequence[Any]) -> list[MoveRow]:
    """The moves up a tier (from `sources.moves_up`) by branch code and period, each with
    its branch."""
    ids = {move.unit_id for move in moves}
    named = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(ids)))} if ids else {}
    rows = [MoveRow(named[m.unit_id], str(m.period), m.from_tier, m.to_tier) for m in moves]
    return sorted(rows, key=lambda row: (row.unit.code, row.period))
