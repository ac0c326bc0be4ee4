"""Issuing invitations and open links: generated, replaced when lost, and an open link
removed.

Invitations are generated as a number per unit, not per roster member: the
database never pairs a person with an invitation (docs/anonymity.md). The
plain tokens and codes exist only in the return value, shown once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.core.errors import N_, Message, ValidationError
from dudao.org.models import Unit
from dudao.surveys import queries
from dudao.surveys.campaign_tree import join_tree
from dudao.surveys.models import Campaign, CampaignState, Invitation, OpenLink
from dudao.surveys.queries import on_one_line
from dudao.surveys.tokens import hash_code, hash_token, new_code, new_token

#: Why a closed campaign issues no more links or codes.
CLOSED = Message(N_("The campaign is closed."))
NO_INVITATIONS = Message(N_("This unit has no invitations in this campaign."))
ALL_USED = Message(N_("Every invitation of this unit has been used: there is nothing to replace."))
NO_LINK = Message(N_("This unit has no open link in this campaign."))
LINK_FULL = Message(
    N_("This unit's open link has taken as many answers as its cap: there is nothing to replace.")
)


@dataclass(frozen=True)
class _IssuedToken:
    """A plain token for a unit, returned once and never stored; the unit, not its name,
    so that the page names it in its reader's language."""

    unit: Unit
    token: str

    @property
    def unit_code(self) -> str:
        return self.unit.code


@dataclass(frozen=True)
class IssuedInvitation(_IssuedToken):
    """A link token and its slip code."""

    code: str


@dataclass(frozen=True)
class IssuedOpenLink(_IssuedToken):
    """An open link's token; `cap` is the answers it takes (for a replaced link, those
    left under the link's cap)."""

    cap: int


@dataclass(frozen=True)
class Skipped:
    """A unit given nothing, and why: the units on its line (itself, above or below) whose
    other kind of credential already reaches its people, with their invitations or cap;
    none for a unit that has no headcount for an open link."""

    unit: Unit
    reached_by: list[tuple[Unit, int]]
    by_links: bool = False  # reached by another open link, not by invitations


T = TypeVar("T", IssuedInvitation, IssuedOpenLink)


@dataclass(frozen=True)
class Issued(Generic[T]):
    """What one request issued (shown once), and the units it left out."""

    rows: list[T] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _refuse_closed(campaign: Campaign) -> None:
    if campaign.state == CampaignState.CLOSED:
        raise ValidationError(CLOSED)


def _answering(session: Session, campaign: Campaign) -> list[Unit]:
    """The units to issue for, as the scope stands: those added since the campaign opened
    join its tree (campaign_tree.py)."""
    units = queries.answering_units(session, campaign)
    join_tree(session, campaign, units)
    return units


def generate_invitations(
    session: Session, actor: Any, campaign: Campaign
) -> Issued[IssuedInvitation]:
    """Top up each answering unit to one invitation per active roster member, except a unit
    an open link reaches (its own, or one above or below it): its members could answer twice.

    Idempotent in count: a second call issues only for members added since.
    """
    _refuse_closed(campaign)
    units = _answering(session, campaign)
    roster = queries.roster_counts(session, [u.id for u in units])
    issued_counts = queries.issued_counts(session, campaign.id)
    links = queries.sharing_people(units, queries.open_link_caps(session, campaign.id))
    result: Issued[IssuedInvitation] = Issued()
    for unit in units:
        missing = roster.get(unit.id, 0) - issued_counts.get(unit.id, 0)
        if missing > 0 and unit.id in links:
            result.skipped.append(Skipped(unit, links[unit.id]))
        elif missing > 0:
            result.rows.extend(_new_invitations(session, campaign, unit, missing))
    session.flush()
    if result.rows:
        per_unit: dict[str, int] = {}
        for entry in result.rows:
            per_unit[entry.unit_code] = per_unit.get(entry.unit_code, 0) + 1
        record(session, actor, "survey.invitations_generated", "survey_campaign", campaign.id,
               None, {"per_unit": per_unit})  # fmt: skip
    return result


def _new_invitations(
    session: Session, campaign: Campaign, unit: Unit, count: int
) -> list[IssuedInvitation]:
    issued = []
    for _n in range(count):
        token, code = new_token(), new_code()
        digest, code_digest = hash_token(token), hash_code(code)
        session.add(Invitation(campaign_id=campaign.id, unit_id=unit.id, token_hash=digest,
                               code_hash=code_digest))  # fmt: skip
        issued.append(IssuedInvitation(unit, token, code))
    return issued


