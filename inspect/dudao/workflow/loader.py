"""Load and validate workflows/*.yaml; every problem located as `file:line:col: path: message`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dudao.core.enums import Role
from dudao.core.errors import N_, Message
from dudao.definitions.checks import INVALID, Checker
from dudao.definitions.problems import DefinitionError
from dudao.definitions.spec import LocalText
from dudao.definitions.yamlsource import Source, read_checked
from dudao.workflow.guards import GUARDS
from dudao.workflow.spec import State, Timer, Transition, Workflow

TOP_FIELDS = ("key", "title", "initial", "states", "transitions", "timers")
STATE_FIELDS = ("label", "final")
TRANSITION_FIELDS = (
    "action", "from", "to", "roles", "label", "assignee_only", "requires", "guards",
)  # fmt: skip
TIMER_FIELDS = ("key", "kind", "days", "states", "notify", "target")
TIMER_KINDS = ("remind", "escalate")
AUDIENCES = ("assignees", "unit_lead", "office")
REQUIRABLE = ("comment", "reason")
#: What an unknown name was meant to be, in "unknown state 'x' (one of: ...)".
STATE, ROLE, FIELD, GUARD = N_("state"), N_("role"), N_("field"), N_("guard")


class WorkflowError(DefinitionError):
    """A workflow file cannot be loaded; `problems` are located like definition problems."""


def _local(check: Checker, value: Any, path: tuple) -> LocalText | Any:
    text = check.local_text(value, path)
    return INVALID if text is INVALID else LocalText(text["zh"], text["en"])


def _names(check: Checker, value: Any, path: tuple, allowed: tuple[str, ...], what: str) -> tuple:
    """A name or a list of names, each one of `allowed`."""
    values = value if isinstance(value, list) else [value]
    names = []
    for index, name in enumerate(values):
        where = (*path, index) if isinstance(value, list) else path
        checked = check.choice(name, where, allowed, Message(what))
        if checked is not INVALID:
            names.append(checked)
    return tuple(names)


class _Reader:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.check = Checker(source)

    def run(self) -> Workflow | None:
        c, raw = self.check, self.source.data
        if not isinstance(raw, dict):
            c.add((), Message(N_("a workflow must be a mapping (key, title, initial, states, "
                                 "transitions)")))  # fmt: skip
            return None
        c.fields(raw, (), TOP_FIELDS)
        for name in ("key", "title", "initial", "states", "transitions"):
            c.require(raw, (), name)
        key = c.key(raw.get("key"), ("key",)) if "key" in raw else INVALID
        title = _local(c, raw.get("title"), ("title",)) if "title" in raw else INVALID
        states = self.states(raw.get("states"))
        names = tuple(s.key for s in states)
        initial = INVALID
        if "initial" in raw:
            initial = c.choice(raw["initial"], ("initial",), names, Message(STATE))
        transitions = self.transitions(raw.get("transitions"), names)
        timers = self.timers(raw.get("timers") or [], names)
        if self.source.problems:
            return None
        return Workflow(key, title, initial, states, transitions, timers)

    def states(self, raw: Any) -> tuple[State, ...]:
        c, states = self.check, []
        if c.mapping(raw, ("states",), Message(N_("a mapping of state names"))) is INVALID:
            return ()
        for name, spec in raw.items():
            path = ("states", name)
            if c.key(name, path) is INVALID or c.mapping(spec, path) is INVALID:
                continue
            c.fields(spec, path, STATE_FIELDS)
            if not c.require(spec, path, "label"):
                continue
            label = _local(c, spec["label"], (*path, "label"))
            final = c.boolean(spec.get("final", False), (*path, "final"))
            if label is not INVALID and final is not INVALID:
                states.append(State(name, label, final))
        return tuple(states)

    def transitions(self, raw: Any, states: tuple[str, ...]) -> tuple[Transition, ...]:
        c, result, seen = self.check, [], set()
        if not isinstance(raw, list):
            c.add(("transitions",), Message(N_("expected a list of transitions")))
            return ()
        roles = tuple(r.value for r in Role)
        for index, spec in enumerate(raw):
            path = ("transitions", index)
            if c.mapping(spec, path) is INVALID:
                continue
            c.fields(spec, path, TRANSITION_FIELDS)
            if not all([c.require(spec, path, n) for n in ("action", "from", "to", "roles")]):
                continue
            action = c.key(spec["action"], (*path, "action"))
            sources = _names(c, spec["from"], (*path, "from"), states, STATE)
            target = c.choice(spec["to"], (*path, "to"), states, Message(STATE))
            allowed = _names(c, spec["roles"], (*path, "roles"), roles, ROLE)
            label = _local(c, spec.get("label", action), (*path, "label"))
            only = c.boolean(spec.get("assignee_only", False), (*path, "assignee_only"))
            requires = _names(c, spec.get("requires", []), (*path, "requires"), REQUIRABLE, FIELD)
            guards = _names(c, spec.get("guards", []), (*path, "guards"), tuple(GUARDS), GUARD)
            for source in sources:
                if (action, source) in seen:
                    twice = Message(N_("action '%(action)s' from '%(state)s' is defined twice"),
                                    action=action, state=source)  # fmt: skip
                    c.add((*path, "from"), twice)
                seen.add((action, source))
            if INVALID not in (action, target, label, only):
                result.append(
                    Transition(
                        action, sources, target, tuple(Role(r) for r in allowed),
                        label, only, requires, guards,
                    )
                )  # fmt: skip
        return tuple(result)

    def timers(self, raw: Any, states: tuple[str, ...]) -> tuple[Timer, ...]:
        c, result = self.check, []
        if not isinstance(raw, list):
            c.add(("timers",), Message(N_("expected a list of timers")))
            return ()
        for index, spec in enumerate(raw):
            path = ("timers", index)
            if c.mapping(spec, path) is INVALID:
                continue
            c.fields(spec, path, TIMER_FIELDS)
            if not all([c.require(spec, path, n) for n in ("key", "kind", "days", "states")]):
                continue
            key = c.key(spec["key"], (*path, "key"))
            kind = c.choice(spec["kind"], (*path, "kind"), TIMER_KINDS, Message(N_("timer kind")))
            days = c.integer(spec["days"], (*path, "days"), 0, 365)
            in_states = _names(c, spec["states"], (*path, "states"), states, STATE)
            notify = _names(
                c, spec.get("notify", ["assignees"]), (*path, "notify"), AUDIENCES, N_("audience")
            )
            target = None
            if spec.get("target") is not None:
                target = c.choice(spec["target"], (*path, "target"), states, Message(STATE))
            if INVALID not in (key, kind, days, target):
                result.append(Timer(key, kind, days, in_states, notify, target))
        return tuple(result)


def load_workflow_text(text: str, filename: str = "<text>") -> Workflow:
    return read_checked(text, filename, lambda source: _Reader(source).run(), WorkflowError)


def load_workflow_file(path: Path) -> Workflow:
    return load_workflow_text(path.read_text(encoding="utf-8"), str(path))
