"""What the ids and keys on one page of the audit log name, loaded in a few queries.

Events store units by id or code, people by id or user name, definitions by version id or
key and checklist items by key. The page names them: `load_names` gathers every such
reference on the page and reads each kind once (units, people, versions, definitions,
the flags the events are about, and the versions the inspections and rectifications on
the page were made with), never once per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dudao.audit.models import AuditEvent
from dudao.audit.objects import Objects, load_objects
from dudao.auth.models import User
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.definitions.queries import pinned
from dudao.definitions.spec import Definition
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Finding, Rectification, Submission
from dudao.org.models import Unit
from dudao.scheduling.models import Schedule
from dudao.trends.models import Flag
from dudao.triage import evidence

#: The fields that hold units by id, units by code, people by id, definition versions by
#: id, definitions by key and items by key (an item's "failed" lists several, comma-joined).
UNIT_IDS = frozenset({"unit_id", "scope_unit_id"})
UNIT_CODES = frozenset({"unit", "owner", "scope", "parent", "exclude_codes", "units"})
USER_IDS = frozenset({"assignee", "assignees"})
VERSION_IDS = frozenset({"definition_version", "definition_version_id"})
DEFINITION_KEYS = frozenset({"definition_key", ("definition_version", "key")})
ITEM_KEYS = frozenset({"item", "failed", "item_comments"})
SCHEDULE_KEYS = frozenset({"schedule"})
#: The dictionaries keyed by unit code, and the ones that name people by user name.
PER_UNIT = "per_unit"
PEOPLE_LISTS = ("pool", "inspectors")


@dataclass(frozen=True)
class VersionName:
    form: FormDefinition
    number: int
    definition: Definition


@dataclass
class Names:
    """The page's units (by id and by code), people (by id and by user name), definition
    versions by id, definitions and schedules by key, flags by id (with their checklists'
    words), the version each inspection or rectification on the page pins, by (object
    type, id), and the titles of the objects the events are about or point at."""

    units: dict[int, Unit] = field(default_factory=dict)
    unit_codes: dict[str, Unit] = field(default_factory=dict)
    people: dict[int, User] = field(default_factory=dict)
    usernames: dict[str, User] = field(default_factory=dict)
    versions: dict[int, VersionName] = field(default_factory=dict)
    definitions: dict[str, FormDefinition] = field(default_factory=dict)
    schedules: dict[str, Schedule] = field(default_factory=dict)
    flags: dict[int, Flag] = field(default_factory=dict)
    flag_words: evidence.Names = field(default_factory=dict)
    pinned_by: dict[tuple[str, str], int] = field(default_factory=dict)
    objects: Objects = field(default_factory=Objects)

    def version_of(self, event: AuditEvent) -> VersionName | None:
        """The definition version the event's inspection or rectification was made with."""
        found = self.pinned_by.get((event.entity_type, event.entity_id))
        return self.versions.get(found) if found is not None else None


def _values(event: AuditEvent) -> Iterator[tuple[str, Any]]:
    for side in (event.before or {}, event.after or {}):
        yield from side.items()


def listed(value: Any) -> list[Any]:
    """A field that holds one reference or a list of them, as a list."""
    return value if isinstance(value, list) else [value]


def _ints(values: Iterable[Any]) -> set[int]:
    return {v for v in values if isinstance(v, int) and not isinstance(v, bool)}


def _strs(values: Iterable[Any]) -> set[str]:
    return {v for v in values if isinstance(v, str)}


def _ids(entity_ids: Iterable[str]) -> set[int]:
    return {int(i) for i in entity_ids if i.isdigit()}


