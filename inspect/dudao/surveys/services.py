"""Office writes for campaigns: create, open and close (issuing links is in `issuing`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.core.enums import UnitLevel, in_tree_order
from dudao.core.errors import N_, Message, ValidationError, field_problem, name_list
from dudao.definitions.models import DefinitionVersion
from dudao.definitions.queries import pinned
from dudao.definitions.spec import Definition, ItemType, Kind
from dudao.org.models import Unit
from dudao.surveys.campaign_tree import fix_tree
from dudao.surveys.models import MIN_THRESHOLD, Campaign, CampaignState


def create_campaign(
    session: Session,
    actor: Any,
    *,
    title: str,
    version: DefinitionVersion,
    scope_unit: Unit,
    levels: Sequence[str],
    opens_at: datetime,
    closes_at: datetime,
    period_label: str,
    min_group: int | None = None,
    min_comment_group: int | None = None,
) -> Campaign:
    """A draft campaign; thresholds default to the definition's and never fall below 3.
    Refused with every problem as "field: message" (Messages: the page translates them)."""
    definition = pinned(session, version.id)
    problems: dict[str, Message] = {}
    unfit = unfit_for_members(definition)
    if unfit is not None:
        problems["definition"] = unfit
    group = definition.min_group if min_group is None else min_group
    comments = definition.min_comment_group if min_comment_group is None else min_comment_group
    comments = max(comments, group)
    if group < MIN_THRESHOLD:
        problems["min_group"] = Message(N_("At least %(min)s."), min=MIN_THRESHOLD)
    if min_comment_group is not None and min_comment_group < group:
        problems["min_comment_group"] = Message(
            N_("The comment threshold cannot be below the minimum group size (%(n)s)."), n=group
        )
    if closes_at <= opens_at:
        problems["closes_at"] = Message(N_("The campaign must close after it opens."))
    if not title.strip():
        problems["title"] = Message(N_("A campaign needs a title."))
    unknown = sorted(set(levels) - {level.value for level in UnitLevel})
    if unknown:
        problems["levels"] = Message(N_("No such level: %(levels)s."), levels=name_list(unknown))
    if problems:
        raise ValidationError(
            Message(N_("The campaign cannot be created.")),
            [field_problem(field, problem) for field, problem in problems.items()],
        )
    campaign = Campaign(
        title=title.strip(),
        definition_version_id=version.id,
        scope_unit_id=scope_unit.id,
        levels=in_tree_order(levels),
        opens_at=opens_at,
        closes_at=closes_at,
        period_label=period_label.strip(),
        min_group=group,
        min_comment_group=comments,
        state=CampaignState.DRAFT,
        created_by_id=getattr(actor, "id", None),
    )
    session.add(campaign)
    session.flush()
    record(
        session,
        actor,
        "survey.campaign_created",
        "survey_campaign",
        campaign.id,
        None,
        _snapshot(campaign),
    )
    return campaign


def unfit_for_members(definition: Definition) -> Message | None:
    """Why a definition cannot be put to members in a campaign, whose answers are anonymous
    (None: it can). A named form's members would write their names in it; a photo, or its
    file name, can tell who took it (a version stored before the definitions refused that)."""
    if definition.kind != Kind.QUESTIONNAIRE:
        return Message(N_("Only a questionnaire can be put to members."))
    if not definition.anonymous:
        return Message(
            N_(
                "This questionnaire is named (anonymous: false): a campaign puts only "
                "anonymous questionnaires to members."
            )
        )
    if any(item.type == ItemType.PHOTO for item in definition.items):
        return Message(N_("This questionnaire asks for photos; an anonymous answer keeps none."))
    return None


def _snapshot(campaign: Campaign) -> dict[str, Any]:
    return {
        "title": campaign.title,
        "definition_version_id": campaign.definition_version_id,
        "scope_unit_id": campaign.scope_unit_id,
        "levels": campaign.levels,
        "opens_at": campaign.opens_at,
        "closes_at": campaign.closes_at,
        "period_label": campaign.period_label,
        "min_group": campaign.min_group,
        "min_comment_group": campaign.min_comment_group,
        "state": str(campaign.state),
    }


def set_state(session: Session, actor: Any, campaign: Campaign, state: CampaignState) -> None:
    """draft → open → closed (a closed campaign is not reopened: its batches are final)."""
    allowed = {
        CampaignState.DRAFT: {CampaignState.OPEN},
        CampaignState.OPEN: {CampaignState.CLOSED},
        CampaignState.CLOSED: set(),
    }
    if state not in allowed[campaign.state]:
        if campaign.state == CampaignState.CLOSED:
            refused = Message(N_("The campaign is closed; it is not opened again."))
        elif campaign.state == state:
            refused = Message(N_("The campaign is already open."))
        else:
            refused = Message(N_("A campaign is opened before it is closed."))
        raise ValidationError(refused)
    before = str(campaign.state)
    campaign.state = state
    session.flush()
    if state == CampaignState.OPEN:
        fix_tree(session, campaign)
    # The keys written whole: the log's words (web.labels) and a search for a key find them.
    action = "survey.campaign_open" if state == CampaignState.OPEN else "survey.campaign_closed"
    record(
        session,
        actor,
        action,
        "survey_campaign",
        campaign.id,
        {"state": before},
        {"state": str(state)},
    )
