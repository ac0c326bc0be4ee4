"""Survey campaigns, rosters, invitations and anonymous responses (docs/anonymity.md).

Anonymity is a property of these tables: nothing an answer writes names a person,
an invitation, a token or a time. `PendingResponse` and `Response` have random ids,
no timestamps and no reference to the invitation; a pending row waits until a job
moves it into `Response` inside a shuffled batch (surveys/batches.py).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dudao.core.database import Base, UTCDateTime, utcnow
from dudao.org.models import Unit


class CampaignState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


#: Never below this, whatever the definition or the office asks for.
MIN_THRESHOLD = 3


class Campaign(Base):
    """A questionnaire (one pinned definition version) put to the units of one subtree."""

    __tablename__ = "survey_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    definition_version_id: Mapped[int] = mapped_column(ForeignKey("definition_version.id"))
    scope_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    #: Unit levels that answer ("branch", ...); empty means every unit of the subtree.
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    period_label: Mapped[str] = mapped_column(String(40))
    min_group: Mapped[int]
    min_comment_group: Mapped[int]
    state: Mapped[CampaignState] = mapped_column(
        Enum(
            CampaignState,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=CampaignState.DRAFT,
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The site address the e-mailed links point to, set when the office asks to e-mail
    #: them: the periodic sweep finishes the mailing of every open campaign that has one.
    mailing_base_url: Mapped[str | None] = mapped_column(String(300))

    scope_unit: Mapped[Unit] = relationship()

    __table_args__ = (
        CheckConstraint(f"min_group >= {MIN_THRESHOLD}", name="min_group"),
        CheckConstraint("min_comment_group >= min_group", name="min_comment_group"),
        CheckConstraint("closes_at > opens_at", name="window"),
    )

    def is_open(self, now: datetime) -> bool:
        return self.state == CampaignState.OPEN and self.opens_at <= now < self.closes_at

    def is_over(self, now: datetime) -> bool:
        return self.state == CampaignState.CLOSED or now >= self.closes_at


class CampaignUnit(Base):
    """A unit of a campaign's tree and its parent there, as the tree stood when the campaign
    opened (a unit invited later joins under its parent of that day). Results group the
    answers by this tree: grouped by the tree of the day, moving a unit after the results
    were shown changed the figures above it by exactly its answers (docs/anonymity.md)."""

    __tablename__ = "survey_campaign_unit"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("survey_campaign.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))


class RosterMember(Base):
    """A member of a unit who may be invited; independent of campaigns.

    Nothing refers to a roster member: invitations are generated as a number per
    unit, so no table can say which member holds which invitation.
    """

    __tablename__ = "survey_roster_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (UniqueConstraint("unit_id", "external_id"),)


class Invitation(Base):
    """A one-time right to answer: only hashes of the link token and short code, and a flag."""

    __tablename__ = "survey_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("survey_campaign.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used: Mapped[bool] = mapped_column(default=False)


class OpenLink(Base):
    """One shared link per unit for units without a roster: capped at the headcount. A link
    removed after it took answers keeps its row without a token (`token_hash` NULL): it
    takes no more, its answers stay counted and its people stay reached (issuing.py)."""

    __tablename__ = "survey_open_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("survey_campaign.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    cap: Mapped[int]
    used_count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        UniqueConstraint("campaign_id", "unit_id"),
        CheckConstraint("used_count <= cap", name="cap"),
    )


class PendingResponse(Base):
    """An answer waiting for its batch: random id, no time, no invitation."""

    __tablename__ = "survey_pending_response"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("survey_campaign.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    answers: Mapped[dict] = mapped_column(JSON)


class Response(Base):
    """One anonymous response, as reports read it: random id, campaign, unit, period, answers."""

    __tablename__ = "survey_response"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("survey_campaign.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    period_label: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict] = mapped_column(JSON)


class InvitationMailing(Base):
    """That a roster member was e-mailed a link for a campaign: the "sent" mark only.

    It holds no invitation, token, time or address (the address stays on the roster), so
    it cannot say which invitation a member got; the invitations of one unit's mailing are
    written in random order in the same transaction as the marks (surveys/mailing.py).
    """

    __tablename__ = "survey_invitation_mailing"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("survey_campaign.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("survey_roster_member.id", ondelete="CASCADE"), primary_key=True
    )


def closing_moment(closes_at: datetime, zone: tzinfo) -> tuple[date, str]:
    """The last day and time of a campaign's window as people say it: one that "closes
    after 20 December" ends at 21 December 00:00, said as 20 December 24:00 (read as the
    21st, members and the office took it for a day more than they had)."""
    local = closes_at.astimezone(zone)
    if local.time() == time(0):
        return local.date() - timedelta(days=1), "24:00"
    return local.date(), local.strftime("%H:%M")
