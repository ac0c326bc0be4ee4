"""Validate and normalise `show_if` conditions against the items before them.

A leaf names an earlier item and one operator (`{item: q1, equals: "yes"}`); a
group combines conditions (`{all: [...]}`, `{any: [...]}`). Which operators an
item allows, and which values, follow from the item's type.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dudao.core.errors import N_, Message
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
        what = Message(N_('a condition such as {item: q1, equals: "yes"}'))
        if c.mapping(raw, path, what) is INVALID:
            return INVALID
        if depth > MAX_DEPTH:
            return c.add(
                path, Message(N_("conditions are nested more than %(max)d deep"), max=MAX_DEPTH)
            )
        groups = [name for name in GROUPS if name in raw]
        if groups:
            why = {"item": Message(N_("a group ('all'/'any') has no 'item'"))}
            c.fields(raw, path, groups[:1], why)
            name = groups[0]
            parts = c.sequence(raw[name], (*path, name), Message(N_("conditions")))
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
            return c.add(
                path,
                Message(N_("a condition needs one operator: %(ops)s"), ops=", ".join(ALL_OPS)),
            )
        if len(ops) > 1:
            return c.add(
                (*path, ops[1]),
                Message(
                    N_("a condition has one operator, found %(ops)s; combine with all/any"),
                    ops=" and ".join(ops),
                ),
                key=True,
            )
        op = ops[0]
        if target is None:
            return INVALID
        item_type = target["type"]
        if op not in OPERATORS[item_type]:
            allowed = ", ".join(OPERATORS[item_type]) or Message(N_("none"))
            return c.add(
                (*path, op),
                Message(
                    N_("'%(op)s' cannot test a %(type)s item (allowed: %(allowed)s)"),
                    op=op,
                    type=item_type,
                    allowed=allowed,
                ),
                key=True,
            )
        value = self._value(op, raw[op], (*path, op), target)
        return INVALID if value is INVALID else {"item": key, op: value}

    def _target(self, key: Any, path: Path) -> dict[str, Any] | None:
        c = self.check
        if not isinstance(key, str):
            c.add(path, Message(N_("expected an item key, got %(got)s"), got=describe(key)))
            return None
        if key == self.own_key:
            c.add(path, Message(N_("an item cannot depend on itself ('%(key)s')"), key=key))
            return None
        if key not in self.earlier:
            c.add(path, self._unknown(key))
            return None
        target = self.earlier[key]
        if not target.get("type"):
            return None  # its own problem is reported already
        if target["type"] == ItemType.NOTE:
            c.add(path, Message(N_("item '%(key)s' is a note and has no answer to test"), key=key))
            return None
        return target

    def _unknown(self, key: str) -> Message:
        if key in self.all_keys:
            return Message(
                N_("item '%(key)s' comes later; show_if may only refer to earlier items"), key=key
            )
        match = suggest(key, self.earlier)
        if match:
            return Message(
                N_("unknown item '%(key)s'; did you mean '%(match)s'?"), key=key, match=match
            )
        return Message(N_("unknown item '%(key)s'"), key=key)

    def _value(self, op: str, value: Any, path: Path, target: dict[str, Any]) -> Any:
        c = self.check
        if op == "answered":
            return c.boolean(value, path)
        if op == "in":
            values = c.sequence(value, path, Message(N_("values")))
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
            return c.choice(value, path, choices, Message(N_("answer")))
        if item_type in (ItemType.SINGLE_CHOICE, ItemType.MULTI_CHOICE):
            options = target.get("options")
            if options is INVALID:
                return value
            keys = [o["key"] for o in options if o and o["key"]]
            return c.choice(value, path, keys, Message(N_("option")))
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
        return self.check.add(
            path, Message(N_("expected a date as \"YYYY-MM-DD\", got '%(value)s'"), value=value)
        )
