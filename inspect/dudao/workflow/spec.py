"""The in-memory shape of a workflow: states, transitions and timers."""

from __future__ import annotations

from dataclasses import dataclass, field

from dudao.core.enums import Role
from dudao.definitions.spec import LocalText


@dataclass(frozen=True)
class State:
    key: str
    label: LocalText
    final: bool = False


@dataclass(frozen=True)
class Transition:
    """`action` moves a subject from any of `sources` to `target`.

    Only holders of one of `roles` on the subject's unit may act; with
    `assignee_only`, only the subject's assignees among them. `requires` names
    fields the actor must fill (e.g. "comment"); `guards` name checks registered
    by the features (e.g. "all_required_answered").
    """

    action: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[Role, ...]
    label: LocalText
    assignee_only: bool = False
    requires: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()


@dataclass(frozen=True)
class Timer:
    """`remind` N days before the due date, or `escalate` N days after it, while the subject
    is in one of `states`; an escalation may also move it to `target` (e.g. overdue)."""

    key: str
    kind: str
    days: int
    states: tuple[str, ...]
    notify: tuple[str, ...]
    target: str | None = None


@dataclass(frozen=True)
class Workflow:
    key: str
    title: LocalText
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    timers: tuple[Timer, ...] = ()
    _states: dict[str, State] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._states.update({state.key: state for state in self.states})

    def state(self, key: str) -> State:
        return self._states[key]

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def transition(self, action: str, state: str) -> Transition | None:
        return next((t for t in self.transitions_from(state) if t.action == action), None)

    def late_in(self, state: str) -> bool:
        """Whether a subject past its due date is late in `state`: the states the workflow's
        escalation timers watch (an approved inspection past its date is not late)."""
        return any(t.kind == "escalate" and state in t.states for t in self.timers)
