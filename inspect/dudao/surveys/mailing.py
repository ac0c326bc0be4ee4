"""E-mail invitation links to roster members who have an address (docs/anonymity.md).

For each answering unit, in one transaction: as many new invitations as members to
mail (inserted in a random order), and one "sent" mark per member
(`InvitationMailing`: campaign and member, nothing else). The links exist only in
memory and in the e-mails; which member got which link is decided by a shuffle and
recorded nowhere. A mark is what makes the job idempotent: a member is mailed at most
once per campaign. A refused e-mail gives its mark back and deletes its (unused)
invitation, so the next run sends it. Tokens are never logged.

E-mailed invitations count towards the unit's roster like slips: e-mail first, then
"Generate invitations" tops the unit up for the members without an address. Like slips,
they are not sent to a unit an open link already reaches.

Asking to e-mail the links marks the campaign (`request_mailing`: the site address the
links point to); the periodic sweep (`finish_mailings`) then sends what is still due for
every open, marked campaign, so a worker that died half-way loses nothing and members
added to the roster later get their link too.
"""

from __future__ import annotations

import logging
import random
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from dudao.audit.services import record
from dudao.config import Settings
from dudao.core.database import transaction, utcnow
from dudao.core.errors import N_, Message, ValidationError
from dudao.notifications.mail import smtp_connect
from dudao.org.models import Unit
from dudao.surveys import queries
from dudao.surveys.campaign_tree import join_tree
from dudao.surveys.models import (
    Campaign,
    CampaignState,
    Invitation,
    InvitationMailing,
    RosterMember,
    closing_moment,
)
from dudao.surveys.tokens import hash_code, hash_token, new_code, new_token

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Letter:
    member_id: int
    address: str
    token: str


def due(session: Session, campaign: Campaign) -> dict[int, list[tuple[int, str]]]:
    """{unit id: [(member id, address)]}: active members with an address not yet mailed,
    at most as many per unit as it has roster places without an invitation; none in a unit
    an open link reaches (its own, or one above or below it), as for slips."""
    answering = queries.answering_units(session, campaign)
    linked = queries.sharing_people(answering, queries.open_link_caps(session, campaign.id))
    units = [u.id for u in answering if u.id not in linked]
    roster = queries.roster_counts(session, units)
    issued = queries.issued_counts(session, campaign.id)
    mailed = select(InvitationMailing.member_id).where(InvitationMailing.campaign_id == campaign.id)
    result: dict[int, list[tuple[int, str]]] = {}
    for member_id, unit_id, address in session.execute(
        select(RosterMember.id, RosterMember.unit_id, RosterMember.email)
        .where(RosterMember.unit_id.in_(units), RosterMember.active.is_(True),
               RosterMember.email.is_not(None), RosterMember.email != "",
               RosterMember.id.not_in(mailed))
        .order_by(RosterMember.unit_id, RosterMember.id)
    ):  # fmt: skip
        places = roster.get(unit_id, 0) - issued.get(unit_id, 0)
        if len(result.get(unit_id, [])) < places:
            result.setdefault(unit_id, []).append((member_id, address))
    return result


def _issue(session: Session, campaign: Campaign, unit_id: int,
           members: list[tuple[int, str]]) -> list[Letter]:  # fmt: skip
    """Invitations for `members` (random insert order) and their marks; the caller commits."""
    join_tree(session, campaign, [session.get_one(Unit, unit_id)])
    chance = random.SystemRandom()
    tokens = [new_token() for _ in members]
    for token in chance.sample(tokens, len(tokens)):  # no code: a mailed link has no slip
        digest, code = hash_token(token), hash_code(new_code())
        session.add(Invitation(campaign_id=campaign.id, unit_id=unit_id, token_hash=digest,
                               code_hash=code))  # fmt: skip
    session.add_all(InvitationMailing(campaign_id=campaign.id, member_id=m) for m, _a in members)
    session.flush()
    chance.shuffle(tokens)
    return [Letter(m, address, t) for (m, address), t in zip(members, tokens, strict=True)]


@dataclass(frozen=True)
class _About:
    title: str
    period_label: str
    closes_at: Any


def _message(settings: Settings, campaign: _About, letter: Letter, base_url: str) -> EmailMessage:
    link = f"{base_url.rstrip('/')}/s/{letter.token}"
    day, clock = closing_moment(campaign.closes_at, settings.tz)
    closes = f"{day.isoformat()} {clock}"
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = letter.address
    message["Subject"] = f"问卷邀请 / Questionnaire invitation: {campaign.title}"
    message.set_content(
        f"您好！\n\n诚邀您参加匿名问卷测评“{campaign.title}”（{campaign.period_label}），"
        f"截止时间 {closes}。\n请通过下面的专属链接作答（只能使用一次，请勿转发）：\n\n{link}\n\n"
        "本问卷匿名填写：系统只记录这个链接是否已经使用，不记录您的答案与您的姓名、邮箱"
        "或这个链接之间的任何关联。\n\n"
        f"You are invited to the anonymous questionnaire “{campaign.title}” (closes {closes}). "
        "Answer through your personal link above; it works once, please do not forward it. "
        "The system records only whether the link has been used, never which answers came "
        "through it.\n"
    )
    return message


