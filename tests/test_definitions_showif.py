"""show_if: the Python evaluator, and proof that the browser's showif.js agrees with it."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dudao.definitions.showif import (
    condition_from_json,
    condition_to_json,
    evaluate,
    visible_items,
)
from dudao.definitions.spec import (
    Condition,
    Definition,
    Item,
    ItemType,
    Kind,
    LocalText,
    Operator,
    Section,
)

ROOT = Path(__file__).resolve().parents[1]
CASES_FILE = ROOT / "tests" / "data" / "showif_cases.json"
CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))


def definition_of(items: list[dict[str, Any]]) -> Definition:
    """A one-section questionnaire with text items and the given conditions."""
    built = tuple(
        Item(
            entry["key"],
            ItemType.TEXT,
            LocalText(entry["key"]),
            show_if=condition_from_json(entry["show_if"]) if "show_if" in entry else None,
        )
        for entry in items
    )
    return Definition(
        Kind.QUESTIONNAIRE, "t", LocalText("t"), (Section("s", LocalText("s"), built),)
    )


@pytest.mark.parametrize("case", CASES["evaluate"], ids=lambda c: c["name"])
def test_python_evaluate(case: dict[str, Any]) -> None:
    assert evaluate(condition_from_json(case["condition"]), case["answers"]) is case["expected"]


@pytest.mark.parametrize("case", CASES["visible"], ids=lambda c: c["name"])
def test_python_visible_items(case: dict[str, Any]) -> None:
    definition = definition_of(case["items"])
    assert visible_items(definition, case["answers"]) == set(case["expected"])


def test_javascript_agrees_with_python_on_every_case() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: cannot run web/static/showif.js")
    run = subprocess.run(
        [node, str(ROOT / "tests" / "js" / "showif_cases.js"), str(CASES_FILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    js = json.loads(run.stdout)
    python_evaluate = [
        evaluate(condition_from_json(c["condition"]), c["answers"]) for c in CASES["evaluate"]
    ]
    python_visible = [
        [
            i["key"]
            for i in c["items"]
            if i["key"] in visible_items(definition_of(c["items"]), c["answers"])
        ]
        for c in CASES["visible"]
    ]
    assert js["evaluate"] == python_evaluate
    assert js["visible"] == python_visible
    # And both match what the cases say.
    assert js["evaluate"] == [c["expected"] for c in CASES["evaluate"]]
    assert js["visible"] == [c["expected"] for c in CASES["visible"]]


def test_json_round_trip_keeps_the_condition() -> None:
    condition = Condition(
        Operator.ALL,
        conditions=(
            Condition(Operator.IN, "a", ("x", "y")),
            Condition(Operator.ANSWERED, "b"),
            Condition(Operator.LT, "c", 3),
        ),
    )
    data = condition_to_json(condition)
    assert data["conditions"][0] == {"op": "in", "item": "a", "value": ["x", "y"]}
    assert "value" not in data["conditions"][1]
    assert condition_from_json(json.loads(json.dumps(data))) == condition


def test_every_operator_has_a_shared_case() -> None:
    seen: set[str] = set()

    def walk(condition: dict[str, Any]) -> None:
        seen.add(condition["op"])
        for sub in condition.get("conditions", []):
            walk(sub)

    for case in CASES["evaluate"]:
        walk(case["condition"])
    assert seen == {str(op) for op in Operator}


VALUES = [
    None,
    "",
    "  ",
    "yes",
    "no",
    "na",
    "3",
    "3.0",
    " 3 ",
    "-2",
    "2.5",
    "10",
    "abc",
    "Abc",
    "2024-01-05",
    "2024-11-30",
    3,
    2.5,
    0,
    -2,
    True,
    False,
    [],
    ["x", "3"],
    ["yes"],
    ["abc", 10],
]
LEAF_OPS = ["equals", "not_equals", "in", "lt", "lte", "gt", "gte", "answered"]


def random_condition(rng: random.Random, keys: list[str], depth: int = 0) -> dict[str, Any]:
    if depth < 2 and rng.random() < 0.25:
        subs = [random_condition(rng, keys, depth + 1) for _ in range(rng.randint(0, 3))]
        return {"op": rng.choice(["all", "any"]), "conditions": subs}
    op = rng.choice(LEAF_OPS)
    condition: dict[str, Any] = {"op": op, "item": rng.choice(keys)}
    if op == "in":
        condition["value"] = rng.sample([v for v in VALUES if not isinstance(v, list)], 3)
    elif op == "answered":
        if rng.random() < 0.7:
            condition["value"] = rng.choice([True, False])
    else:
        value = rng.choice(VALUES)
        if value is not None:
            condition["value"] = value
    return condition


def test_javascript_agrees_on_random_cases(tmp_path: Path) -> None:
    """Many generated conditions and answers, reproducible from the seed."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: cannot run web/static/showif.js")
    rng = random.Random(20261125)
    keys = ["a", "b", "c", "d"]
    cases: dict[str, list[dict[str, Any]]] = {"evaluate": [], "visible": []}
    for _ in range(600):
        answers = {k: rng.choice(VALUES) for k in keys if rng.random() < 0.8}
        cases["evaluate"].append(
            {"condition": random_condition(rng, keys), "answers": answers, "expected": None}
        )
    for _ in range(200):
        items = []
        for n, key in enumerate(keys):
            entry: dict[str, Any] = {"key": key}
            if n and rng.random() < 0.7:
                entry["show_if"] = random_condition(rng, keys[:n])
            items.append(entry)
        answers = {k: rng.choice(VALUES) for k in keys}
        cases["visible"].append({"items": items, "answers": answers, "expected": None})
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    run = subprocess.run(
        [node, str(ROOT / "tests" / "js" / "showif_cases.js"), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    js = json.loads(run.stdout)
    for case, result in zip(cases["evaluate"], js["evaluate"], strict=True):
        expected = evaluate(condition_from_json(case["condition"]), case["answers"])
        assert result == expected, case
    for case, result in zip(cases["visible"], js["visible"], strict=True):
        shown = visible_items(definition_of(case["items"]), case["answers"])
        assert result == [i["key"] for i in case["items"] if i["key"] in shown], case
    # The generator is not degenerate: both outcomes occur often.
    outcomes = [bool(r) for r in js["evaluate"]]
    assert 100 < sum(outcomes) < 500
