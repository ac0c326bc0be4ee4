"""Validate and normalise `show_if` conditions against the items before them.

A leaf names an earlier item and one operator (`{item: q1, equals: "yes"}`); a
group combines conditions (`{all: [...]}`, `{any: [...]}`). Which operators an
item allows, and which values, follow from the item's type.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dudao.definitions.checks import INVALID, Checker, describe, suggest
from dudao.definitions.problems import Path
from dudao.definitions.scorerules import RATING_MAX, RATING_MIN
from dudao.definitions.spec import ItemType

GROUPS = ("all", "any")
VALUE_OPS = ("equals", "not_equals", "in")
ORDER_OPS = ("lt", "lte", "gt", "gte")
LEAF_OPS = (*VALUE_OPS, *ORDER_OPS, "answered")
ALL_OPS = (*LEAF_OPS, *GROUPS)
MAX_DEPTH = 10

#: The operators each item type can be tested with.
OPERATORS: dict[str, tuple[str, ...]] = {
    ItemType.YES_NO: (*VALUE_OPS, "answered"),
    ItemType.SINGLE_CHOICE: (*VALUE_OPS, "answered"),
    ItemType.MULTI_CHOICE: (*VALUE_OPS, "answered"),
    ItemType.SCALE: LEAF_OPS,
    ItemType.RATING: LEAF_OPS,
    ItemType.NUMBER: LEAF_OPS,
    ItemType.TEXT: (*VALUE_OPS, "answered"),
    ItemType.DATE: LEAF_OPS,
    ItemType.PHOTO: ("answered",),
    ItemType.NOTE: (),
}


class ConditionChecker:
    def __init__(
        self,
        check: Checker,
        earlier: dict[str, dict[str, Any]],
        own_key: Any,
        all_keys: set[str],
    ) -> None:
        self.check = check
        self.earlier = earlier
        self.own_key = own_key
        self.all_keys = all_keys

    def condition(self, raw: Any, path: Path, depth: int = 0) -> dict[str, Any] | Any:
        c = self.check
        if c.mapping(raw, path, 'a condition such as {item: q1, equals: "yes"}') is INVALID:
            return INVALID
        if depth > MAX_DEPTH:
            return c.add(path, f"conditions are nested more than {MAX_DEPTH} deep")
        groups = [name for name in GROUPS if name in raw]
        if groups:
            c.fields(raw, path, groups[:1], {"item": "a group ('all'/'any') has no 'item'"})
            name = groups[0]
            parts = c.sequence(raw[name], (*path, name), "conditions")
            if parts is INVALID:
                return INVALID
            result = [
                self.condition(part, (*path, name, i), depth + 1) for i, part in enumerate(parts)
            ]
            return INVALID if INVALID in result else {name: result}
        return self._leaf(raw, path)

    def _leaf(self, raw: dict[str, Any], path: Path) -> dict[str, Any] | Any:
        c = self.check
        c.fields(raw, path, ("item", *LEAF_OPS))
        ops = [name for name in LEAF_OPS if name in raw]
        if not c.require(raw, path, "item"):
            return INVALID
        key = raw["item"]
        target = self._target(key, (*path, "item"))
        if not ops:
            return c.add(path, f"a condition needs one operator: {', '.join(ALL_OPS)}")
        if len(ops) > 1:
            return c.add(
                (*path, ops[1]),
                f"a condition has one operator, found {' and '.join(ops)}; combine with all/any",
                key=True,
            )
        op = ops[0]
        if target is None:
            return INVALID
        item_type = target["type"]
        if op not in OPERATORS[item_type]:
            allowed = ", ".join(OPERATORS[item_type]) or "none"
            return c.add(
                (*path, op),
                f"{op!r} cannot test a {item_type} item (allowed: {allowed})",
                key=True,
            )
        value = self._value(op, raw[op], (*path, op), target)
        return INVALID if value is INVALID else {"item": key, op: value}

    def _target(self, key: Any, path: Path) -> dict[str, Any] | None:
        c = self.check
        if not isinstance(key, str):
            c.add(path, f"expected an item key, got {describe(key)}")
            return None
        if key == self.own_key:
            c.add(path, f"an item cannot depend on itself ({key!r})")
            return None
        if key not in self.earlier:
            if key in self.all_keys:
                c.add(path, f"item {key!r} comes later; show_if may only refer to earlier items")
            else:
                c.add(path, f"unknown item {key!r}{suggest(key, self.earlier)}")
            return None
        target = self.earlier[key]
        if not target.get("type"):
            return None  # its own problem is reported already
        if target["type"] == ItemType.NOTE:
            c.add(path, f"item {key!r} is a note and has no answer to test")
            return None
        return target

    def _value(self, op: str, value: Any, path: Path, target: dict[str, Any]) -> Any:
        c = self.check
        if op == "answered":
            return c.boolean(value, path)
        if op == "in":
            values = c.sequence(value, path, "values")
            if values is INVALID:
                return INVALID
            result = [self._one(v, (*path, i), target) for i, v in enumerate(values)]
            return INVALID if INVALID in result else result
        return self._one(value, path, target)

    def _one(self, value: Any, path: Path, target: dict[str, Any]) -> Any:
        c = self.check
        item_type = target["type"]
        if item_type == ItemType.YES_NO:
            choices = ["yes", "no", "na"] if target.get("allow_na") else ["yes", "no"]
            return c.choice(value, path, choices, "answer")
        if item_type in (ItemType.SINGLE_CHOICE, ItemType.MULTI_CHOICE):
            options = target.get("options")
            if options is INVALID:
                return value
            keys = [o["key"] for o in options if o and o["key"]]
            return c.choice(value, path, keys, "option")
        if item_type == ItemType.SCALE:
            points = target.get("points") or None
            return c.integer(value, path, 1, points)
        if item_type == ItemType.RATING:
            return c.integer(value, path, RATING_MIN, RATING_MAX)
        if item_type == ItemType.NUMBER:
            return c.number(value, path)
        if item_type == ItemType.DATE:
            return self._date(value, path)
        return c.text(value, path)

    def _date(self, value: Any, path: Path) -> Any:
        if isinstance(value, str):
            try:
                if len(value) == 10:
                    dt.date.fromisoformat(value)
                    return value
            except ValueError:
                pass
        return self.check.add(path, f'expected a date as "YYYY-MM-DD", got {value!r}')
