"""Reads for survey pages: campaigns in scope, answering units, counts (set-based)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from dudao.core.database import utcnow
from dudao.org.models import Unit
from dudao.org.queries import in_tree_order, subtree, within
from dudao.surveys.campaign_tree import campaign_tree
from dudao.surveys.models import (
    Campaign,
    CampaignState,
    CampaignUnit,
    Invitation,
    OpenLink,
    PendingResponse,
    RosterMember,
)


def campaigns_in_scope(session: Session, paths: Sequence[str]) -> Sequence[Campaign]:
    """Campaigns whose whole scope lies inside the viewer's subtrees, newest first."""
    return session.scalars(
        select(Campaign)
        .join(Unit, Unit.id == Campaign.scope_unit_id)
        .where(within(paths))
        .order_by(Campaign.id.desc())
    ).all()


def covering_or_within(unit: Unit) -> ColumnElement[bool]:
    """Campaigns put to `unit` (their tree holds it; a draft's scope lies above it today) or
    whose scope lies inside its subtree (`within` reads the scope: join it as `Unit`)."""
    put_to = select(CampaignUnit.campaign_id).where(CampaignUnit.unit_id == unit.id)
    draft_above = and_(
        Campaign.state == CampaignState.DRAFT, Campaign.scope_unit_id.in_(unit.ancestor_ids)
    )
    return or_(Campaign.id.in_(put_to), draft_above, within([unit.path]))


def answering_units(session: Session, campaign: Campaign) -> list[Unit]:
    """The units whose members answer, limited to the campaign's levels, in tree order:
    while answers can come, the active units of the scope as it stands (issuing reads
    them); once the campaign is over, those of its tree that are active or were invited."""
    levels = set(campaign.levels or [])
    if campaign.is_over(utcnow()):
        units, tree = campaign_tree(session, campaign)
        reached = (
            issued_counts(session, campaign.id).keys() | open_link_caps(session, campaign.id).keys()
        )
        listed = [units[u] for u in tree.preorder() if units[u].active or u in reached]
    else:
        scope = session.get(Unit, campaign.scope_unit_id)
        assert scope is not None
        listed = in_tree_order(subtree(session, scope, include_inactive=False))
    return [u for u in listed if not levels or str(u.level) in levels]


def roster_counts(
    session: Session, unit_ids: Sequence[int], with_email: bool = False
) -> dict[int, int]:
    """Active roster members per unit (only those with an e-mail address if `with_email`)."""
    if not unit_ids:
        return {}
    query = select(RosterMember.unit_id, func.count(RosterMember.id)).where(
        RosterMember.unit_id.in_(list(unit_ids)), RosterMember.active.is_(True)
    )
    if with_email:
        query = query.where(RosterMember.email.is_not(None), RosterMember.email != "")
    return dict(session.execute(query.group_by(RosterMember.unit_id)).all())


def issued_counts(session: Session, campaign_id: int) -> dict[int, int]:
    """Invitations (slips and e-mailed links) per unit."""
    return dict(
        session.execute(
            select(Invitation.unit_id, func.count(Invitation.id))
            .where(Invitation.campaign_id == campaign_id)
            .group_by(Invitation.unit_id)
        ).all()
    )


def open_link_caps(session: Session, campaign_id: int) -> dict[int, int]:
    return dict(
        session.execute(
            select(OpenLink.unit_id, OpenLink.cap).where(OpenLink.campaign_id == campaign_id)
        ).all()
    )


def removed_links(session: Session, campaign_id: int) -> set[int]:
    """The units whose open link was removed after it took answers (no token left)."""
    found = select(OpenLink.unit_id).where(
        OpenLink.campaign_id == campaign_id, OpenLink.token_hash.is_(None)
    )
    return set(session.scalars(found))


def invited_counts(session: Session, campaign_id: int) -> dict[int, int]:
    """People who could answer, per unit: its invitations or its open link's cap, whichever
    is more. They are the same people reached two ways: adding them counted each twice."""
    counts = issued_counts(session, campaign_id)
    for unit_id, cap in open_link_caps(session, campaign_id).items():
        counts[unit_id] = max(counts.get(unit_id, 0), cap)
    return counts


def sharing_people(
    units: Sequence[Unit], held: Mapping[int, int]
) -> dict[int, list[tuple[Unit, int]]]:
    """For each of `units`, those among them holding something in `held` ({unit id: its
    invitations or its open link's cap}) whose people are also its people: itself, a unit
    above it or one below. A unit's headcount counts its whole subtree, and a roster does not
    say in which unit below a member of a unit above works, so slips and a shared link on
    one line would let the same person answer twice."""
    holders = [u for u in units if held.get(u.id)]
    found: dict[int, list[tuple[Unit, int]]] = {}
    for unit in units:
        for holder in holders:
            if on_one_line(unit, holder):
                found.setdefault(unit.id, []).append((holder, held[holder.id]))
    return found


def on_one_line(unit: Unit, other: Unit) -> bool:
    """The same unit, or one above the other: their headcounts share people."""
    return other.path.startswith(unit.path) or unit.path.startswith(other.path)


def pending_count(session: Session, campaign_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(PendingResponse)
            .where(PendingResponse.campaign_id == campaign_id)
        )
        or 0
    )
