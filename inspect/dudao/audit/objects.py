"""The objects an audit event is about, and the objects its fields point at, named and
linked to their pages.

An event stores its object as a type and an id (a refused draw attempt: its scope's
code). The page links each to the object's own page where it has one and names it where
a name is cheap: units, people and flags come with the page's `Names`; the titles of
campaigns, draws and definitions, each inspection's checklist, unit and due date, and the
inspection behind each finding are read here, one query per kind for the whole page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.audit.models import AuditEvent
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Finding
from dudao.org.models import Unit
from dudao.scheduling.models import SpotCheckDraw
from dudao.surveys.models import Campaign

#: The object types with a page: the endpoint and the name of its id argument.
PAGES = {
    "unit": ("org.unit", "unit_id"),
    "user": ("auth.account", "user_id"),
    "form_definition": ("definitions.definition", "definition_id"),
    "definition_version": ("definitions.version", "version_id"),
    "survey_campaign": ("surveys.detail", "campaign_id"),
    "spot_check_draw": ("draws.show", "draw_id"),
    "trend_flag": ("triage.show", "flag_id"),
    "inspection": ("inspections.show", "inspection_id"),
    "rectification": ("rectifications.show", "rectification_id"),
    "report_request": ("reports.show", "request_id"),
    "feedback_item": ("feedback.show", "feedback_id"),
}
#: The object types whose stored title names them, and their models.
TITLED = {"survey_campaign": Campaign, "spot_check_draw": SpotCheckDraw}
#: Fields that point at another object by id: (object type, field) or field → its type.
POINTERS: dict[str | tuple[str, str], str] = {
    "inspection_id": "inspection",
    "campaign_id": "survey_campaign",
    ("rectification", "finding"): "finding",
}


@dataclass(frozen=True)
class InspectionName:
    """What names an inspection where the inspections pages list one: the checklist of the
    version it pins, the unit, the due date."""

    checklist: FormDefinition
    unit: Unit
    due: date


@dataclass
class Objects:
    """Titles by (object type, id), definitions and inspections by id, and the inspection
    each finding was made in."""

    titles: dict[tuple[str, int], str] = field(default_factory=dict)
    definitions: dict[int, FormDefinition] = field(default_factory=dict)
    inspections: dict[int, InspectionName] = field(default_factory=dict)
    finding_inspections: dict[int, int] = field(default_factory=dict)


def number(raw: Any) -> int | None:
    """An id as stored: an int, or a string of digits (the object's own id)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    return int(raw) if isinstance(raw, str) and raw.isdigit() else None


def pointer(event: AuditEvent, name: str) -> str | None:
    """The object type field `name` of `event` points at, if it points at one."""
    return POINTERS.get((event.entity_type, name)) or POINTERS.get(name)


def _references(events: Iterable[AuditEvent]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for event in events:
        own = number(event.entity_id)
        if own is not None:
            found.setdefault(event.entity_type, set()).add(own)
        for side in (event.before or {}, event.after or {}):
            for name, raw in side.items():
                kind, ref = pointer(event, name), number(raw)
                if kind is not None and ref is not None:
                    found.setdefault(kind, set()).add(ref)
    return found


def load_objects(session: Session, events: list[AuditEvent]) -> Objects:
    """The titles and findings `events` refer to, one query per kind."""
    refs, objects = _references(events), Objects()
    for kind, model in TITLED.items():
        if refs.get(kind):
            rows = session.execute(select(model.id, model.title).where(model.id.in_(refs[kind])))
            objects.titles |= {(kind, i): title for i, title in rows}
    if refs.get("form_definition"):
        found = select(FormDefinition).where(FormDefinition.id.in_(refs["form_definition"]))
        objects.definitions = {d.id: d for d in session.scalars(found)}
    if refs.get("inspection"):
        objects.inspections = _inspections(session, refs["inspection"])
    if refs.get("finding"):
        rows = session.execute(
            select(Finding.id, Finding.inspection_id).where(Finding.id.in_(refs["finding"]))
        )
        objects.finding_inspections = {i: inspection for i, inspection in rows}
    return objects


def _inspections(session: Session, ids: set[int]) -> dict[int, InspectionName]:
    """Each inspection's checklist, unit and due date, in one query."""
    rows = session.execute(
        select(Inspection.id, Inspection.due_date, Unit, FormDefinition)
        .join(Unit, Unit.id == Inspection.unit_id)
        .join(DefinitionVersion, DefinitionVersion.id == Inspection.definition_version_id)
        .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
        .where(Inspection.id.in_(ids))
    )
    return {i: InspectionName(form, unit, due) for i, due, unit, form in rows}
