"""The item types whose answers are chosen: yes/no, single and multiple choice, scales and
ratings (items.py registers the others and is where to import the registry from)."""

from __future__ import annotations

from typing import Any

from wtforms import RadioField
from wtforms.fields.core import UnboundField

from dudao.core.errors import N_, Message
from dudao.definitions.itembase import (
    INTEGER,
    AnswerError,
    ItemKind,
    ListField,
    in_range,
    listed,
    register,
    strings,
)
from dudao.definitions.spec import Item, ItemType


@register
class YesNo(ItemKind):
    type = ItemType.YES_NO

    def field(self, item: Item, label: str) -> UnboundField:
        keys = ["yes", "no", "na"] if item.allow_na else ["yes", "no"]
        return RadioField(label, choices=keys, validate_choice=False)

    def coerce(self, item: Item, raw: Any) -> Any:
        if isinstance(raw, bool):
            return "yes" if raw else "no"
        return super().coerce(item, raw)

    def parse(self, item: Item, text: str) -> str:
        if text not in ("yes", "no") and not (text == "na" and item.allow_na):
            raise AnswerError(Message(N_("Choose one of the answers offered.")))
        return text

    def passes(self, item: Item, value: Any) -> bool | None:
        if value == "na":
            return None
        wanted = item.pass_rule.options if item.pass_rule and item.pass_rule.options else ("yes",)
        return value in wanted


@register
class SingleChoice(ItemKind):
    type = ItemType.SINGLE_CHOICE

    def field(self, item: Item, label: str) -> UnboundField:
        return RadioField(label, choices=[o.key for o in item.options], validate_choice=False)

    def coerce(self, item: Item, raw: Any) -> Any:
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        return super().coerce(item, raw)

    def parse(self, item: Item, text: str) -> str:
        if text not in {o.key for o in item.options}:
            raise AnswerError(Message(N_("Choose one of the answers offered.")))
        return text

    def passes(self, item: Item, value: Any) -> bool | None:
        return item.pass_rule is None or value in item.pass_rule.options


@register
class MultiChoice(ItemKind):
    type = ItemType.MULTI_CHOICE

    def field(self, item: Item, label: str) -> UnboundField:
        return ListField(label)

    def coerce(self, item: Item, raw: Any) -> Any:
        if raw is None:
            return None
        chosen = set(strings(raw))
        keys = [o.key for o in item.options]
        if chosen - set(keys):
            raise AnswerError(Message(N_("Choose only among the answers offered.")))
        if item.max_choices is not None and len(chosen) > item.max_choices:
            raise AnswerError(self.limits(item)["max_choices"][1])
        return [k for k in keys if k in chosen] or None

    def limits(self, item: Item) -> dict[str, tuple[Any, str]]:
        if item.max_choices is None:
            return {}
        return {
            "max_choices": (
                item.max_choices,
                Message(N_("Choose at most %(n)d."), n=item.max_choices),
            )
        }

    def to_form(self, item: Item, value: Any) -> list[str]:
        return listed(value)

    def passes(self, item: Item, value: Any) -> bool | None:
        return item.pass_rule is None or all(v in item.pass_rule.options for v in value)


class _Points(ItemKind):
    """Scale and rating: a whole number within a fixed range."""

    def bounds(self, item: Item) -> tuple[int, int]:
        raise NotImplementedError

    def field(self, item: Item, label: str) -> UnboundField:
        low, high = self.bounds(item)
        choices = [str(p) for p in range(low, high + 1)]
        return RadioField(label, choices=choices, validate_choice=False)

    def coerce(self, item: Item, raw: Any) -> Any:
        low, high = self.bounds(item)
        if (
            isinstance(raw, bool)
            or (isinstance(raw, float) and not raw.is_integer())
            or (isinstance(raw, int | float) and not low <= raw <= high)  # 10**5000 too
        ):
            raise AnswerError(Message(N_("Choose one of the points offered.")))
        if isinstance(raw, int | float):
            raw = str(int(raw))
        return super().coerce(item, raw)

    def parse(self, item: Item, text: str) -> int:
        low, high = self.bounds(item)
        if not INTEGER.match(text) or len(text) > 3 or not low <= int(text) <= high:
            raise AnswerError(Message(N_("Choose one of the points offered.")))
        return int(text)

    def passes(self, item: Item, value: Any) -> bool | None:
        rule = item.pass_rule
        return rule is None or in_range(value, rule.min, rule.max)


@register
class Scale(_Points):
    type = ItemType.SCALE

    def bounds(self, item: Item) -> tuple[int, int]:
        return 1, item.points

    def satisfaction(self, item: Item, value: Any) -> float | None:
        if not isinstance(value, int) or isinstance(value, bool) or item.points < 2:
            return None
        return 100.0 * (value - 1) / (item.points - 1)


@register
class Rating(_Points):
    type = ItemType.RATING

    def bounds(self, item: Item) -> tuple[int, int]:
        return 0, 10

    def satisfaction(self, item: Item, value: Any) -> float | None:
        return None if not isinstance(value, int) or isinstance(value, bool) else 10.0 * value
