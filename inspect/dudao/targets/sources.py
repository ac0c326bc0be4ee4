"""Where a target's progress comes from: one function per `source` in workflows/targets.yaml.

Each function answers, for the units inside `paths`, how much was achieved where:
a mapping from unit path to amount, read with one grouped query. Progress overall
and per company is then a sum over path prefixes (dudao.targets.progress).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dudao.core.errors import DudaoError
from dudao.org.models import Unit
from dudao.org.queries import within
from dudao.targets.config import SOURCES, Target
from dudao.targets.models import PioneerPost, TargetEntry

#: Unit path -> the amount counted at that unit.
Contributions = dict[str, int]
SourceFunction = Callable[[Session, Target, Sequence[str]], Contributions]


class SourceUnavailable(DudaoError):
    """The data a source needs is not there (e.g. the assessment feature is not installed)."""


def pioneer_posts(session: Session, target: Target, paths: Sequence[str]) -> Contributions:
    """Pioneer posts registered by branches and not retired, one per post."""
    rows = session.execute(
        select(Unit.path, func.count(PioneerPost.id))
        .join(Unit, Unit.id == PioneerPost.unit_id)
        .where(PioneerPost.retired_on.is_(None), within(paths))
        .group_by(Unit.path)
    )
    return {path: int(count) for path, count in rows}


def current_entries() -> object:
    """A WHERE clause keeping the entries nobody has corrected (the ones that count)."""
    corrected = select(TargetEntry.corrects_id).where(TargetEntry.corrects_id.is_not(None))
    return TargetEntry.id.not_in(corrected)


def manual(session: Session, target: Target, paths: Sequence[str]) -> Contributions:
    """The office's entries for this target, corrected entries replaced by their correction."""
    rows = session.execute(
        select(Unit.path, func.sum(TargetEntry.amount))
        .join(Unit, Unit.id == TargetEntry.unit_id)
        .where(TargetEntry.target_key == target.key, current_entries(), within(paths))
        .group_by(Unit.path)
    )
    return {path: int(total or 0) for path, total in rows}


def moves_up(session: Session, paths: Sequence[str]) -> list[Any]:
    """The assessment's moves up a tier (TierMove: unit_id, unit_path, period, from_tier,
    to_tier) of units inside `paths`; SourceUnavailable without the assessment feature."""
    try:
        from dudao.assessment.queries import tier_moves_up
    except ImportError:
        raise SourceUnavailable(
            "Tier moves come from the assessment feature (dudao.assessment), "
            "which is not installed."
        ) from None
    moves = tier_moves_up(session, list(paths))
    return [m for m in moves if any(m.unit_path.startswith(prefix) for prefix in paths)]


def moved_branches(moves: Sequence[Any]) -> Contributions:
    """Branches that moved up a tier at least once in `moves` (from `moves_up`), one each."""
    moved = {move.unit_id: move.unit_path for move in moves}
    return dict(Counter(moved.values()))


def tier_moves(session: Session, target: Target, paths: Sequence[str]) -> Contributions:
    """Branches that moved up a tier at least once (between consecutive periods), one each."""
    return moved_branches(moves_up(session, paths))


REGISTRY: dict[str, SourceFunction] = {
    "pioneer_posts": pioneer_posts,
    "tier_moves": tier_moves,
    "manual": manual,
}
assert tuple(REGISTRY) == SOURCES, "every source named in config.SOURCES needs a function"


def contributions(session: Session, target: Target, paths: Sequence[str]) -> Contributions:
    return REGISTRY[target.source](session, target, paths)
