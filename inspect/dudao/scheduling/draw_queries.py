"""Reads for the draw pages: lists within a scope, and one draw with its units, people, states."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import Session, defer

from dudao.auth.models import User
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import ReviewState, Submission
from dudao.org.models import Unit
from dudao.scheduling.models import SpotCheckDraw

#: Inspection states after which a published draw shows the result.
DONE_STATES = ("approved", "closed")


def scope_path() -> ColumnElement[str]:
    """The draw's scope unit path, read from the stored inputs (JSON path, both databases)."""
    return SpotCheckDraw.inputs[("scope", "path")].as_string()


def draws_inside(session: Session, paths: Sequence[str]) -> list[tuple[SpotCheckDraw, Unit]]:
    """Draws whose scope lies inside one of `paths` (an office's MANAGE_DRAWS scope)."""
    condition = or_(*(scope_path().startswith(p) for p in paths)) if paths else false()
    return _list(session, select(SpotCheckDraw).where(condition))


def published_overlapping(
    session: Session, paths: Sequence[str]
) -> list[tuple[SpotCheckDraw, Unit]]:
    """Published draws whose scope is inside a viewer's subtree or contains part of it."""
    conditions = [scope_path().startswith(p) for p in paths]
    # The draw's scope is an ancestor of (or equal to) the viewer's unit: test each ancestor.
    prefixes = sorted({p[: i + 1] for p in paths for i, c in enumerate(p) if c == "/" and i})
    conditions += [scope_path().in_(prefixes)] if prefixes else []
    query = select(SpotCheckDraw).where(
        SpotCheckDraw.published.is_(True), or_(false(), *conditions)
    )
    return _list(session, query)


def strata(session: Session, draw: SpotCheckDraw) -> dict[str, Unit]:
    """The companies a stratified draw allocated to, by code (a reader outside the office
    knows them by name)."""
    codes = [row["stratum"] for row in draw.result.get("allocation", []) if row["stratum"]]
    return {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(codes)))}


def _list(session: Session, query: Select) -> list[tuple[SpotCheckDraw, Unit]]:
    """(draw, its scope) pairs, newest first; the large inputs stay in the database."""
    scope = SpotCheckDraw.inputs[("scope", "id")].as_integer()
    query = query.add_columns(Unit).join(Unit, Unit.id == scope)
    listed = session.execute(
        query.options(defer(SpotCheckDraw.inputs)).order_by(SpotCheckDraw.id.desc())
    )
    return [(draw, unit) for draw, unit in listed]


def _score(scores: dict[int, Submission], inspection: Inspection | None) -> Submission | None:
    return scores.get(inspection.id) if inspection is not None else None


@dataclass(frozen=True)
class DrawnRow:
    unit: Unit
    stratum: str
    inspectors: list[User]
    inspection: Inspection | None
    score: Submission | None  # the latest approved submission, once there is one


def drawn_rows(session: Session, draw: SpotCheckDraw) -> list[DrawnRow]:
    """The selected units in drawing order with inspectors, inspection and score (4 queries)."""
    selected = draw.result["selected"]
    units = {u.id: u for u in session.scalars(select(Unit).where(
        Unit.id.in_([row["unit_id"] for row in selected])))}  # fmt: skip
    people = {u.id: u for u in session.scalars(select(User).where(
        User.id.in_({i for row in selected for i in row["inspector_ids"]})))}  # fmt: skip
    inspections = {i.unit_id: i for i in session.scalars(
        select(Inspection).where(Inspection.draw_id == draw.id))}  # fmt: skip
    approved = session.scalars(
        select(Submission)
        .join(Inspection, Inspection.id == Submission.inspection_id)
        .where(Inspection.draw_id == draw.id, Submission.review_state == ReviewState.APPROVED)
        .order_by(Submission.submitted_at, Submission.id)
    )
    scores = {submission.inspection_id: submission for submission in approved}  # latest wins
    return [
        DrawnRow(
            units[row["unit_id"]],
            row["stratum"],
            [people[i] for i in row["inspector_ids"] if i in people],
            inspections.get(row["unit_id"]),
            _score(scores, inspections.get(row["unit_id"])),
        )
        for row in selected
        if row["unit_id"] in units
    ]
