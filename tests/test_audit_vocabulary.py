"""Every action the code hands to the audit log, and every event, field and named value
the demo records, has words on the audit log page: a new action or field without them
fails here rather than showing its key to the office.

The actions are read from the source (each `record(...)` call and each entry tuple of
`record_many` / `record_batch`), the fields and values from the demo's own log, so no list
of keys is kept twice.
"""

from __future__ import annotations

import ast
import re

import pytest
from sqlalchemy import select

from dudao.audit.models import AuditEvent
from dudao.audit.queries import shown
from dudao.audit.words import action_words, field_words, value_words, vocabulary
from dudao.demo.data import DEFAULT_SEED
from dudao.org.models import Unit
from dudao.web.i18n import PACKAGE_DIR as SOURCE
from dudao.web.labels import LABELS
from dudao.workflow.registry import all_workflows
from tests.test_audit_words import visible

#: The calls that append one event, and where each takes the action and the object type.
APPENDS = {"record": 2, "_append": 3}
ACTION = re.compile(r"^[a-z_]+\.[a-z_]+$")


class _Scan(ast.NodeVisitor):
    """The action keys and object types one module hands to the audit log."""

    def __init__(self, assigned: dict[str, set[str]]) -> None:
        self.assigned = assigned
        self.actions: set[str] = set()
        self.types: set[str] = set()
        self.timers: set[str] = set()
        self.problems: list[str] = []
        self.parameters: list[set[str]] = [set()]

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.parameters.append({a.arg for a in [*node.args.args, *node.args.kwonlyargs]})
        self.generic_visit(node)
        self.parameters.pop()

    def visit_Call(self, node: ast.Call) -> None:
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        at = APPENDS.get(name or "")
        if at is not None and len(node.args) > at + 1:
            self._action(node.args[at], node.args[at + 1])
        if name == "apply_timer" and isinstance(node.args[2], ast.Constant):
            self.timers.add(node.args[2].value)  # a move no workflow file declares
        self.generic_visit(node)

    def visit_Tuple(self, node: ast.Tuple) -> None:
        """An entry of record_many / record_batch: (action, type, id, before, after)."""
        first = node.elts[0] if len(node.elts) == 5 else None
        if isinstance(first, ast.JoinedStr) or (
            isinstance(first, ast.Constant) and ACTION.match(str(first.value))
        ):
            self._action(first, node.elts[1])
        self.generic_visit(node)

    def _action(self, action: ast.expr, entity_type: ast.expr) -> None:
        if isinstance(entity_type, ast.Constant):
            self.types.add(entity_type.value)
        if isinstance(action, ast.JoinedStr):
            # f"{workflow.key}.{name}": a workflow's action, named by its file (below).
            if not isinstance(action.values[0], ast.FormattedValue):
                self.problems.append(f"line {action.lineno}: write the action key whole")
            return
        if isinstance(action, ast.Name) and action.id in self.parameters[-1]:
            return  # handed on: checked where it is made
        keys = {s for s in self._strings(action) if ACTION.match(s)}
        if not keys:
            self.problems.append(f"line {action.lineno}: no action key to be seen")
        self.actions |= keys

    def _strings(self, node: ast.expr) -> set[str]:
        found: set[str] = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                found.add(sub.value)
            elif isinstance(sub, ast.Name):
                found |= self.assigned.get(sub.id, set())
        return found


def _assigned(tree: ast.AST) -> dict[str, set[str]]:
    """The strings each name is assigned anywhere in a module."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    strings = {s.value for s in ast.walk(node.value) if isinstance(s, ast.Constant)}
                    found.setdefault(target.id, set()).update(
                        s for s in strings if isinstance(s, str)
                    )
    return found


def recorded() -> tuple[set[str], set[str], set[str], list[str]]:
    """(action keys, object types, ad hoc timer keys, problems) of the whole package."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in SOURCE.rglob("*.py")}
    constants: dict[str, set[str]] = {}  # module constants, for a name imported elsewhere
    for tree in trees.values():
        for name, strings in _assigned(tree).items():
            if name.isupper():
                constants.setdefault(name, set()).update(strings)
    actions, types, timers, problems = set(), set(), set(), []
    for path, tree in sorted(trees.items()):
        scan = _Scan(constants | _assigned(tree))
        scan.visit(tree)
        actions |= scan.actions
        types |= scan.types
        timers |= scan.timers
        problems += [f"{path.relative_to(SOURCE)} {p}" for p in scan.problems]
    return actions, types, timers, problems


def test_every_action_the_code_records_has_words(app):
    actions, types, timers, problems = recorded()
    assert not problems
    assert {"unit.move", "trend_flag.create", "audit.seal_mismatch"} <= actions  # the scan works
    workflows = all_workflows().values()
    with app.test_request_context():
        assert sorted(a for a in actions if action_words(a) is None) == []
        assert sorted(t for t in types if t not in LABELS) == []
        # The actions made from a workflow's key: its transitions, the timers that move.
        made = [f"{w.key}.{t.action}" for w in workflows for t in w.transitions]
        made += [f"{w.key}.{t.key}" for w in workflows for t in w.timers if t.target]
        assert sorted(a for a in made if action_words(a) is None) == []
        for timer in timers:
            assert any(action_words(f"{w.key}.{timer}") for w in workflows), timer


@pytest.mark.demo(seed=DEFAULT_SEED)  # load_demo(session), committed
def test_every_event_field_and_named_value_of_the_demo_has_words(app, client, session, signed_in):
    events = session.execute(
        select(AuditEvent.action, AuditEvent.entity_type, AuditEvent.before, AuditEvent.after)
    ).all()
    missing: set[str] = set()
    with app.test_request_context():
        for action, entity_type, before, after in events:
            event = AuditEvent(action=action, entity_type=entity_type)
            if action_words(action) is None:
                missing.add(action)
            for name, value in [*(before or {}).items(), *(after or {}).items()]:
                if field_words(entity_type, name) == name:
                    missing.add(f"{entity_type}: field {name}")
                named = vocabulary(event, name) is not None and isinstance(value, str | list)
                if named and value and value_words(event, name, value) == shown(value):
                    missing.add(f"{action}: {name} = {value}")
    assert sorted(missing) == []
    # And on the page itself, each object type's newest events: no key shows as text.
    top = session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
    signed_in("gina", ("office", top))
    for entity_type in sorted({e.entity_type for e in events}):
        html = client.get(f"/audit?entity_type={entity_type}").get_data(as_text=True)
        text = visible(html)
        for action in set(re.findall(r'<td class="wrap-short ident"><span title="([^"]+)">', html)):
            assert action not in text, action
        raw = re.findall(r'<dt title="([^"]+)">\1</dt>', html)
        assert raw == [], (entity_type, raw)
