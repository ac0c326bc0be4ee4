"""Rules and defaults for scoring a checklist item: weight, critical, pass rule and the
evidence a failure needs.

Only checklists score, so these are kept apart from the per-type rules in `itemrules`;
they run after them, on the type's normalised fields (options, points, min and max).
"""

from __future__ import annotations

import math
from typing import Any

from dudao.core.errors import N_, Message
from dudao.definitions.checks import INVALID, Checker
from dudao.definitions.problems import Path
from dudao.definitions.spec import Evidence, ItemType

SCORING = ("weight", "critical", "pass", "evidence_on_fail")
SCORABLE = (
    ItemType.YES_NO,
    ItemType.SINGLE_CHOICE,
    ItemType.MULTI_CHOICE,
    ItemType.SCALE,
    ItemType.RATING,
    ItemType.NUMBER,
)
EVIDENCE = tuple(e.value for e in Evidence)

#: The answers a rating item takes (pass rules and show_if values are checked against it).
RATING_MIN, RATING_MAX = 0, 10


def scale_default_pass(points: int) -> int:
    """A scale passes at or above its midpoint: 3 of 5, 4 of 7."""
    return math.ceil((points + 1) / 2)


def check_scoring(c: Checker, raw: dict[str, Any], path: Path, data: dict[str, Any]) -> None:
    """Read the scoring fields of a scorable checklist item into `data` (type fields first)."""
    data["weight"] = c.number(c.optional(raw, "weight", 1), (*path, "weight"), 0, 1000)
    data["critical"] = c.boolean(c.optional(raw, "critical", False), (*path, "critical"))
    if raw.get("pass") is None:
        data["pass"] = _default_pass(data)
    else:
        data["pass"] = _pass_rule(c, raw["pass"], (*path, "pass"), data)
    evidence = c.optional(raw, "evidence_on_fail", Evidence.NONE.value)
    data["evidence_on_fail"] = c.choice(
        evidence, (*path, "evidence_on_fail"), EVIDENCE, Message(N_("evidence"))
    )
    scored = data["pass"] is not None and data["weight"] != 0
    if data["critical"] is True and not scored and data["pass"] is not INVALID:
        message = (
            Message(N_("only a scored item can be critical, and its weight is 0"))
            if data["weight"] == 0
            else Message(N_("only a scored item can be critical, and it has no 'pass' rule"))
        )
        c.add((*path, "critical"), message)


def _default_pass(data: dict[str, Any]) -> dict[str, Any] | None:
    item_type = data["type"]
    if item_type == ItemType.YES_NO:
        return {"options": ["yes"]}
    if item_type == ItemType.SCALE and data["points"]:
        return {"min": scale_default_pass(data["points"]), "max": None}
    if item_type == ItemType.RATING:
        return {"min": 6, "max": None}
    return None


def _pass_rule(c: Checker, raw: Any, path: Path, data: dict[str, Any]) -> dict[str, Any] | Any:
    if c.mapping(raw, path, Message(N_("a pass rule ({options: [...]} or {min, max})"))) is INVALID:
        return INVALID
    item_type = data["type"]
    if item_type in (ItemType.YES_NO, ItemType.SINGLE_CHOICE, ItemType.MULTI_CHOICE):
        why = {
            name: Message(
                N_("a %(type)s item passes on 'options', not '%(name)s'"), type=item_type, name=name
            )
            for name in ("min", "max")
        }
        c.fields(raw, path, ("options",), why)
        if not c.require(raw, path, "options"):
            return INVALID
        keys = (
            ["yes", "no"]
            if item_type == ItemType.YES_NO
            else [o["key"] for o in data["options"] or () if o and o["key"]]
        )
        chosen = c.sequence(raw["options"], (*path, "options"), Message(N_("option keys")))
        if chosen is INVALID:
            return INVALID
        result = []
        for i, key in enumerate(chosen):
            if item_type != ItemType.YES_NO and data["options"] is INVALID:
                result.append(key)
                continue
            result.append(c.choice(key, (*path, "options", i), keys, Message(N_("option"))))
        return {"options": result}
    why = {
        "options": Message(
            N_("a %(type)s item passes on 'min'/'max', not 'options'"), type=item_type
        )
    }
    c.fields(raw, path, ("min", "max"), why)
    low_limit, high_limit = _answer_range(data)
    bounds = {}
    for name in ("min", "max"):
        bounds[name] = None
        if raw.get(name) is not None:
            bounds[name] = c.number(raw[name], (*path, name), low_limit, high_limit)
    if bounds["min"] is None and bounds["max"] is None:
        return c.add(path, Message(N_("a pass rule needs 'min', 'max' or both")))
    low, high = bounds["min"], bounds["max"]
    if low not in (None, INVALID) and high not in (None, INVALID) and low > high:
        c.add(
            (*path, "max"),
            Message(N_("max (%(high)s) is less than min (%(low)s)"), high=high, low=low),
        )
    return bounds


def _answer_range(data: dict[str, Any]) -> tuple[Any, Any]:
    """The answers an item can take (for pass rules and show_if values)."""
    if data["type"] == ItemType.RATING:
        return RATING_MIN, RATING_MAX
    if data["type"] == ItemType.SCALE:
        return 1, data["points"] or None
    low, high = data.get("min"), data.get("max")
    low = None if low is INVALID else low
    high = None if high is INVALID else high
    if low is not None and high is not None and low > high:
        return None, None
    return low, high
