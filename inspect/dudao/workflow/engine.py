"""The one engine that moves inspections, rectifications and flags between states.

It checks the current state, the actor's role on the subject's unit, assignee-only
transitions, required fields and guards; writes the new state and an audit event
in the caller's transaction; refuses a transition made against an older version
("changed meanwhile"); and runs follow-up effects only after commit.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from sqlalchemy import Table, Update, bindparam, inspect, update
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from dudao.audit.services import record, record_batch
from dudao.core.database import Base, utcnow
from dudao.core.effects import after_commit
from dudao.core.errors import (
    N_,
    DudaoError,
    Listed,
    Message,
    PermissionDenied,
    ValidationError,
    field_problem,
)
from dudao.core.permissions import roles_on
from dudao.definitions.spec import LocalText
from dudao.org.models import Unit
from dudao.workflow.guards import GUARDS
from dudao.workflow.registry import get_workflow
from dudao.workflow.spec import Transition, Workflow


class Subject(Protocol):
    """What the engine moves: an inspection, a rectification, a flag."""

    __tablename__: str
    id: int
    workflow: str
    state: str
    version: int
    unit: Unit

    @property
    def assignee_ids(self) -> set[int]: ...


class Conflict(DudaoError):
    """Someone else changed the subject since the actor loaded it."""


_CHANGED_MEANWHILE = N_("This was changed by someone else meanwhile; reload and try again.")

#: The fields a transition may require, as a refusal names them to a reader.
FIELD_NAMES = {"comment": N_("comment"), "reason": N_("reason")}
#: The longest comment or reason a step keeps: it goes into the audit event, the history
#: and every notification and e-mail of the step.
FIELD_MAX = 4000


class TransitionRefused(ValidationError):
    pass


class UnknownAction(TransitionRefused):
    """An action the workflow has in no state: the request is wrong, not the moment."""


@dataclass(frozen=True)
class Applied:
    subject_type: str
    subject_id: int
    action: str
    source: str
    target: str
    audit_event_id: int


#: Called after commit with each Applied transition. Named, not imported: they live in
#: features that build on the workflow (notifications, trends), which the engine must not import.
LISTENER_NAMES = (
    "dudao.notifications.jobs:enqueue_transition",
    "dudao.trends.jobs:enqueue_after_submit",
)


@cache
def listeners() -> tuple[Callable[[Any, Applied], None], ...]:
    """The after-commit listeners of LISTENER_NAMES, imported once, at the first transition."""
    found = []
    for name in LISTENER_NAMES:
        module, attribute = name.split(":")
        found.append(getattr(importlib.import_module(module), attribute))
    return tuple(found)


def announce(session: Session, applied: Applied) -> None:
    """Run the listeners for `applied` after commit (also for a subject's creation, which a
    feature records itself, e.g. a rectification task opened in state `open`)."""
    settings = session.info.get("settings")
    for listener in listeners():
        after_commit(session, listener, settings, applied)


def allowed(actor: Any, transition: Transition, subject: Subject) -> bool:
    if not set(transition.roles) & roles_on(actor, subject.unit):
        return False
    return not transition.assignee_only or getattr(actor, "id", None) in subject.assignee_ids


def available_actions(actor: Any, subject: Subject) -> list[Transition]:
    """The transitions `actor` may try now (guards and fields are checked when applied)."""
    workflow = get_workflow(subject.workflow)
    return [t for t in workflow.transitions_from(subject.state) if allowed(actor, t, subject)]


def _check(
    session: Session, workflow: Workflow, actor: Any, subject: Subject, action: str,
    state: str, fields: dict[str, str],
) -> Transition:  # fmt: skip
    """The transition `action` takes from `state` (the subject's, or the one an earlier step
    of the same `apply` reaches), if `actor` may take it now."""
    transition = workflow.transition(action, state)
    label = _action_label(workflow, action)
    known = sorted({t.action for t in workflow.transitions})
    if action not in known:
        expected = Message(N_("one of: %(actions)s"), actions=", ".join(known))
        raise UnknownAction(
            Message(N_("Name the action, one of: %(actions)s."), actions=", ".join(known))
            if not action
            else Message(N_("There is no action “%(action)s” here, only: %(actions)s."),
                         action=action, actions=", ".join(known)),
            [field_problem("action", expected)],
        )  # fmt: skip
    if transition is None:
        now = workflow.state(state).label
        raise TransitionRefused(
            Message(N_("“%(action)s” is not possible while it is “%(state)s”."),
                    action=label, state=now),
            [field_problem("action", Message(N_("not possible while “%(state)s”"), state=now))],
        )  # fmt: skip
    if not allowed(actor, transition, subject):
        raise PermissionDenied(Message(N_("Your roles do not allow “%(action)s” here."),
                                       action=label))  # fmt: skip
    problems, said = [], []
    for name in transition.requires:
        if not fields.get(name):
            problems.append(field_problem(name, Message(N_("required"))))
            field = Message(FIELD_NAMES.get(name, name))
            said.append(Message(N_("fill in the %(field)s"), field=field))
    for name, noun in FIELD_NAMES.items():
        if len(fields.get(name, "")) > FIELD_MAX:
            most = Message(N_("Keep it to %(n)d characters or fewer."), n=FIELD_MAX)
            problems.append(field_problem(name, most))
            said.append(Message(N_("keep the %(field)s to %(n)d characters or fewer"),
                                field=Message(noun), n=FIELD_MAX))  # fmt: skip
    for name in transition.guards:
        message = GUARDS[name](session, subject)
        if message:
            problems.append(field_problem(name, message))
            said.append(message)
    if problems:
        raise TransitionRefused(
            Message(N_("“%(action)s” is not possible yet: %(problems)s"),
                    action=label, problems=Listed(said)),
            problems,
        )  # fmt: skip
    return transition


def _action_label(workflow: Workflow, action: str) -> LocalText | str:
    """The action's label, from any transition that takes it; the key when none does."""
    return next((t.label for t in workflow.transitions if t.action == action), action)


