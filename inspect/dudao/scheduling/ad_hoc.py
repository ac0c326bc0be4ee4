"""Ad hoc inspections: one unit, or a subtree, checked now for a stated reason, outside
any schedule (an office's own decision; the draws are scheduling's random ones)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.core.errors import (
    N_,
    Listed,
    Message,
    NotFound,
    ValidationError,
    field_problem,
    name_list,
)
from dudao.definitions.queries import current_version
from dudao.inspections.models import Inspection, InspectionOrigin
from dudao.inspections.services import create_inspections
from dudao.org.models import Unit
from dudao.scheduling import queries
from dudao.scheduling.assign import Target, choose
from dudao.scheduling.draw_params import unknown_levels
from dudao.scheduling.recurrence import org_today


def create_ad_hoc(
    session: Session,
    actor: Any,
    root: Unit,
    definition_key: str,
    due_date: date,
    reason: str,
    *,
    subtree: bool = False,
    levels: Sequence[str] = (),
    inspectors: Sequence[str] = (),
) -> list[Inspection]:
    """One inspection for `root`, or one per active unit of its subtree (levels filter).

    Named inspectors are checked for conflicts (回避) unit by unit: an inspector is left
    off a unit in their own subtree, and one who would be left off every unit is refused
    rather than dropped. Raises ValidationError for bad input (a past due date too).
    """
    problems = []
    if not (reason or "").strip():
        problems.append(field_problem("reason", Message(N_("A reason is required."))))
    if due_date < org_today(session):
        problems.append(field_problem("due", Message(N_("The due date is in the past."))))
    unknown = unknown_levels(levels)
    if unknown is not None:
        problems.append(field_problem("levels", unknown))
    elif levels and not subtree:
        alone = Message(N_("Levels choose among the units below: include the subtree, or "
                           "choose no level."))  # fmt: skip
        problems.append(field_problem("levels", alone))
    version = current_version(session, definition_key, "checklist")
    if version is None:
        problems.append(
            field_problem("definition", Message(N_("no checklist '%(key)s'"), key=definition_key))
        )
    people = queries.people(session, list(inspectors))
    missing = [name for name in inspectors if name not in people]
    if missing:
        nobody = Message(N_("no active account named %(names)s"), names=name_list(missing))
        problems.append(field_problem("inspector", nobody))
    if problems:
        raise ValidationError(
            Message(N_("Cannot create the inspection: %(problems)s"), problems=Listed(problems)),
            problems,
        )
    assert version is not None
    if subtree:
        found = queries.target_units(session, root, levels)
    elif root.active:
        found = [(root.id, root.path)]
    else:
        raise ValidationError(
            inactive := Message(N_("Unit %(code)s is inactive."), code=root.code),
            [field_problem("unit", inactive)],
        )
    if not found:
        raise NotFound(Message(N_("No active unit in that subtree matches the levels chosen.")))
    targets = [Target(unit_id, path) for unit_id, path in found]
    choose({"policy": "named", "inspectors": list(inspectors)}, targets, people)
    chosen = {person_id for target in targets for person_id in target.chosen}
    idle = [name for name in inspectors if people[name].id not in chosen]
    if idle:  # said, not dropped: the office named them for these units
        cannot = Message(
            N_("%(names)s cannot inspect any unit chosen: it is their own part of the tree "
               "(回避), or they hold no inspector role on it."),
            names=name_list(idle),
        )  # fmt: skip
        raise ValidationError(cannot, [field_problem("inspector", cannot)])
    units = {
        u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_([t.key for t in targets])))
    }
    return create_inspections(
        session, actor, [units[t.key] for t in targets], version, due_date,
        InspectionOrigin.AD_HOC, reason=reason.strip(),
        assignees={t.key: t.chosen for t in targets},
    )  # fmt: skip
