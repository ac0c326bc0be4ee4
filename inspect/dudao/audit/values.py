"""The values of the audit log in words: who and what an id or a key names, lists and
records as sentences, times in the organisation's zone, digests shortened.

`words` names the closed vocabularies (states, rules, roles); this module names what the
database holds (a unit by its code and name, a person by display name, an item by its
label in the version the inspection pinned), from the `Names` one page loaded at once.
Each value keeps what was stored, for its `title`; anything unnamed shows as stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import format_datetime, get_translations
from flask_babel import gettext as _
from flask_login import current_user

from dudao.audit import words
from dudao.audit.models import AuditEvent
from dudao.audit.names import (
    DEFINITION_KEYS,
    ITEM_KEYS,
    PER_UNIT,
    SCHEDULE_KEYS,
    UNIT_CODES,
    UNIT_IDS,
    USER_IDS,
    VERSION_IDS,
    Names,
    listed,
)
from dudao.audit.objects import PAGES, InspectionName, number, pointer
from dudao.audit.queries import Change, Value, field_changes, shown
from dudao.core.errors import name_list
from dudao.core.permissions import Permission, can
from dudao.org.models import Unit
from dudao.scheduling.draw_forms import described
from dudao.scheduling.forms import POLICY_LABELS, POOL_COUNT
from dudao.targets.config import TargetFileError, shipped_targets
from dudao.triage import evidence
from dudao.web.labels import label
from dudao.web.setup import select_locale

#: A moment as stored (ISO 8601 with a time), and a SHA-256 digest.
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
DIGEST = re.compile(r"^[0-9a-f]{64}$")
#: As many characters of a digest as the definitions page shows.
SHORT_DIGEST = 12


def _joined(texts: Iterable[str]) -> str:
    """A list as the page's language writes one (、 in Chinese); "—" for none."""
    return name_list(texts).in_language(get_translations()) or "—"


def _pairs(pairs: Iterable[tuple[str, Any]]) -> str:
    """Pairs of a name and a value one after the other (a record, counts per unit)."""
    return ("；" if select_locale().startswith("zh") else "; ").join(
        _("%(name)s: %(value)s", name=name, value=value) for name, value in pairs
    )


def _page(endpoint: str, **args: Any) -> str | None:
    """The address of a page, if the reader may open it (its view's permission: the log's
    readers hold theirs over the whole organisation); else None, no link to a refusal."""
    needed = getattr(current_app.view_functions.get(endpoint), "required_permission", None)
    if isinstance(needed, Permission) and not can(current_user, needed):
        return None
    return url_for(endpoint, **args)


def _unit(unit: Unit) -> str:
    return f"{unit.code} {unit.name_in(select_locale())}"


def _inspection(found: InspectionName) -> str:
    """An inspection as the tablet's list names one: checklist · unit · due date."""
    due = _("Due %(date)s", date=found.due.isoformat())
    return " · ".join((found.checklist.title(select_locale()), _unit(found.unit), due))


