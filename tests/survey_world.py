"""Survey test data: a member_satisfaction campaign over company A, its roster, links, answers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from dudao.config import PROJECT_ROOT
from dudao.core.database import utcnow
from dudao.definitions.queries import current_version
from dudao.definitions.services import sync_forms
from dudao.org.models import Unit
from dudao.surveys import issuing, services
from dudao.surveys.models import Campaign, CampaignState, Response, RosterMember
from tests.factories import OrgTree

GOOD = {
    "identity": "member",
    "years_known": "over_3",
    "sat_leadership": "4",
    "sat_meetings": "4",
    "sat_members": "5",
    "sat_service": "3",
    "sat_openness": "4",
    "sat_integrity": "5",
    "recommend": "8",
}


@dataclass
class SurveyWorld:
    campaign: Campaign
    tokens: dict[str, list[str]]  # unit code -> link tokens
    codes: dict[str, list[str]]  # unit code -> slip codes


def campaign_for(
    session: Session,
    scope: Unit,
    *,
    title: str = "满意度测评",
    state: CampaignState = CampaignState.OPEN,
    min_group: int | None = None,
    min_comment_group: int | None = None,
    levels: tuple[str, ...] | list[str] = ("branch",),
) -> Campaign:
    if current_version(session, "member_satisfaction") is None:
        sync_forms(session, None, PROJECT_ROOT / "forms")
    version = current_version(session, "member_satisfaction")
    assert version is not None
    campaign = services.create_campaign(
        session,
        None,
        title=title,
        version=version,
        scope_unit=scope,
        levels=levels,
        opens_at=utcnow() - timedelta(days=1),
        closes_at=utcnow() + timedelta(days=7),
        period_label="2026-Q4",
        min_group=min_group,
        min_comment_group=min_comment_group,
    )
    if state != CampaignState.DRAFT:
        services.set_state(session, None, campaign, CampaignState.OPEN)
    return campaign


def photo_version(session: Session):
    """member_satisfaction with a photo item, stored as a version the definitions would now
    refuse (as one stored before they refused an anonymous questionnaire's photos was)."""
    import copy

    from dudao.definitions.loader import load_text
    from dudao.definitions.models import DefinitionVersion
    from dudao.definitions.services import content_hash
    from tests.definition_world import item

    if current_version(session, "member_satisfaction") is None:
        sync_forms(session, None, PROJECT_ROOT / "forms")
    base = current_version(session, "member_satisfaction")
    assert base is not None
    named = load_text(
        "anonymous: false\n" + item("- {key: site, type: photo, label: 照片}", "questionnaire")
    )
    data = copy.deepcopy(base.data)
    data["sections"][-1]["items"].append(named.data["sections"][0]["items"][0])
    version = DefinitionVersion(definition_id=base.definition_id, number=base.number + 100,
                                content_hash=content_hash(data), data=data)  # fmt: skip
    session.add(version)
    session.flush()
    return version


def close(session: Session, campaign: Campaign) -> Campaign:
    """Close an open campaign: its scores become visible once nothing is pending."""
    services.set_state(session, None, campaign, CampaignState.CLOSED)
    session.commit()
    return campaign


def add_roster(session: Session, unit: Unit, count: int, prefix: str = "M") -> None:
    for n in range(count):
        session.add(RosterMember(unit_id=unit.id, external_id=f"{prefix}{unit.code}-{n}"))
    session.flush()


def roster(session, unit, addresses: list[str | None]) -> None:
    """Members of `unit` with these e-mail addresses (None: one without), committed."""
    for n, address in enumerate(addresses):
        session.add(RosterMember(unit_id=unit.id, external_id=f"{unit.code}-{n}", email=address))
    session.commit()


def build(session: Session, org: OrgTree, per_branch: int = 12, **kwargs: Any) -> SurveyWorld:
    campaign = campaign_for(session, org.company_a, **kwargs)
    add_roster(session, org.branch_a1, per_branch)
    add_roster(session, org.branch_a2, per_branch)
    issued = issuing.generate_invitations(session, None, campaign).rows
    session.commit()
    tokens: dict[str, list[str]] = {}
    codes: dict[str, list[str]] = {}
    for entry in issued:
        tokens.setdefault(entry.unit_code, []).append(entry.token)
        codes.setdefault(entry.unit_code, []).append(entry.code)
    return SurveyWorld(campaign, tokens, codes)


def form_data(answers: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    data = {f"a_{k}": v for k, v in (answers or GOOD).items()}
    data.update({f"a_{k}": v for k, v in extra.items()})
    return data


def answer(client: FlaskClient, token: str, answers: dict[str, str] | None = None, **extra: str):
    return client.post(f"/s/{token}", data=form_data(answers, **extra))


ROUTE_WALK_TOKEN = "route-walk-token-0123456789"
ROUTE_WALK_CODE = "ROUTE-WALK1"


def campaigns_in_and_out(session: Session, org: OrgTree) -> dict[str, int]:
    """For the route walk: a campaign inside company A and one inside company B, and an
    invitation (slip code ROUTE_WALK_CODE) and an open link in A that both answer to
    ROUTE_WALK_TOKEN."""
    from dudao.surveys.models import Invitation, OpenLink
    from dudao.surveys.tokens import hash_code, hash_token

    inside = campaign_for(session, org.company_a, title="in")
    outside = campaign_for(session, org.company_b, title="out")
    digest = hash_token(ROUTE_WALK_TOKEN)
    session.add(
        Invitation(
            campaign_id=inside.id,
            unit_id=org.branch_a1.id,
            token_hash=digest,
            code_hash=hash_code(ROUTE_WALK_CODE),
        )
    )
    session.add(OpenLink(campaign_id=inside.id, unit_id=org.branch_a1.id, token_hash=digest, cap=5))
    session.commit()
    return {"in": inside.id, "out": outside.id}


#: GOOD as stored: the numbers as numbers.
SAT = {k: int(v) if v.isdigit() else v for k, v in GOOD.items()}


def answered(session, campaign, unit, count, **answers):
    """`count` satisfied answers from `unit`, each commented "<unit code> comment <n>" (so a
    page that hides the unit's comments can be checked), with `answers` over them."""
    for n in range(count):
        session.add(
            Response(
                id=str(uuid.uuid4()),
                campaign_id=campaign.id,
                unit_id=unit.id,
                period_label=campaign.period_label,
                answers={**SAT, "comment": f"{unit.code} comment {n}", **answers},
            )
        )
    session.commit()


def responses(session, campaign, unit, count, *, score=4, comment="意见"):
    """`count` answers from `unit`, leadership and service at `score`, with numbered comments."""
    for n in range(count):
        answers = {**SAT, "sat_leadership": score, "sat_service": score}
        if comment is not None:
            answers["comment"] = f"{comment}{n}" if isinstance(comment, str) else comment[n]
        session.add(Response(id=str(uuid.uuid4()), campaign_id=campaign.id, unit_id=unit.id,
                             period_label="2026-Q4", answers=answers))  # fmt: skip
    session.commit()
