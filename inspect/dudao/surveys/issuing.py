"""Issuing invitations and open links: generated, and replaced when lost.

Invitations are generated as a number per unit, not per roster member: the
database never pairs a person with an invitation (docs/anonymity.md). The
plain tokens and codes exist only in the return value, shown once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.core.errors import N_, Message, ValidationError
from dudao.surveys import queries
from dudao.surveys.models import Campaign, CampaignState, Invitation, OpenLink
from dudao.surveys.tokens import hash_code, hash_token, new_code, new_token

#: Why a closed campaign issues no more links or codes.
CLOSED = Message(N_("The campaign is closed."))


@dataclass(frozen=True)
class IssuedInvitation:
    """A plain link token and code, returned once and never stored."""

    unit_code: str
    unit_name: str
    token: str
    code: str


@dataclass(frozen=True)
class IssuedOpenLink:
    unit_code: str
    unit_name: str
    token: str
    cap: int


def generate_invitations(
    session: Session, actor: Any, campaign: Campaign
) -> list[IssuedInvitation]:
    """Top up each answering unit to one invitation per active roster member.

    Idempotent in count: a second call issues only for members added since.
    """
    if campaign.state == CampaignState.CLOSED:
        raise ValidationError(CLOSED)
    units = queries.answering_units(session, campaign)
    roster = queries.roster_counts(session, [u.id for u in units])
    issued_counts = queries.issued_counts(session, campaign.id)
    issued: list[IssuedInvitation] = []
    for unit in units:
        for _n in range(roster.get(unit.id, 0) - issued_counts.get(unit.id, 0)):
            token, code = new_token(), new_code()
            session.add(
                Invitation(
                    campaign_id=campaign.id,
                    unit_id=unit.id,
                    token_hash=hash_token(token),
                    code_hash=hash_code(code),
                )
            )
            issued.append(IssuedInvitation(unit.code, unit.name, token, code))
    session.flush()
    if issued:
        per_unit: dict[str, int] = {}
        for entry in issued:
            per_unit[entry.unit_code] = per_unit.get(entry.unit_code, 0) + 1
        record(
            session,
            actor,
            "survey.invitations_generated",
            "survey_campaign",
            campaign.id,
            None,
            {"per_unit": per_unit},
        )
    return issued


def create_open_links(session: Session, actor: Any, campaign: Campaign) -> list[IssuedOpenLink]:
    """One shared link for each answering unit that has a headcount and no link yet."""
    if campaign.state == CampaignState.CLOSED:
        raise ValidationError(CLOSED)
    existing = set(
        session.scalars(select(OpenLink.unit_id).where(OpenLink.campaign_id == campaign.id))
    )
    issued: list[IssuedOpenLink] = []
    for unit in queries.answering_units(session, campaign):
        if unit.id in existing or not unit.headcount:
            continue
        token = new_token()
        session.add(
            OpenLink(
                campaign_id=campaign.id,
                unit_id=unit.id,
                token_hash=hash_token(token),
                cap=unit.headcount,
            )
        )
        issued.append(IssuedOpenLink(unit.code, unit.name, token, unit.headcount))
    session.flush()
    if issued:
        record(
            session,
            actor,
            "survey.open_links_created",
            "survey_campaign",
            campaign.id,
            None,
            {"units": [i.unit_code for i in issued]},
        )
    return issued
