"""Fuzz the definition loader: any text ends as a definition or as located problems.

Two kinds of input: random YAML-ish text, and valid definitions with random
structural damage (nodes deleted, replaced, duplicated or retyped), dumped back
to YAML or JSON. Never a traceback.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dudao.definitions.itemrules import ALL_FIELDS
from dudao.definitions.loader import DefinitionError, LoadedDefinition, from_data, load_text
from dudao.definitions.problems import Problem
from tests.definition_world import CHECKLIST, QUESTIONNAIRE

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

VALID = [load_text(CHECKLIST).data, load_text(QUESTIONNAIRE).data]
WORDS = [
    *ALL_FIELDS,
    "kind", "checklist", "questionnaire", "sections", "items", "title", "grades",
    "min_group", "all", "any", "equals", "in", "gte", "answered", "item", "zh", "en",
    "yes", "no", "na", "q1", "q2", "q3", "a", "b", "yes_no", "scale", "rating", "note",
    "single_choice", "photo", "text", "number", "date", "1", "-1", "0.5", "2024-02-30",
]  # fmt: skip
YAML_BITS = [
    ": ", "- ", "\n", "\n  ", "\n    - ", "[", "]", "{", "}", ", ", "&a ", "*a", "!!str ",
    "!x ", "<<: ", "? ", "|\n  ", ">\n  ", "#", "'", '"', "\t", "---\n", "...\n", "%YAML 1.2\n",
    "~", "null", "true", ".nan", "0x1F", "1e400", "\\", "\ufeff", "\x00", "\udcff", "é", "检查",
]  # fmt: skip


def assert_located(text: str, filename: str) -> None:
    """The loader's contract, checked for one input."""
    try:
        loaded = load_text(text, filename)
    except DefinitionError as error:
        assert error.problems
        for problem in error.problems:
            assert isinstance(problem, Problem)
            assert problem.file == filename
            assert 1 <= problem.line <= len(text.splitlines()) + 1
            assert problem.col >= 1
            assert problem.path and problem.message
            assert str(problem) == (
                f"{filename}:{problem.line}:{problem.col}: {problem.path}: {problem.message}"
            )
        return
    assert isinstance(loaded, LoadedDefinition)
    json.dumps(loaded.data, allow_nan=False, ensure_ascii=False).encode()  # storable as is
    assert "\\u0000" not in json.dumps(loaded.data)
    assert from_data(copy.deepcopy(loaded.data)) == loaded.definition


# -- (a) random text ---------------------------------------------------------------

yaml_text = st.lists(
    st.one_of(st.sampled_from(YAML_BITS), st.sampled_from(WORDS), st.text(max_size=4)),
    max_size=40,
).map("".join)


@FUZZ
@given(text=st.one_of(st.text(max_size=200), yaml_text))
def test_random_text(text: str) -> None:
    assert_located(text, "random.yaml")


@FUZZ
@given(text=yaml_text, prefix=st.sampled_from(VALID))
def test_valid_definition_with_random_tail(text: str, prefix: dict[str, Any]) -> None:
    dumped = yaml.safe_dump(prefix, allow_unicode=True, sort_keys=False)
    assert_located(dumped + text, "tail.yaml")


# -- (b) structurally mutated valid definitions -------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(WORDS),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(
            st.one_of(st.sampled_from(WORDS), st.text(max_size=5)), children, max_size=3
        ),
    ),
    max_leaves=8,
)


def paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*path, index))
    return found


def retype(value: Any) -> Any:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return {f"k{i}": v for i, v in enumerate(value)}
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return [value]
    return {}


def mutate(data: Any, data_draw: st.DataObject) -> Any:
    where = data_draw.draw(st.sampled_from(paths(data)))
    op = data_draw.draw(st.sampled_from(["delete", "replace", "duplicate", "retype", "rename"]))
    if not where:
        return data_draw.draw(values) if op == "replace" else retype(data)
    parent = data
    for part in where[:-1]:
        parent = parent[part]
    last = where[-1]
    if op == "delete":
        del parent[last]
    elif op == "replace":
        parent[last] = data_draw.draw(values)
    elif op == "retype":
        parent[last] = retype(parent[last])
    elif op == "duplicate":
        if isinstance(parent, list):
            parent.insert(last, copy.deepcopy(parent[last]))
        else:
            parent[data_draw.draw(st.sampled_from(WORDS))] = copy.deepcopy(parent[last])
    elif isinstance(parent, dict):
        parent[data_draw.draw(st.sampled_from(WORDS))] = parent.pop(last)
    return data


@FUZZ
@given(
    base=st.sampled_from(VALID),
    count=st.integers(min_value=1, max_value=4),
    as_json=st.booleans(),
    data_draw=st.data(),
)
def test_mutated_definitions(
    base: dict[str, Any], count: int, as_json: bool, data_draw: st.DataObject
) -> None:
    data: Any = copy.deepcopy(base)
    for _ in range(count):
        data = mutate(data, data_draw)
    if as_json:
        text = json.dumps(data, ensure_ascii=False, indent=2)
        assert_located(text, "mutated.json")
    else:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        assert_located(text, "mutated.yaml")


@FUZZ
@given(base=st.sampled_from(VALID), data_draw=st.data())
def test_line_level_damage(base: dict[str, Any], data_draw: st.DataObject) -> None:
    """Duplicated, dropped or re-indented lines (duplicate mapping keys, bad nesting)."""
    lines = yaml.safe_dump(base, allow_unicode=True, sort_keys=False).splitlines()
    for _ in range(data_draw.draw(st.integers(min_value=1, max_value=3))):
        index = data_draw.draw(st.integers(min_value=0, max_value=len(lines) - 1))
        op = data_draw.draw(st.sampled_from(["duplicate", "drop", "indent", "dedent"]))
        if op == "duplicate":
            lines.insert(index, lines[index])
        elif op == "drop" and len(lines) > 1:
            del lines[index]
        elif op == "indent":
            lines[index] = "  " + lines[index]
        else:
            lines[index] = lines[index][2:]
    assert_located("\n".join(lines) + "\n", "lines.yaml")


def test_every_valid_base_round_trips() -> None:
    for data in VALID:
        assert_located(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "base.yaml")
        assert load_text(json.dumps(data), "base.json").data == data
