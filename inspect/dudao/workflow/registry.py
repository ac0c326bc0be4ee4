"""The workflows shipped in workflows/*.yaml, loaded once per process."""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

from dudao.config import PROJECT_ROOT
from dudao.core.errors import NotFound
from dudao.definitions.problems import Problem
from dudao.workflow.loader import WorkflowError, load_workflow_file
from dudao.workflow.spec import Workflow

WORKFLOWS_DIR = PROJECT_ROOT / "workflows"
#: Modules that register guards; imported before any workflow is validated.
GUARD_MODULES = ("dudao.workflow.guards", "dudao.inspections.guards")
#: Configuration files that share the folder but are not workflows (trend rules,
#: assessment weights and tiers, campaign targets).
NOT_WORKFLOWS = frozenset({"trends.yaml", "assessment.yaml", "targets.yaml"})


def _import_guards() -> None:
    for module in GUARD_MODULES:
        importlib.import_module(module)


# At import, so every guard is registered before anyone (a test's monkeypatch) reads GUARDS.
_import_guards()


def load_folder(folder: Path = WORKFLOWS_DIR) -> dict[str, Workflow]:
    """Every workflow in `folder`, or WorkflowError listing every problem in every file."""
    _import_guards()
    workflows: dict[str, Workflow] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name in NOT_WORKFLOWS:
            continue
        try:
            workflow = load_workflow_file(path)
        except WorkflowError as exc:
            problems.extend(exc.problems)
            continue
        workflows[workflow.key] = workflow
    if problems:
        raise WorkflowError(problems)
    return workflows


@cache
def _shipped() -> dict[str, Workflow]:
    return load_folder()


def get_workflow(key: str) -> Workflow:
    try:
        return _shipped()[key]
    except KeyError:
        raise NotFound(f"No workflow named {key!r} in {WORKFLOWS_DIR}.") from None


def all_workflows() -> dict[str, Workflow]:
    """Every shipped workflow by key (timers walk them all)."""
    return dict(_shipped())
