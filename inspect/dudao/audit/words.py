"""The audit log in its reader's words: what an event did, the names of the fields it
changed, and the values the product already has names for.

The office reads the log in Chinese; action keys, field names and state keys are for
developers. Every word here comes from where the product already keeps it: the object
types, actions and fields from `web.labels.LABELS`, a workflow's actions and states from
its file in workflows/, rule names, origins and feedback categories from their features.
Anything without words shows as stored, never as an error. What the database names (a
unit by its id, a person, a checklist item) is `audit.values`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from dudao.audit.models import AuditEvent
from dudao.audit.queries import shown
from dudao.core.errors import name_list
from dudao.feedback.models import KIND_LABELS as FEEDBACK_KINDS
from dudao.feedback.models import category_label
from dudao.triage.evidence_labels import RULE_LABELS, SEVERITY_LABELS
from dudao.web.labels import LABELS, ORIGIN_LABELS, label
from dudao.web.setup import select_locale
from dudao.workflow.registry import all_workflows
from dudao.workflow.spec import Workflow

Words = Callable[[str], str | None]


def _english() -> bool:
    return select_locale().startswith("en")


def _from(table: dict[str, Any]) -> Words:
    return lambda value: str(table[value]) if value in table else None


def _feedback_kind(value: str) -> str | None:
    pair = FEEDBACK_KINDS.get(value)
    return pair[_english()] if pair else None


def _feedback_category(value: str) -> str | None:
    found = category_label(value, _english())
    return found if found != value else None


#: Fields whose values belong to a vocabulary with names, by field or by (object type,
#: field) where the same field name holds another vocabulary elsewhere. A workflow's
#: states are named by the workflow itself (`vocabulary`).
VALUES: dict[str | tuple[str, str], Words] = {
    "role": _from(LABELS), "level": _from(LABELS), "levels": _from(LABELS),
    "rule": _from(RULE_LABELS), "severity": _from(SEVERITY_LABELS),
    ("inspection", "origin"): _from(ORIGIN_LABELS),
    ("definition_version", "origin"): _from(LABELS),
    ("form_definition", "kind"): _from(LABELS),
    ("survey_campaign", "state"): _from(LABELS),
    ("draw_attempt", "reason"): _from(LABELS),
    ("feedback_item", "kind"): _feedback_kind,
    ("feedback_item", "category"): _feedback_category,
}  # fmt: skip


def workflow_of(action: str) -> tuple[Workflow | None, str]:
    """The workflow an action key belongs to ("inspection.submit": the inspection workflow,
    "submit") when its first part names one, and the action's own part."""
    prefix, _dot, verb = action.partition(".")
    return all_workflows().get(prefix), verb


def action_words(action: str) -> str | None:
    """What an action did, in words (no object type), or None when nothing names it.

    A workflow's transition has the label its buttons show; a timer that moves a subject
    is named by the state it moves it to ("overdue"); anything else by LABELS."""
    workflow, verb = workflow_of(action)
    if workflow is not None:
        locale = select_locale()
        transition = next((t for t in workflow.transitions if t.action == verb), None)
        if transition is not None:
            return transition.label.get(locale)
        timer = next((t for t in workflow.timers if t.key == verb and t.target), None)
        if timer is not None and timer.target is not None:
            return workflow.state(timer.target).label.get(locale)
    found = LABELS.get(action)
    return str(found) if found is not None else None


#: The words of an edit that only switched a unit or an account off or on (the services
#: record it as an edit of the whole snapshot): (switched off, switched on).
SWITCHED = {
    "unit.update": (_l("Deactivate"), _l("Reactivate")),
    "user.update": (_l("Deactivate"), _l("Activate")),
}


def _switched(event: AuditEvent) -> str | None:
    """The words of an edit whose one change is `active` ("Deactivate", "Reactivate")."""
    pair = SWITCHED.get(event.action)
    before, after = event.before or {}, event.after or {}
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    if pair is None or changed != {"active"}:
        return None
    return str(pair[bool(after.get("active"))])


def what(event: AuditEvent) -> str:
    """The page's "What": the object type and the action, "Flag · Acknowledge"; an action
    without words shows its key; an edit that only switched a unit or an account off or on
    says so ("Unit · Deactivate")."""
    words = _switched(event) or action_words(event.action)
    if words is None:
        return event.action
    return _("%(object)s · %(action)s", object=label(event.entity_type), action=words)


def field_words(entity_type: str, name: str) -> str:
    """A field's name in words: its object's own name for it, else the field's; else the key."""
    found = LABELS.get(f"{entity_type}.{name}") or LABELS.get(name)
    return str(found) if found is not None else name


def _state_words(workflow: Workflow, value: str) -> str | None:
    try:
        return workflow.state(value).label.get(select_locale())
    except KeyError:
        return None


def vocabulary(event: AuditEvent, name: str) -> Words | None:
    """The names of the values field `name` of `event` may hold, when they have names."""
    workflow, _verb = workflow_of(event.action)
    if workflow is not None and name == "state":
        return lambda value: _state_words(workflow, value)
    if workflow is not None and name == "timer":
        return lambda value: action_words(f"{workflow.key}.{value}")
    return VALUES.get((event.entity_type, name)) or VALUES.get(name)


def value_words(event: AuditEvent, name: str, value: Any) -> str:
    """A value in words where it belongs to a `vocabulary` (a state, a rule, a role…), a
    list of them as the reader's language lists words (a、b), yes or no, "—" for none;
    anything else as the log shows it (queries.shown)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    words = vocabulary(event, name)
    if words is not None and isinstance(value, str):
        return words(value) or value
    if words is not None and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return name_list(words(v) or v for v in value).in_language(get_translations()) or "—"
    return shown(value)