def create_open_links(session: Session, actor: Any, campaign: Campaign) -> Issued[IssuedOpenLink]:
    """One shared link for each answering unit that has a headcount and no link yet, except
    a unit whose people hold invitations or another link (its own, or a unit's above or
    below it). The deepest units come first, so a unit's branches get the links and results
    per branch, and the unit above them is left out."""
    _refuse_closed(campaign)
    units = _answering(session, campaign)
    links = dict(queries.open_link_caps(session, campaign.id))
    slips = queries.sharing_people(units, queries.issued_counts(session, campaign.id))
    result: Issued[IssuedOpenLink] = Issued()
    for unit in sorted(units, key=lambda u: (-u.path.count("/"), u.path)):
        if unit.id in links:
            continue
        if unit.id in slips or not unit.headcount:
            result.skipped.append(Skipped(unit, slips.get(unit.id, [])))
            continue
        linked = [(u, links[u.id]) for u in units if u.id in links and on_one_line(unit, u)]
        if linked:
            result.skipped.append(Skipped(unit, linked, by_links=True))
            continue
        token = new_token()
        session.add(OpenLink(campaign_id=campaign.id, unit_id=unit.id,
                             token_hash=hash_token(token), cap=unit.headcount))  # fmt: skip
        links[unit.id] = unit.headcount
        result.rows.append(IssuedOpenLink(unit, token, unit.headcount))
    in_tree_order = {unit.code: index for index, unit in enumerate(units)}
    result.rows.sort(key=lambda row: in_tree_order[row.unit_code])
    result.skipped.sort(key=lambda skip: in_tree_order[skip.unit.code])
    session.flush()
    if result.rows:
        record(session, actor, "survey.open_links_created", "survey_campaign", campaign.id,
               None, {"units": [i.unit_code for i in result.rows]})  # fmt: skip
    return result


def replace_invitations(
    session: Session, actor: Any, campaign: Campaign, unit: Unit
) -> list[IssuedInvitation]:
    """Void a unit's unused invitations and issue as many new ones, shown once: for slips or
    links lost before they were handed out (only hashes are stored, so they cannot be shown
    again). Used ones stay as they are, so the unit's invitations, its people invited, keep
    their number and no answer is touched; the flag says nothing about which answer."""
    _refuse_closed(campaign)
    if not queries.issued_counts(session, campaign.id).get(unit.id):
        raise ValidationError(NO_INVITATIONS)
    unused = (Invitation.campaign_id == campaign.id, Invitation.unit_id == unit.id,
              Invitation.used.is_(False))  # fmt: skip
    deleted = session.execute(
        delete(Invitation).where(*unused).execution_options(synchronize_session=False)
    )
    voided: int = deleted.rowcount  # type: ignore[attr-defined]
    if not voided:
        raise ValidationError(ALL_USED)
    issued = _new_invitations(session, campaign, unit, voided)
    session.flush()
    record(session, actor, "survey.invitations_replaced", "survey_campaign", campaign.id, None,
           {"per_unit": {unit.code: voided}})  # fmt: skip
    return issued


def remove_open_link(session: Session, actor: Any, campaign: Campaign, unit: Unit) -> int:
    """Stop a unit's open link; returns the answers it took, which stay counted.

    A link that took no answer goes (one statement, so an answer at that moment either
    counts first or finds it gone): the unit and its line are free for invitations or a new
    link. A link that took answers keeps its row without a token: nothing answers through
    it, and its cap still reaches the unit's people, so slips stay refused on its line (those
    who answered could answer again with a slip) and "Replace" can give it a new token for
    what is left under the cap."""
    _refuse_closed(campaign)
    link = session.scalar(
        select(OpenLink).where(OpenLink.campaign_id == campaign.id, OpenLink.unit_id == unit.id)
    )
    if link is None or link.token_hash is None:
        raise ValidationError(NO_LINK)
    unanswered = (OpenLink.id == link.id, OpenLink.used_count == 0)
    gone = session.execute(
        delete(OpenLink).where(*unanswered).execution_options(synchronize_session=False)
    )
    answered = 0
    if gone.rowcount:  # type: ignore[attr-defined]
        session.expunge(link)
    else:
        session.refresh(link)
        link.token_hash, answered = None, link.used_count
    session.flush()
    record(session, actor, "survey.open_link_removed", "survey_campaign", campaign.id, None,
           {"units": [unit.code]})  # fmt: skip
    return answered


def replace_open_link(
    session: Session, actor: Any, campaign: Campaign, unit: Unit
) -> IssuedOpenLink:
    """A new token for a unit's open link, the old one void (its posters with it), or for
    one removed after it took answers. The answers it took stay counted against its cap:
    the new link takes what is left."""
    _refuse_closed(campaign)
    link = session.scalar(
        select(OpenLink).where(OpenLink.campaign_id == campaign.id, OpenLink.unit_id == unit.id)
    )
    if link is None:
        raise ValidationError(NO_LINK)
    if link.used_count >= link.cap:
        raise ValidationError(LINK_FULL)
    token = new_token()
    link.token_hash = hash_token(token)
    session.flush()
    record(session, actor, "survey.open_link_replaced", "survey_campaign", campaign.id, None,
           {"units": [unit.code]})  # fmt: skip
    return IssuedOpenLink(unit, token, link.cap - link.used_count)