def load_names(session: Session, events: list[AuditEvent], locale: str) -> Names:
    """Everything `events` refer to that has a name, each kind read in one query (the
    flags' checklists and items in `locale`, as the flag queue says them)."""
    unit_ids, codes, user_ids, usernames = set(), set(), set(), set()
    version_ids, keys, items_of = set(), set(), {"inspection": set(), "rectification": set()}
    flag_ids, schedule_keys = set(), set()
    for event in events:
        if event.actor_id is not None:
            user_ids.add(event.actor_id)
        own = {event.entity_type: _ids([event.entity_id])}  # the object itself
        unit_ids |= own.get("unit", set())
        user_ids |= own.get("user", set())
        version_ids |= own.get("definition_version", set())
        flag_ids |= own.get("trend_flag", set())
        codes |= {event.entity_id} if event.entity_type == "draw_attempt" else set()
        for name, value in _values(event):
            unit_ids |= _ints(listed(value)) if name in UNIT_IDS else set()
            codes |= _strs(listed(value)) if name in UNIT_CODES else set()
            codes |= _strs(value) if name == PER_UNIT and isinstance(value, dict) else set()
            user_ids |= _ints(listed(value)) if name in USER_IDS else set()
            version_ids |= _ints([value]) if name in VERSION_IDS else set()
            named_key = name in DEFINITION_KEYS or (event.entity_type, name) in DEFINITION_KEYS
            keys |= _strs([value]) if named_key else set()
            schedule_keys |= _strs([value]) if name in SCHEDULE_KEYS else set()
            if isinstance(value, dict):
                usernames |= {n for k in PEOPLE_LISTS for n in _strs(value.get(k) or [])}
            if name in ITEM_KEYS and event.entity_type in items_of:
                items_of[event.entity_type].add(event.entity_id)
    names = Names()
    if unit_ids or codes:
        for unit in session.scalars(
            select(Unit).where(or_(Unit.id.in_(unit_ids), Unit.code.in_(codes)))
        ):
            names.units[unit.id] = names.unit_codes[unit.code] = unit
    if user_ids or usernames:
        for user in session.scalars(
            select(User).where(or_(User.id.in_(user_ids), User.username.in_(usernames)))
        ):
            names.people[user.id] = names.usernames[user.username] = user
    names.objects = load_objects(session, events)
    _pins(session, names, items_of)
    _versions(session, names, version_ids | set(names.pinned_by.values()))
    if keys:
        found = select(FormDefinition).where(FormDefinition.key.in_(keys))
        names.definitions = {d.key: d for d in session.scalars(found)}
    if schedule_keys:
        found = select(Schedule).where(Schedule.key.in_(schedule_keys))
        names.schedules = {s.key: s for s in session.scalars(found)}
    if flag_ids:
        names.flags = {f.id: f for f in session.scalars(select(Flag).where(Flag.id.in_(flag_ids)))}
        names.flag_words = evidence.names(session, names.flags.values(), locale)
    return names


def _pins(session: Session, names: Names, items_of: dict[str, set[str]]) -> None:
    """The version each inspection and rectification with item keys on the page pins."""
    inspections = _ids(items_of["inspection"])
    if inspections:
        rows = session.execute(
            select(Inspection.id, Inspection.definition_version_id).where(
                Inspection.id.in_(inspections)
            )
        )
        names.pinned_by |= {("inspection", str(i)): v for i, v in rows}
    tasks = _ids(items_of["rectification"])
    if tasks:
        rows = session.execute(
            select(Rectification.id, Submission.definition_version_id)
            .join(Finding, Finding.id == Rectification.finding_id)
            .join(Submission, Submission.id == Finding.submission_pk)
            .where(Rectification.id.in_(tasks))
        )
        names.pinned_by |= {("rectification", str(i)): v for i, v in rows}


def _versions(session: Session, names: Names, version_ids: set[int]) -> None:
    """Titles and numbers of the versions, and their items (`pinned`: cached by content)."""
    if not version_ids:
        return
    rows = session.execute(
        select(DefinitionVersion.id, DefinitionVersion.number, DefinitionVersion.content_hash,
               FormDefinition)
        .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
        .where(DefinitionVersion.id.in_(version_ids))
    )  # fmt: skip
    for version_id, number, digest, form in rows:
        spec = pinned(session, version_id, digest)
        names.versions[version_id] = VersionName(form, number, spec)