def apply(
    session: Session,
    actor: Any,
    subject: Subject,
    action: str,
    *,
    expected_version: int | None = None,
    fields: dict[str, str] | None = None,
    via: Sequence[str] = (),
) -> Applied:
    """Apply `action` to `subject`; raises Conflict, PermissionDenied or TransitionRefused.

    `via` names actions to take first, in the same step (a submission of an assigned
    inspection: via start, then submit): each is checked as if applied on its own and
    has its own audit event, but the subject is written once and the events are
    appended together, so the audit log stays locked for one short append. `fields`
    go with `action` only. Returns the last transition.
    """
    fields = {k: v.strip() for k, v in (fields or {}).items() if isinstance(v, str) and v.strip()}
    if expected_version is not None and expected_version != subject.version:
        raise Conflict(Message(_CHANGED_MEANWHILE))
    workflow = get_workflow(subject.workflow)
    state = subject.state
    steps: list[tuple[str, str, str, dict[str, str]]] = []
    for name in (*via, action):
        given = fields if name == action else {}
        transition = _check(session, workflow, actor, subject, name, state, given)
        steps.append((name, state, transition.target, given))
        state = transition.target
    _write_state(session, subject, state)
    event_ids = record_batch(
        session, actor,
        [(f"{workflow.key}.{name}", subject.__tablename__, subject.id,
          {"state": source}, {"state": target, **given})
         for name, source, target, given in steps],
    )  # fmt: skip
    done = [
        Applied(subject.__tablename__, subject.id, name, source, target, event_id)
        for (name, source, target, _given), event_id in zip(steps, event_ids, strict=True)
    ]
    for applied in done:
        announce(session, applied)
    return done[-1]


def _write_state(session: Session, subject: Subject, state: str) -> None:
    """Move `subject` to `state` with one UPDATE ... WHERE id AND version: the optimistic
    lock, a Conflict when someone else moved it first.

    On the hottest write (a tablet's submission) the unit of work's flush of one changed
    attribute costs more than the statement; the written values are then set on the
    object as loaded ones, so it stays clean and nothing is written twice. A subject not
    yet in the database, with other unsaved changes, or whose model reacts to a change of
    state (a validator, an update event) goes through the flush instead.
    """
    moment = utcnow()
    record_ = inspect(subject, raiseerr=False)  # None for a plain subject (a WorkItem)
    direct = record_ is None or (
        record_.persistent and not record_.modified and _plainly_written(record_.mapper)
    )
    if not direct:
        subject.state = state
        if hasattr(subject, "state_changed_at"):
            subject.state_changed_at = moment
    try:
        session.flush()  # the caller's other changes first, as they always went
    except StaleDataError as exc:
        raise Conflict(Message(_CHANGED_MEANWHILE)) from exc
    if not direct:
        return
    if record_ is None and not _plainly_written(_mapper_of(subject.__tablename__)):
        raise TypeError(f"A {subject.__tablename__} reacts to its state: move the ORM object.")
    table = Base.metadata.tables[subject.__tablename__]
    values = {"state": state, "version": subject.version + 1}
    if "state_changed_at" in table.c:
        values["state_changed_at"] = moment
    where = {"where_id": subject.id, "where_version": subject.version}
    moved = session.execute(_move(table), {**values, **where})
    if moved.rowcount != 1:
        raise Conflict(Message(_CHANGED_MEANWHILE))
    for name, value in values.items():
        if record_ is None:
            setattr(subject, name, value)
        else:
            set_committed_value(subject, name, value)


@cache
def _plainly_written(mapper: Mapper[Any]) -> bool:
    """Whether an UPDATE of the state skips nothing the ORM would do on a flush."""
    events = mapper.dispatch
    return "state" not in mapper.validators and not (events.before_update or events.after_update)


@cache
def _mapper_of(table_name: str) -> Mapper[Any]:
    """The model of a plain subject's table, whose ORM rules `_write_state` must keep."""
    return next(m for m in Base.registry.mappers if m.local_table.name == table_name)


@cache
def _move(table: Table) -> Update:
    """A subject table's state UPDATE, built once; the values it sets come with the call."""
    return update(table).where(
        table.c.id == bindparam("where_id"), table.c.version == bindparam("where_version")
    )


def apply_timer(session: Session, subject: Subject, timer_key: str, target: str) -> Applied:
    """Move `subject` to `target` because timer `timer_key` fired (the system acts, no role).

    Same rules as `apply` otherwise: optimistic locking (Conflict when someone acted
    meanwhile), an audit event by the system actor, listeners after commit.
    """
    workflow = get_workflow(subject.workflow)
    workflow.state(target)  # KeyError for a target the workflow does not have
    source = subject.state
    _write_state(session, subject, target)
    event = record(
        session, None, f"{workflow.key}.{timer_key}", subject.__tablename__, subject.id,
        before={"state": source}, after={"state": target, "timer": timer_key},
    )  # fmt: skip
    applied = Applied(subject.__tablename__, subject.id, timer_key, source, target, event.id)
    announce(session, applied)
    return applied