class _Reader:
    """One event's values named with one page's `names`."""

    def __init__(self, event: AuditEvent, names: Names) -> None:
        self.event, self.names = event, names

    def unit_by_code(self, code: Any) -> str:
        unit = self.names.unit_codes.get(code) if isinstance(code, str) else None
        return _unit(unit) if unit is not None else str(code)

    def unit_by_id(self, unit_id: Any) -> str:
        unit = self.names.units.get(unit_id) if isinstance(unit_id, int) else None
        return _unit(unit) if unit is not None else str(unit_id)

    def person(self, user_id: Any) -> str:
        user = self.names.people.get(user_id) if isinstance(user_id, int) else None
        return user.display_name if user is not None else str(user_id)

    def username(self, name: Any) -> str:
        user = self.names.usernames.get(name) if isinstance(name, str) else None
        return user.display_name if user is not None else str(name)

    def item(self, key: Any) -> str:
        version = self.names.version_of(self.event)
        try:
            found = version.definition.item(key) if version and isinstance(key, str) else None
        except KeyError:
            found = None
        return found.label.get(select_locale()) if found is not None else str(key)

    def named(self, name: str, raw: Any) -> tuple[str | None, str | None]:
        """(text, link) of a value that names something the database or a file holds."""
        at = (self.event.entity_type, name)
        if name in UNIT_IDS:
            return _joined(self.unit_by_id(v) for v in listed(raw)), None
        if name in UNIT_CODES:
            return _joined(self.unit_by_code(v) for v in listed(raw)), None
        if name == PER_UNIT and isinstance(raw, dict):
            return _pairs((self.unit_by_code(code), n) for code, n in raw.items()), None
        if name in USER_IDS:
            return _joined(self.person(v) for v in listed(raw)), None
        if name in VERSION_IDS:
            return self.version(raw), None
        if name in DEFINITION_KEYS or at in DEFINITION_KEYS:
            found = self.names.definitions.get(raw) if isinstance(raw, str) else None
            return (found.title(select_locale()) if found else None), None
        if name in ITEM_KEYS:
            return self.items(name, raw), None
        if name in SCHEDULE_KEYS:
            found = self.names.schedules.get(raw) if isinstance(raw, str) else None
            return (found.name if found else None), None
        if at == ("trend_flag", "rectification") and isinstance(raw, int):
            return str(raw), url_for("rectifications.show", rectification_id=raw)
        if at == ("target_entry", "target"):
            return self.target(raw), None
        if at in (("target_entry", "id"), ("target_entry", "corrects")):
            return self.entry(raw)
        if pointer(self.event, name) is not None:
            return self.pointed(str(pointer(self.event, name)), raw)
        if name == "assignment" and isinstance(raw, dict):
            return self.assignment(raw), None
        if at == ("draw_attempt", "params") and isinstance(raw, dict):
            said = described(raw, self.username)
            return _pairs((str(label), text) for label, text in said), None
        return None, None

    def object(self, kind: str, ref: int) -> tuple[str | None, str | None]:
        """An object by its type and id: its name where the page has one, its page."""
        names, objects = self.names, self.names.objects
        text: str | None = objects.titles.get((kind, ref))
        if kind == "unit" and ref in names.units:
            text = _unit(names.units[ref])
        elif kind == "user" and ref in names.people:
            text = names.people[ref].display_name
        elif kind == "form_definition" and ref in objects.definitions:
            text = objects.definitions[ref].title(select_locale())
        elif kind == "definition_version":
            text = self.version(ref)
        elif kind == "trend_flag" and ref in names.flags:
            text = evidence.sentence(names.flags[ref], names.flag_words)
        elif kind == "inspection" and ref in objects.inspections:
            text = _inspection(objects.inspections[ref])
        page = PAGES.get(kind)
        return text, (_page(page[0], **{page[1]: ref}) if page else None)

    def pointed(self, kind: str, raw: Any) -> tuple[str | None, str | None]:
        """A field that points at an object by id (a finding: at its inspection's page)."""
        ref = number(raw)
        if ref is None:
            return None, None
        if kind != "finding":
            text, href = self.object(kind, ref)
            return text or str(ref), href
        inspection = self.names.objects.finding_inspections.get(ref)
        if inspection is None:
            return None, None
        said = _("#%(finding)d in inspection %(inspection)d", finding=ref, inspection=inspection)
        return said, _page("inspections.show", inspection_id=inspection)

    def entry(self, raw: Any) -> tuple[str | None, str | None]:
        """A target entry, at its row on its target's page."""
        key = (self.event.after or {}).get("target") or (self.event.before or {}).get("target")
        if number(raw) is None or not isinstance(key, str):
            return None, None
        href = _page("targets.show", target_key=key, _anchor=f"entry-{raw}")
        return f"#{raw}", href

    def version(self, raw: Any) -> str | None:
        found = self.names.versions.get(raw) if isinstance(raw, int) else None
        if found is None:
            return None
        title = found.form.title(select_locale())
        return _("%(title)s v%(number)d", title=title, number=found.number)

    def items(self, name: str, raw: Any) -> str | None:
        if name == "item_comments" and isinstance(raw, dict):
            return _pairs((self.item(key), comment) for key, comment in raw.items())
        if name == "failed" and isinstance(raw, str):
            return _joined(self.item(key) for key in raw.split(",") if key)
        return self.item(raw) if isinstance(raw, str) else None

    def target(self, raw: Any) -> str | None:
        try:
            found = shipped_targets().get(raw) if isinstance(raw, str) else None
        except TargetFileError:
            return None
        return found.title.get(select_locale()) if found is not None else None

    def assignment(self, policy: dict[str, Any]) -> str:
        """A schedule's assignment as its form asks for it: the policy, who, how many."""
        kind = policy.get("policy", "named")
        said = str(POLICY_LABELS.get(kind, kind))
        people = policy.get("inspectors") or policy.get("pool") or []
        if not people:
            return said
        pairs = [(said, _joined(self.username(name) for name in people))]
        if kind == "pool" and policy.get("count"):
            pairs.append((str(POOL_COUNT), policy["count"]))
        return _pairs(pairs)


def _plain(raw: Any) -> str | None:
    """A moment in the organisation's zone, a digest shortened, a list as a list."""
    if isinstance(raw, str) and MOMENT.match(raw):
        try:
            return format_datetime(datetime.fromisoformat(raw), "medium")
        except ValueError:
            return None
    if isinstance(raw, str) and DIGEST.match(raw):
        return raw[:SHORT_DIGEST]
    if isinstance(raw, list) and not any(isinstance(v, dict | list) for v in raw):
        return _joined(shown(v) for v in raw)
    return None


def value(event: AuditEvent, name: str, raw: Any, names: Names) -> Value:
    """Field `name`'s value `raw` in words, the stored value kept where the words differ."""
    text, href = _Reader(event, names).named(name, raw) if raw is not None else (None, None)
    if text is None and words.vocabulary(event, name) is None:
        text = _plain(raw)
    if text is None:
        text = words.value_words(event, name, raw)
    stored = None if raw is None or isinstance(raw, bool) else shown(raw)
    return Value(text, stored if stored != text else None, href)


def subject(event: AuditEvent, names: Names) -> Value:
    """The event's object: its type, named and linked to its page where it has them (a
    refused draw attempt by its scope), the stored id in the title."""
    reader, ref = _Reader(event, names), number(event.entity_id)
    text, href = reader.object(event.entity_type, ref) if ref is not None else (None, None)
    if event.entity_type == "draw_attempt":
        unit = names.unit_codes.get(event.entity_id)
        text = _unit(unit) if unit is not None else None
        href = _page("org.unit", unit_id=unit.id) if unit is not None else None
    kind = str(label(event.entity_type))
    said = _("%(object)s %(name)s", object=kind, name=text or event.entity_id)
    return Value(said, event.entity_id if text else None, href)


def changes(event: AuditEvent, names: Names) -> list[Change]:
    """The event's changed fields, their values named with the page's `names`."""
    return field_changes(event.before, event.after, lambda n, raw: value(event, n, raw, names))