def send_invitations(
    factory: sessionmaker[Session], settings: Settings, campaign_id: int, base_url: str
) -> dict[str, Any]:
    """Mail every member still due, unit by unit; returns counts (never tokens)."""
    if not settings.smtp_url:
        return {"sent": 0, "failed": 0, "reason": "no SMTP server configured"}
    with factory() as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.state != CampaignState.OPEN or campaign.is_over(utcnow()):
            return {"sent": 0, "failed": 0, "reason": "the campaign is not open"}
        about = _About(campaign.title, campaign.period_label, campaign.closes_at)
        work = due(session, campaign)
    if not work:
        return {"sent": 0, "failed": 0}
    try:
        client = smtp_connect(settings.smtp_url)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP server unreachable (%s); invitations wait for the next run.", exc)
        return {"sent": 0, "failed": 0, "reason": "SMTP server unreachable"}
    sent: dict[str, int] = {}
    failed = 0
    with client:
        for unit_id, members in work.items():
            try:
                with transaction(factory) as session:
                    campaign = session.get(Campaign, campaign_id)
                    assert campaign is not None
                    letters = _issue(session, campaign, unit_id, members)
                    code = session.scalar(select(Unit.code).where(Unit.id == unit_id)) or ""
            except IntegrityError:  # another run marked some of these members first
                continue
            refused: list[Letter] = []
            for letter in letters:
                try:
                    client.send_message(_message(settings, about, letter, base_url))
                except (OSError, smtplib.SMTPException) as exc:
                    log.warning("An invitation e-mail in unit %s was refused: %s", code, exc)
                    refused.append(letter)
            if refused:
                _give_back(factory, campaign_id, refused)
            failed += len(refused)
            if len(letters) > len(refused):
                sent[code] = len(letters) - len(refused)
    if sent:
        with transaction(factory) as session:
            record(session, None, "survey.invitations_emailed", "survey_campaign", campaign_id,
                   None, {"per_unit": sent})  # fmt: skip
    return {"sent": sum(sent.values()), "failed": failed}


def request_mailing(session: Session, actor: Any, campaign: Campaign, base_url: str) -> None:
    """Mark an open campaign for e-mailing with links to `base_url` (audited); the caller
    commits, then enqueues `send_invitations` (the sweep would send them too, later)."""
    if campaign.state != CampaignState.OPEN:
        raise ValidationError(Message(N_("Links can be e-mailed while the campaign is open.")))
    if campaign.mailing_base_url != base_url:
        before = {"mailing_base_url": campaign.mailing_base_url}
        campaign.mailing_base_url = base_url
        session.flush()
        record(session, actor, "survey.mailing_requested", "survey_campaign", campaign.id,
               before, {"mailing_base_url": base_url})  # fmt: skip


def finish_mailings(factory: sessionmaker[Session], settings: Settings) -> dict[str, int]:
    """Send what is still due for every open campaign the office asked to e-mail; as
    idempotent as `send_invitations` (a member is mailed at most once per campaign)."""
    with factory() as session:
        marked = session.execute(
            select(Campaign.id, Campaign.mailing_base_url).where(
                Campaign.state == CampaignState.OPEN,
                Campaign.mailing_base_url.is_not(None),
                Campaign.closes_at > utcnow(),
            )
        ).all()
    totals = {"campaigns": len(marked), "sent": 0, "failed": 0}
    for campaign_id, base_url in marked:
        result = send_invitations(factory, settings, campaign_id, base_url)
        totals["sent"] += result["sent"]
        totals["failed"] += result["failed"]
    return totals


def _give_back(factory: sessionmaker[Session], campaign_id: int, refused: list[Letter]) -> None:
    """Undo refused letters: their marks and their (unused) invitations go."""
    with transaction(factory) as session:
        session.execute(
            delete(Invitation).where(
                Invitation.token_hash.in_([hash_token(r.token) for r in refused]),
                Invitation.used.is_(False),
            )
        )
        session.execute(
            delete(InvitationMailing).where(
                InvitationMailing.campaign_id == campaign_id,
                InvitationMailing.member_id.in_([r.member_id for r in refused]),
            )
        )


def mailed_counts(session: Session, campaign_id: int) -> dict[int, int]:
    """Members e-mailed a link, per unit."""
    return dict(
        session.execute(
            select(RosterMember.unit_id, func.count())
            .join(InvitationMailing, InvitationMailing.member_id == RosterMember.id)
            .where(InvitationMailing.campaign_id == campaign_id)
            .group_by(RosterMember.unit_id)
        ).all()
    )
