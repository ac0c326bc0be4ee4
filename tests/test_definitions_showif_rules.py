"""The definition loader's show_if rules: earlier items, operators per type, values, depth."""

from __future__ import annotations

import pytest

from dudao.definitions.loader import load_text
from dudao.definitions.spec import Operator
from tests.definition_world import item, problem_at, problems

# -- show_if ----------------------------------------------------------------------

EARLIER = """\
- {key: yn, type: yes_no, label: A}
- {key: ch, type: single_choice, label: B, options: [{key: a, label: A}, {key: b, label: B}]}
- {key: nt, type: note, label: 提示}
"""


def show_if(condition: str) -> str:
    return item(f"- {{key: z, type: text, label: Z, show_if: {condition}}}", before=EARLIER)


@pytest.mark.parametrize(
    ("condition", "path", "message"),
    [
        ("{item: yn2, equals: 'yes'}", "show_if.item", "unknown item 'yn2'; did you mean 'yn'?"),
        ("{item: later, answered: true}", "show_if.item",
         "item 'later' comes later; show_if may only refer to earlier items"),
        ("{item: z, answered: true}", "show_if.item", "an item cannot depend on itself ('z')"),
        ("{item: yn, gte: 3}", "show_if.gte",
         "'gte' cannot test a yes_no item (allowed: equals, not_equals, in, answered)"),
        ("{item: yn, equals: na}", "show_if.equals", "unknown answer 'na' (one of: yes, no)"),
        ("{item: ch, in: [a, c]}", "show_if.in[1]", "unknown option 'c' (one of: a, b)"),
        ("{item: nt, answered: true}", "show_if.item",
         "item 'nt' is a note and has no answer to test"),
        ("{item: yn, equals: 'yes', answered: true}", "show_if.answered",
         "a condition has one operator, found equals and answered; combine with all/any"),
        ("{item: yn}", "show_if",
         "a condition needs one operator: equals, not_equals, in, lt, lte, gt, gte, "
         "answered, all, any"),
        ("{all: []}", "show_if.all", "cannot be an empty list of conditions"),
        ("{any: [{item: yn, answered: 'x'}]}", "show_if.any[0].answered",
         "expected true or false, got text"),
        ("{item: yn, equal: 'yes'}", "show_if.equal",
         "unknown field 'equal'; did you mean 'equals'?"),
    ],
)  # fmt: skip
def test_show_if_problems(condition: str, path: str, message: str) -> None:
    text = show_if(condition)
    if "later" in condition:
        text += "\n      - {key: later, type: yes_no, label: L}\n"
    assert problem_at(text, f"sections[0].items[3].{path}").endswith(f": {message}")


def test_show_if_item_is_located_exactly() -> None:
    text = item(
        "- key: b\n  type: yes_no\n  label: B\n  show_if:\n    item: a\n    equals: 'yes'\n"
        "- {key: a, type: yes_no, label: A}\n"
    )
    assert problem_at(text, "sections[0].items[0].show_if.item") == (
        "12:17: sections[0].items[0].show_if.item: "
        "item 'a' comes later; show_if may only refer to earlier items"
    )


def test_show_if_groups_and_values_load() -> None:
    text = show_if(
        "{any: [{item: yn, equals: 'no'}, "
        "{all: [{item: ch, in: [a, b]}, {item: yn, answered: true}]}]}"
    )
    condition = load_text(text).definition.item("z").show_if
    assert condition.op is Operator.ANY
    assert list(condition.items()) == ["yn", "ch", "yn"]
    assert condition.conditions[1].conditions[0].value == ("a", "b")


def test_show_if_depth_is_limited() -> None:
    condition = "{item: yn, answered: true}"
    for _ in range(12):
        condition = f"{{all: [{condition}]}}"
    assert any("nested more than 10 deep" in p for p in problems(show_if(condition)))
