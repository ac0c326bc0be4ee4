"""The registry of item types: one small class per type.

Each class knows the WTForms field that parses it from a request, how a submitted
value (form strings or JSON) becomes the stored value, the checks on that value,
how a stored value is shown back in a form, and whether an answer passes for
scoring. Forms, validation and scoring look the type up here instead of
branching on it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import MultipleFileField, RadioField, StringField, TextAreaField
from wtforms.fields.core import UnboundField

from dudao.core.errors import N_, Message, Plural
from dudao.definitions.itembase import (
    INTEGER,
    ISO_DATE,
    NUMBER,
    REGISTRY,
    AnswerError,
    ItemKind,
    ListField,
    in_range,
    is_blank,
    kind_of,
    plain_number,
    register,
)
from dudao.definitions.spec import Item, ItemType

__all__ = ["REGISTRY", "AnswerError", "ItemKind", "is_blank", "kind_of", "plain_number"]


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
        values = [raw] if isinstance(raw, str) else raw
        if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
            raise AnswerError(Message(N_("Not a valid answer.")))
        chosen = {v.strip() for v in values if v.strip()}
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
        return list(value or [])

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
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise AnswerError(Message(N_("Choose one of the points offered.")))
        if isinstance(raw, int | float):
            raw = str(int(raw))
        return super().coerce(item, raw)

    def parse(self, item: Item, text: str) -> int:
        low, high = self.bounds(item)
        if not INTEGER.match(text) or not low <= int(text) <= high:
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


@register
class Number(ItemKind):
    type = ItemType.NUMBER

    def coerce(self, item: Item, raw: Any) -> Any:
        if isinstance(raw, bool):
            raise AnswerError(Message(N_("Enter a number, like 12 or 3.5.")))
        if isinstance(raw, int | float):
            raw = plain_number(raw) if raw == raw and abs(raw) != float("inf") else "nan"
        return super().coerce(item, raw)

    def parse(self, item: Item, text: str) -> int | float:
        if not NUMBER.match(text):
            raise AnswerError(Message(N_("Enter a number, like 12 or 3.5.")))
        whole, _dot, fraction = text.partition(".")
        fraction = fraction.rstrip("0")  # "3.50" is 3.5 and "3.0" is 3
        if len(fraction) > item.decimals:
            if item.decimals == 0:
                raise AnswerError(Message(N_("Enter a whole number.")))
            raise AnswerError(
                Plural(
                    "Use at most %(num)d decimal place.",
                    "Use at most %(num)d decimal places.",
                    num=item.decimals,
                )
            )
        value: int | float = int(whole) if item.decimals == 0 else float(text)
        if not in_range(value, item.min, item.max):
            bound = "min" if item.min is not None and value < item.min else "max"
            raise AnswerError(self.limits(item)[bound][1])
        return value

    def limits(self, item: Item) -> dict[str, tuple[Any, str]]:
        found = {}
        if item.min is not None:
            found["min"] = (
                item.min,
                Message(N_("Enter %(min)s or more."), min=plain_number(item.min)),
            )
        if item.max is not None:
            found["max"] = (
                item.max,
                Message(N_("Enter %(max)s or less."), max=plain_number(item.max)),
            )
        return found

    def to_form(self, item: Item, value: Any) -> Any:
        return None if value is None else plain_number(value)

    def passes(self, item: Item, value: Any) -> bool | None:
        rule = item.pass_rule
        return rule is None or in_range(value, rule.min, rule.max)


@register
class Text(ItemKind):
    type = ItemType.TEXT

    def field(self, item: Item, label: str) -> UnboundField:
        return TextAreaField(label) if item.multiline else StringField(label)

    def parse(self, item: Item, text: str) -> str:
        # Browsers submit line breaks as CRLF but count them as one character.
        text = text.replace("\r\n", "\n")
        if len(text) > item.max_length:
            raise AnswerError(self.limits(item)["max_length"][1])
        return text

    def limits(self, item: Item) -> dict[str, tuple[Any, str]]:
        message = Message(N_("Keep it to %(n)d characters or fewer."), n=item.max_length)
        return {"max_length": (item.max_length, message)}


@register
class Date(ItemKind):
    type = ItemType.DATE

    def parse(self, item: Item, text: str) -> str:
        try:
            if not ISO_DATE.match(text):
                raise ValueError(text)
            date.fromisoformat(text)
        except ValueError as exc:
            raise AnswerError(Message(N_("Enter a date as YYYY-MM-DD."))) from exc
        return text


@register
class Photo(ItemKind):
    type = ItemType.PHOTO

    def field(self, item: Item, label: str) -> UnboundField:
        return MultipleFileField(label)

    def coerce(self, item: Item, raw: Any) -> Any:
        if raw is None:
            return None
        values = [raw] if isinstance(raw, str) else raw
        if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
            raise AnswerError(Message(N_("Not a valid answer.")))
        return [v.strip() for v in values if v.strip()] or None

    def check(self, item: Item, value: Any, required: bool) -> None:
        count = len(value or ())
        if count > item.max_count:
            raise AnswerError(
                Plural(
                    "Add at most %(num)d photo.", "Add at most %(num)d photos.", num=item.max_count
                )
            )
        # min_count applies once the item is required or any photo has been added.
        if (count or required) and count < item.min_count:
            raise AnswerError(
                Plural(
                    "Add at least %(num)d photo.",
                    "Add at least %(num)d photos.",
                    num=item.min_count,
                )
            )

    def to_form(self, item: Item, value: Any) -> list[str]:
        return list(value or [])


@register
class Note(ItemKind):
    type = ItemType.NOTE
    answerable = False

    def field(self, item: Item, label: str) -> None:
        return None

    def coerce(self, item: Item, raw: Any) -> Any:
        return None

    def passes(self, item: Item, value: Any) -> bool | None:
        return None
