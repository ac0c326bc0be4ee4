"""Plausible, seeded checklists for the demo's inspections, built from a definition's items.

Every item shown (show_if is followed in order) gets an answer that passes its rule; a
few scored items fail instead (critical ones rarely), and a failed item carries the note
and/or photo its definition asks for, so the filled checklist is one the submission
service takes as it is. `base` gives answers to start from (e.g. the imported history's).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dudao.definitions.scorerules import RATING_MAX, RATING_MIN
from dudao.definitions.showif import evaluate
from dudao.definitions.spec import Definition, Evidence, Item, ItemType

NOTES = (
    "经查阅台账，该项工作未落实到位。",
    "现场核实与要求不符，已当场向支部书记指出。",
    "相关记录缺失，支部表示两周内补齐。",
    "支部书记说明了原因，但未能提供佐证材料。",
)
#: Failed items the definition wants a photo of.
_PHOTO = (Evidence.PHOTO, Evidence.NOTE_AND_PHOTO)
_NOTE = (Evidence.NOTE, Evidence.NOTE_OR_PHOTO, Evidence.NOTE_AND_PHOTO)


@dataclass
class Filled:
    """A checklist as an inspector fills it: answers, notes, and how many photos each item
    needs (photo items, and failed items whose evidence is a photo)."""

    answers: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    photos: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def partial(self, rng: random.Random) -> dict[str, Any]:
        """The first part of the answers, as a draft saved half-way through."""
        keys = list(self.answers)
        return {key: self.answers[key] for key in keys[: rng.randint(1, max(1, len(keys) // 2))]}


def _number(item: Item, low: float, high: float, rng: random.Random) -> int | float:
    value = rng.uniform(low, high)
    return round(value, item.decimals) if item.decimals else round(value)


def _numeric(item: Item, rng: random.Random, passing: bool) -> int | float:
    low = item.min if item.min is not None else 0
    high = item.max if item.max is not None else low + 100
    rule = item.pass_rule
    if rule is None:  # a count, not a judgement: the lower tenth of its range is plausible
        return _number(item, max(low, 1), max(low, 1) + (high - low) / 10, rng)
    if passing:
        start = rule.min if rule.min is not None else low
        stop = rule.max if rule.max is not None else min(high, start * 1.6 + 2)
        return _number(item, start, stop, rng)
    if rule.min is not None and rule.min > low:
        return _number(item, low, rule.min - 10**-item.decimals, rng)
    return _number(item, (rule.max or 0) + 1, min(high, (rule.max or 0) + 4), rng)


def _points(item: Item, rng: random.Random, passing: bool) -> int:
    low, high = (1, item.points) if item.type is ItemType.SCALE else (RATING_MIN, RATING_MAX)
    rule = item.pass_rule
    first = int(rule.min) if rule and rule.min is not None else low
    last = int(rule.max) if rule and rule.max is not None else high
    if passing:
        return max(first, last - int(rng.expovariate(0.9)))  # mostly near the top
    return rng.randint(low, max(low, first - 1))


def _choice(item: Item, rng: random.Random, passing: bool) -> Any:
    keys = [option.key for option in item.options]
    good = list(item.pass_rule.options) if item.pass_rule and item.pass_rule.options else keys
    bad = [key for key in keys if key not in good] or keys
    if item.type is ItemType.SINGLE_CHOICE:
        return good[0] if passing and rng.random() < 0.8 else rng.choice(good if passing else bad)
    chosen = set(rng.sample(good, rng.randint(1, len(good))))
    if not passing:
        chosen.add(rng.choice(bad))
    return [key for key in keys if key in chosen]


def answer(item: Item, rng: random.Random, day: date, passing: bool) -> Any:
    """One answer to `item` (None for nothing to answer), passing its rule or not."""
    if item.type is ItemType.YES_NO:
        if passing and item.allow_na and not item.critical and rng.random() < 0.1:
            return "na"
        return "yes" if passing else "no"
    if item.type in (ItemType.SINGLE_CHOICE, ItemType.MULTI_CHOICE):
        return _choice(item, rng, passing)
    if item.type in (ItemType.SCALE, ItemType.RATING):
        return _points(item, rng, passing)
    if item.type is ItemType.NUMBER:
        return _numeric(item, rng, passing)
    if item.type is ItemType.DATE:
        return (day - timedelta(days=rng.randint(30, 700))).isoformat()
    return None  # text is optional here; photos are counted apart; notes take no answer


def fill(
    definition: Definition, rng: random.Random, day: date, fail_rate: float,
    base: Mapping[str, Any] | None = None,
) -> Filled:  # fmt: skip
    """A complete checklist visited on `day`: each scored item fails with `fail_rate`
    (critical items with a fifth of it), with the evidence a failure needs."""
    filled, base = Filled(), base or {}
    for item in definition.items:
        if item.show_if is not None and not evaluate(item.show_if, filled.answers):
            continue
        if item.type is ItemType.PHOTO:
            if item.required or rng.random() < 0.3:
                filled.photos[item.key] = max(1, item.min_count)
            continue
        rate = fail_rate / 5 if item.critical else fail_rate
        passing = not item.scored or rng.random() >= rate
        value = base.get(item.key) if passing and item.key in base else None
        value = answer(item, rng, day, passing) if value is None else value
        if value is None:
            continue
        filled.answers[item.key] = value
        if not passing:
            filled.failed.append(item.key)
            if item.evidence_on_fail in _NOTE:
                filled.notes[item.key] = rng.choice(NOTES)
            if item.evidence_on_fail in _PHOTO:
                filled.photos[item.key] = 1
    return filled
