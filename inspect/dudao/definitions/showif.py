"""`show_if`: which items a respondent sees, given the answers so far.

web/static/showif.js implements exactly the same rules in the browser, and
tests/data/showif_cases.json holds the cases both must agree on. The rules:

- Values are normalised before comparing: a string is trimmed ("" is no answer)
  and a string that looks like a plain decimal number ("3", "-2.5") becomes a
  number; True/False become "yes"/"no"; a list normalises element-wise.
- `equals`: the answer is the value (for a list answer: the value is among the
  chosen); `not_equals` is exactly its negation, so it holds for no answer.
- `in`: the answer (or any chosen element) is one of the values.
- `lt`, `lte`, `gt`, `gte`: both numbers, or both strings (ISO dates compare
  correctly as strings); otherwise false. No answer is false.
- `answered`: value true (or absent) when there is an answer, false when not.
- `all` / `any` combine conditions (an empty `all` is true, an empty `any` false).
- An item whose condition refers to a hidden (or unknown, or later) item is
  hidden too, whatever its condition says.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dudao.definitions.spec import Condition, Definition, Operator

#: A number as answers hold it: ASCII digits only, as in the browser (static/showif.js).
NUMBER = re.compile(r"^-?\d+(\.\d+)?$", re.ASCII)
#: Digits, point and minus as a Chinese keyboard types them (full width), in ASCII.
_HALF_WIDTH = str.maketrans("－．０１２３４５６７８９", "-.0123456789")


def half_width(text: str) -> str:
    """`text` with full-width digits, point and minus in ASCII: "１２" is the number 12
    here and in the browser (showif.js: halfWidth), so both show and check the same items."""
    return text.translate(_HALF_WIDTH)


def normalise(value: Any) -> Any:
    """The comparable form of an answer or a condition value (see the module doc)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        ascii = half_width(text)
        return float(ascii) if NUMBER.match(ascii) else text
    if isinstance(value, list | tuple):
        return [n for n in (normalise(v) for v in value) if n is not None]
    return str(value)


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None or isinstance(a, list) or isinstance(b, list):
        return False
    if isinstance(a, float) != isinstance(b, float):
        return False
    return a == b


def _order(a: Any, b: Any, op: Operator) -> bool:
    if a is None or b is None or isinstance(a, list) or isinstance(b, list):
        return False
    if isinstance(a, float) != isinstance(b, float):
        return False
    if op is Operator.LT:
        return a < b
    if op is Operator.LTE:
        return a <= b
    if op is Operator.GT:
        return a > b
    return a >= b


def _answered(answer: Any) -> bool:
    return answer is not None and answer != []


def _equals(answer: Any, value: Any) -> bool:
    if isinstance(answer, list):
        return any(_same(a, value) for a in answer)
    return _same(answer, value)


def evaluate(condition: Condition, answers: Mapping[str, Any]) -> bool:
    """Whether `condition` holds for `answers` (item key -> answer)."""
    op = Operator(condition.op)
    if op is Operator.ALL:
        return all(evaluate(c, answers) for c in condition.conditions)
    if op is Operator.ANY:
        return any(evaluate(c, answers) for c in condition.conditions)
    answer = normalise(answers.get(condition.item)) if condition.item is not None else None
    if op is Operator.ANSWERED:
        wanted = True if condition.value is None else bool(condition.value)
        return _answered(answer) == wanted
    value = normalise(condition.value)
    if op is Operator.EQUALS:
        return _equals(answer, value)
    if op is Operator.NOT_EQUALS:
        return not _equals(answer, value)
    if op is Operator.IN:
        values = value if isinstance(value, list) else [value]
        return any(_equals(answer, v) for v in values)
    if isinstance(answer, list):
        return False
    return _order(answer, value, op)


def visible_items(definition: Definition, answers: Mapping[str, Any]) -> set[str]:
    """Keys of the items shown for `answers`, walking the items in order."""
    visible: set[str] = set()
    for item in definition.items:
        condition = item.show_if
        if condition is None or (
            all(key in visible for key in condition.items()) and evaluate(condition, answers)
        ):
            visible.add(item.key)
    return visible


def condition_to_json(condition: Condition) -> dict[str, Any]:
    """The JSON shape the browser evaluator reads."""
    data: dict[str, Any] = {"op": str(condition.op)}
    if condition.item is not None:
        data["item"] = condition.item
    if condition.value is not None:
        value = condition.value
        data["value"] = list(value) if isinstance(value, tuple) else value
    if condition.conditions:
        data["conditions"] = [condition_to_json(c) for c in condition.conditions]
    return data


def condition_from_json(data: Mapping[str, Any]) -> Condition:
    """The inverse of `condition_to_json` (used by tests and the JSON API)."""
    value = data.get("value")
    return Condition(
        op=Operator(data["op"]),
        item=data.get("item"),
        value=tuple(value) if isinstance(value, list) else value,
        conditions=tuple(condition_from_json(c) for c in data.get("conditions", ())),
    )
