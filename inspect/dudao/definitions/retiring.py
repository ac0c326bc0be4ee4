"""Retiring a definition on the web, and restoring it.

A retired definition is offered nowhere new (draws, schedules, campaigns, ad hoc
inspections: `queries.current_version` answers None) and keeps every version for what
pinned them. Retiring is refused while an active schedule or a campaign that is not
closed uses the definition, since either would go on making inspections or taking
answers with it. This module reads schedules and campaigns, which sit above
definitions, so only views and commands import it. Functions flush; the caller commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.core.database import utcnow
from dudao.core.errors import N_, Listed, Message, ValidationError
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.definitions.services import snapshot
from dudao.scheduling.models import Schedule
from dudao.surveys.models import Campaign, CampaignState


def uses(session: Session, definition: FormDefinition) -> list[Message]:
    """What stops `definition` from being retired: its active schedules and its campaigns
    that are not closed, each named, in one query each."""
    schedules = session.scalars(
        select(Schedule.name)
        .where(Schedule.definition_key == definition.key, Schedule.active.is_(True))
        .order_by(Schedule.name)
    ).all()
    campaigns = session.scalars(
        select(Campaign.title)
        .join(DefinitionVersion, DefinitionVersion.id == Campaign.definition_version_id)
        .where(
            DefinitionVersion.definition_id == definition.id,
            Campaign.state != CampaignState.CLOSED,
        )
        .order_by(Campaign.title)
    ).all()
    found = [Message(N_("the active schedule “%(name)s”"), name=name) for name in schedules]
    found += [Message(N_("the campaign “%(name)s” (not closed)"), name=t) for t in campaigns]
    return found


def retire_definition(session: Session, actor: Any, definition: FormDefinition) -> None:
    """Retire `definition`, or refuse naming everything that still uses it."""
    if definition.retired:
        raise ValidationError(Message(N_("%(key)s is already retired."), key=definition.key))
    using = uses(session, definition)
    if using:
        raise ValidationError(
            Message(
                N_("%(key)s is not retired: %(uses)s still uses it. Deactivate the schedule "
                   "or close the campaign first."),
                key=definition.key, uses=Listed(using),
            )
        )  # fmt: skip
    before = snapshot(definition)
    definition.retired, definition.retired_at = True, utcnow()
    record(session, actor, "definition.retire", "form_definition", definition.id, before,
           snapshot(definition))  # fmt: skip
    session.flush()


def restore_definition(session: Session, actor: Any, definition: FormDefinition) -> None:
    """Offer a retired definition again, at its current version."""
    if not definition.retired:
        raise ValidationError(Message(N_("%(key)s is not retired."), key=definition.key))
    before = snapshot(definition)
    definition.retired, definition.retired_at = False, None
    record(session, actor, "definition.update", "form_definition", definition.id, before,
           snapshot(definition))  # fmt: skip
    session.flush()
