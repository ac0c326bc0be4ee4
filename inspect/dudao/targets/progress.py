"""How far each target has come, overall and per company, inside the viewer's scope.

A target's number is the whole organisation's. A viewer who sees the whole
organisation compares the total with it; a viewer who sees only some companies
compares with those companies' shares (the `split`), or sees the count alone when
the target has no split. Per company: every company inside the scope, with its
share when the split names it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.core.enums import UnitLevel
from dudao.core.errors import N_, Message
from dudao.definitions.problems import Problem
from dudao.org.models import Unit
from dudao.org.queries import within
from dudao.targets.config import Target, TargetPlan
from dudao.targets.sources import Contributions, SourceUnavailable, contributions

#: A split that names a company the database does not have (the targets page lists it).
UNKNOWN_COMPANY = N_("no company has the code '%(code)s'")


@dataclass(frozen=True)
class Share:
    """Achieved against a goal (None: no goal set for this part)."""

    done: int
    goal: int | None
    unit: Unit | None = None

    @property
    def percent(self) -> int | None:
        """Whole per cent, rounded down; may pass 100 (the bar stops at its end)."""
        if not self.goal:
            return None
        return self.done * 100 // self.goal


@dataclass(frozen=True)
class Progress:
    target: Target
    overall: Share
    companies: tuple[Share, ...] = ()
    #: Achieved inside the scope but in no company (e.g. at the group itself).
    outside_companies: int = 0
    whole: bool = False  # the viewer sees the whole organisation
    unavailable: str | None = None
    problems: tuple[Problem, ...] = field(default=())

    def days_left(self, today: date) -> int:
        return (self.target.deadline - today).days


@dataclass(frozen=True)
class _Scope:
    paths: tuple[str, ...]
    whole: bool
    companies: tuple[Unit, ...]
    company_codes: frozenset[str]  # every company of the organisation, in scope or not


def _scope(session: Session, paths: Sequence[str]) -> _Scope:
    roots = session.scalars(
        select(Unit.id).where(Unit.parent_id.is_(None), Unit.path.in_(list(paths)))
    ).all()
    companies = session.scalars(
        select(Unit).where(Unit.level == UnitLevel.COMPANY, within(paths)).order_by(Unit.code)
    ).all()
    codes = session.scalars(select(Unit.code).where(Unit.level == UnitLevel.COMPANY)).all()
    return _Scope(tuple(paths), bool(roots), tuple(companies), frozenset(codes))


def _sum_under(found: Contributions, prefix: str) -> int:
    return sum(amount for path, amount in found.items() if path.startswith(prefix))


def _progress(
    session: Session, plan: TargetPlan, target: Target, scope: _Scope,
    known: Contributions | None = None,
) -> Progress:  # fmt: skip
    problems = tuple(
        plan.locate(target, "split", code, message=Message(UNKNOWN_COMPANY, code=code))
        for code in target.split
        if code not in scope.company_codes
    )
    try:
        found = known if known is not None else contributions(session, target, scope.paths)
    except SourceUnavailable as exc:
        return Progress(target, Share(0, None), unavailable=str(exc), problems=problems)
    companies = tuple(
        Share(_sum_under(found, company.path), target.split.get(company.code), company)
        for company in scope.companies
    )
    if scope.whole:
        goal: int | None = target.number
    elif target.split and scope.companies:
        goal = sum(target.split.get(company.code, 0) for company in scope.companies) or None
    else:
        goal = None
    total = sum(found.values())
    return Progress(
        target, Share(total, goal), companies,
        outside_companies=total - sum(share.done for share in companies),
        whole=scope.whole, problems=problems,
    )  # fmt: skip


def progress(
    session: Session, plan: TargetPlan, paths: Sequence[str], keys: Sequence[str] | None = None,
    known: Mapping[str, Contributions] | None = None,
) -> list[Progress]:  # fmt: skip
    """Every target's progress (or those named in `keys`) inside the subtrees `paths`.

    `known` holds contributions the caller has already read (by target key), so a page
    that also lists a source's evidence does not read it twice.
    """
    scope = _scope(session, paths)
    targets = [t for t in plan.targets if keys is None or t.key in keys]
    known = known or {}
    return [_progress(session, plan, target, scope, known.get(target.key)) for target in targets]
