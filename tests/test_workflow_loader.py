"""Workflow files: the shipped three load; mistakes are located as file:line:col."""

from __future__ import annotations

import pytest

from dudao.core.language import translations
from dudao.workflow.loader import WorkflowError, load_workflow_text
from dudao.workflow.registry import load_folder

BROKEN = """\
key: x
title: X
initial: nope
states:
  a: {label: A, finall: true}
transitions:
  - {action: go, from: a, to: b, roles: [boss], guards: [magic]}
  - {action: go, from: a, to: a, roles: [office], requires: [signature]}
timers:
  - {key: t, kind: nag, days: -1, states: [a]}
"""


def test_shipped_workflows_load():
    workflows = load_folder()
    assert {"inspection", "rectification", "flag_triage"} <= set(workflows)
    inspection = workflows["inspection"]
    assert inspection.initial == "planned"
    assert inspection.transition("submit", "in_progress").target == "submitted"
    assert inspection.transition("return", "submitted").requires == ("comment",)
    assert inspection.transition("submit", "planned") is None
    assert workflows["flag_triage"].transition("dismiss", "new").requires == ("reason",)
    overdue = next(t for t in workflows["rectification"].timers if t.key == "overdue")
    assert overdue.target == "overdue"


def test_every_problem_is_located():
    with pytest.raises(WorkflowError) as caught:
        load_workflow_text(BROKEN, "x.yaml")
    problems = [str(p) for p in caught.value.problems]
    assert problems == [
        "x.yaml:3:10: initial: unknown state 'nope' (one of: a)",
        "x.yaml:5:17: states.a.finall: unknown field 'finall'; did you mean 'final'?",
        "x.yaml:7:31: transitions[0].to: unknown state 'b' (one of: a)",
        "x.yaml:7:42: transitions[0].roles[0]: unknown role 'boss' "
        "(one of: admin, office, inspector, unit_lead, representative)",
        "x.yaml:7:58: transitions[0].guards[0]: unknown guard 'magic' "
        "(one of: has_assignees, all_required_answered)",
        "x.yaml:8:24: transitions[1].from: action 'go' from 'a' is defined twice",
        "x.yaml:8:62: transitions[1].requires[0]: unknown field 'signature' "
        "(one of: comment, reason)",
        "x.yaml:10:20: timers[0].kind: unknown timer kind 'nag' (one of: remind, escalate)",
        "x.yaml:10:31: timers[0].days: must be between 0 and 365, got -1",
    ]


def test_problems_read_in_the_default_language():
    """`dudao` prints a broken workflow's problems in zh_CN (docs/i18n.md), every word."""
    with pytest.raises(WorkflowError) as caught:
        load_workflow_text(BROKEN, "x.yaml")
    chinese = [p.shown(translations("zh_CN")) for p in caught.value.problems]
    assert chinese[0] == "x.yaml:3:10: initial: 未知的状态 “nope”（可选：a）"
    assert chinese[5] == "x.yaml:8:24: transitions[1].from: 从 “a” 出发的操作 “go” 定义了两次"
    assert chinese[7] == (
        "x.yaml:10:20: timers[0].kind: 未知的定时器类型 “nag”（可选：remind、escalate）"
    )


def test_a_broken_file_in_the_folder_names_the_file(tmp_path):
    (tmp_path / "good.yaml").write_text(
        "key: g\ntitle: G\ninitial: a\nstates: {a: {label: A}}\ntransitions: []\n"
    )
    (tmp_path / "bad.yaml").write_text("key: [\n")
    with pytest.raises(WorkflowError) as caught:
        load_folder(tmp_path)
    assert str(caught.value.problems[0]).startswith(f"{tmp_path / 'bad.yaml'}:")


def test_trend_rules_beside_the_workflows_are_not_read_as_one(tmp_path):
    (tmp_path / "trends.yaml").write_text("rules: {}\n")
    (tmp_path / "g.yaml").write_text(
        "key: g\ntitle: G\ninitial: a\nstates: {a: {label: A}}\ntransitions: []\n"
    )
    assert list(load_folder(tmp_path)) == ["g"]
