"""Opening a rectification task (整改) from a flag, for one of the units behind it.

A task belongs to a finding (inspections own it); a flag's task is anchored to the latest
finding behind the flag at the chosen unit (of the flag's item when it has one), opened
through `open_rectification` (its checks and audit) and linked to the flag."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.core.errors import N_, Message, PermissionDenied
from dudao.inspections.rectifications import open_rectification
from dudao.inspections.submission_models import Finding, Rectification
from dudao.inspections.submissions import FieldErrors
from dudao.org.models import Unit
from dudao.trends.models import Flag
from dudao.triage.models import FlagRectification
from dudao.triage.services import may_triage
from dudao.workflow.registry import get_workflow


def findings_by_unit(session: Session, flag: Flag) -> dict[int, Finding]:
    """The latest finding behind the flag per unit (in the flag's subtree), the anchors a
    task can be opened on; the flag's item only when findings of it exist; a unit whose
    finding already has an open task is left out."""
    ids = [int(i) for i in (flag.evidence or {}).get("inspection_ids") or []]
    if not ids:
        return {}
    rows = list(
        session.scalars(
            select(Finding)
            .join(Unit, Unit.id == Finding.unit_id)
            .where(Finding.inspection_id.in_(ids), Unit.path.startswith(flag.unit.path))
            .order_by(Finding.id.desc())
        )
    )
    if flag.item_key and any(f.item_key == flag.item_key for f in rows):
        rows = [f for f in rows if f.item_key == flag.item_key]
    latest: dict[int, Finding] = {}
    for finding in rows:
        latest.setdefault(finding.unit_id, finding)
    finals = [s.key for s in get_workflow("rectification").states if s.final]
    busy = set(
        session.scalars(
            select(Rectification.finding_id).where(
                Rectification.finding_id.in_([f.id for f in latest.values()]),
                Rectification.state.not_in(finals),
            )
        )
    )
    return {unit_id: f for unit_id, f in latest.items() if f.id not in busy}


def open_for_flag(
    session: Session, actor: Any, flag: Flag, unit_id: int | None, deadline: date,
    description: str,
) -> Rectification:  # fmt: skip
    """Open the task for `unit_id` and link it to the flag; FieldErrors name the field."""
    if not may_triage(actor, flag):
        raise PermissionDenied("Only the office may open a rectification from a flag.")
    finding = findings_by_unit(session, flag).get(unit_id or 0)
    if finding is None:
        gone = Message(N_("This unit has no finding behind the flag left without a task."))
        raise FieldErrors(gone, {"unit": gone})
    task = open_rectification(session, actor, finding, finding.unit, deadline, description)
    session.add(FlagRectification(flag_id=flag.id, rectification_id=task.id))
    session.flush()
    record(
        session, actor, "trend_flag.rectify", "trend_flag", flag.id,
        after={"rectification": task.id, "unit": finding.unit.code,
               "deadline": deadline.isoformat()},
    )  # fmt: skip
    return task


def tasks(session: Session, flag_id: int) -> list[Rectification]:
    """The rectification tasks opened from the flag, oldest first."""
    return list(
        session.scalars(
            select(Rectification)
            .join(FlagRectification, FlagRectification.rectification_id == Rectification.id)
            .where(FlagRectification.flag_id == flag_id)
            .order_by(Rectification.id)
        )
    )
