"""Answering: find what a token or code opens, and record one answer anonymously.

Nothing here writes an audit event, a log line with the token, or a time. The
invitation's `used` flag and the pending answer are written in one transaction,
so an answer is never lost nor counted twice; the pending row carries no
reference to the invitation and moves into `survey_response` in a shuffled
batch (surveys/batches.py, docs/anonymity.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dudao.core.database import utcnow
from dudao.definitions.queries import pinned
from dudao.definitions.spec import ItemType
from dudao.surveys.models import Campaign, Invitation, OpenLink, PendingResponse
from dudao.surveys.tokens import hash_code, hash_token


@dataclass(frozen=True)
class Ticket:
    """What a valid token or code opens: a campaign and unit, through one credential."""

    campaign: Campaign
    unit_id: int
    invitation_id: int | None = None
    open_link_id: int | None = None

    @property
    def is_open_link(self) -> bool:
        return self.open_link_id is not None


class Refused(Exception):
    """Unknown, used, expired or full: deliberately one reason for all of them."""


class NotYetOpen(Refused):
    """A valid credential of a campaign not open yet: its member is told when it opens, not
    that the link is dead. That tells nothing a guesser can use: a token is 128 random bits,
    and a code has to be found first (rate limited), then simply works once it opens."""

    def __init__(self, campaign: Campaign) -> None:
        super().__init__()
        self.campaign = campaign


class Ended(Refused):
    """A valid, unspent credential of a campaign that is over: answers sent with it are
    told plainly that they were not recorded because it ended (a spent one stays Refused:
    the answers may be the ones it took, sent twice)."""


def _usable(campaign: Campaign | None) -> Campaign:
    now = utcnow()
    if campaign is None:
        raise Refused
    if campaign.is_over(now):
        raise Ended
    if not campaign.is_open(now):
        raise NotYetOpen(campaign)
    return campaign


def ticket_for_token(session: Session, token: str) -> Ticket:
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    )
    if invitation is None or invitation.used:
        raise Refused
    campaign = _usable(session.get(Campaign, invitation.campaign_id))
    return Ticket(campaign, invitation.unit_id, invitation_id=invitation.id)


def ticket_for_code(session: Session, code: str) -> Ticket:
    invitation = session.scalar(select(Invitation).where(Invitation.code_hash == hash_code(code)))
    if invitation is None or invitation.used:
        raise Refused
    campaign = _usable(session.get(Campaign, invitation.campaign_id))
    return Ticket(campaign, invitation.unit_id, invitation_id=invitation.id)


def ticket_for_open_link(session: Session, token: str) -> Ticket:
    link = session.scalar(select(OpenLink).where(OpenLink.token_hash == hash_token(token)))
    if link is None or link.used_count >= link.cap:
        raise Refused
    campaign = _usable(session.get(Campaign, link.campaign_id))
    return Ticket(campaign, link.unit_id, open_link_id=link.id)


def submit_answer(session: Session, ticket: Ticket, answers: dict[str, Any]) -> None:
    """Spend the credential and store the validated answers as a pending response.

    The conditional UPDATE is the one-response guarantee: of two concurrent
    submissions with one invitation exactly one changes a row. The caller commits.
    """
    if ticket.invitation_id is not None:
        spent = session.execute(
            update(Invitation)
            .where(Invitation.id == ticket.invitation_id, Invitation.used.is_(False))
            .values(used=True)
            .execution_options(synchronize_session=False)
        )
    else:
        spent = session.execute(
            update(OpenLink)
            .where(
                OpenLink.id == ticket.open_link_id,
                OpenLink.used_count < OpenLink.cap,
                OpenLink.token_hash.is_not(None),  # removed meanwhile: takes nothing more
            )
            .values(used_count=OpenLink.used_count + 1)
            .execution_options(synchronize_session=False)
        )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise Refused
    # A photo answer is its file names ("张三_IMG_20261128_093512.jpg": a name, a time) and
    # no photo is kept: never stored, though definitions with photos are refused for members.
    definition = pinned(session, ticket.campaign.definition_version_id)
    photos = {item.key for item in definition.items if item.type == ItemType.PHOTO}
    session.add(
        PendingResponse(
            id=str(uuid.uuid4()),
            campaign_id=ticket.campaign.id,
            unit_id=ticket.unit_id,
            answers={key: value for key, value in answers.items() if key not in photos},
        )
    )
    session.flush()
