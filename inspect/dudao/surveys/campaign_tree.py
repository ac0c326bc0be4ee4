"""The tree a campaign's answers are grouped by: fixed when the campaign opens.

Grouped by the organisation as it is today, a unit moved out of a campaign's scope after
its results were shown took exactly its answers out of every figure above it, and the
two reports side by side gave a hidden group's answers one by one. So the campaign keeps
the tree of the day it opened (`CampaignUnit`); a unit invited later joins it under its
parent of that day, and nothing done to the organisation afterwards moves an answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import takewhile

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.org.models import Unit
from dudao.org.queries import subtree
from dudao.surveys.models import Campaign, CampaignUnit
from dudao.surveys.suppression import Tree


def fix_tree(session: Session, campaign: Campaign) -> None:
    """Keep the scope's subtree as it stands (inactive units too: their answers count)."""
    scope = session.get(Unit, campaign.scope_unit_id)
    assert scope is not None
    _add(session, campaign, subtree(session, scope), root=scope.id)


def join_tree(session: Session, campaign: Campaign, units: Iterable[Unit]) -> None:
    """Add units invited after the tree was fixed (new, or moved into the scope since), each
    with its ancestors up to the first one already in the tree."""
    kept = _parents(session, campaign.id)
    if not kept:
        return  # not fixed yet: the whole subtree is kept when the campaign opens
    joining: set[int] = set()
    for unit in units:
        chain = unit.ancestor_ids[::-1]  # the unit, its parent, … the root
        missing = list(takewhile(lambda unit_id: unit_id not in kept, chain))
        if len(missing) < len(chain):  # it reaches the tree (issuing offers no other)
            joining.update(missing)
    if joining:
        found = session.scalars(select(Unit).where(Unit.id.in_(joining)))
        _add(session, campaign, found, root=campaign.scope_unit_id)


def campaign_tree(session: Session, campaign: Campaign) -> tuple[dict[int, Unit], Tree]:
    """The campaign's units by id and its tree (siblings by code); before the campaign has
    opened, the scope's subtree as it stands."""
    kept = session.execute(
        select(Unit, CampaignUnit.parent_id)
        .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == campaign.id)
    ).all()
    units = {unit.id: unit for unit, _parent in kept}
    parents = {unit.id: parent for unit, parent in kept}
    if not kept:
        scope = session.get(Unit, campaign.scope_unit_id)
        assert scope is not None
        units = {u.id: u for u in subtree(session, scope)}
        parents = {u.id: u.parent_id if u.id != scope.id else None for u in units.values()}
    children: dict[int, list[int]] = {}
    for unit in sorted(units.values(), key=lambda u: u.code):
        parent = parents[unit.id]
        if unit.id != campaign.scope_unit_id and parent in units:
            children.setdefault(parent, []).append(unit.id)
    return units, Tree(campaign.scope_unit_id, children)


def _parents(session: Session, campaign_id: int) -> dict[int, int | None]:
    rows = session.execute(
        select(CampaignUnit.unit_id, CampaignUnit.parent_id).where(
            CampaignUnit.campaign_id == campaign_id
        )
    )
    return {unit_id: parent_id for unit_id, parent_id in rows}


def _add(session: Session, campaign: Campaign, units: Iterable[Unit], *, root: int) -> None:
    session.add_all(
        CampaignUnit(
            campaign_id=campaign.id,
            unit_id=unit.id,
            parent_id=None if unit.id == root else unit.parent_id,
        )
        for unit in units
    )
    session.flush()
