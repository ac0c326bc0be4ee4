"""The registry of item types: one small class per type.

Each class knows the WTForms field that parses it from a request, how a submitted
value (form strings or JSON) becomes the stored value, the checks on that value,
how a stored value is shown back in a form, and whether an answer passes for
scoring. Forms, validation and scoring look the type up here instead of
branching on it. The types whose answers are chosen are in itemchoices.py; importing
this module registers every type.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import MultipleFileField, StringField, TextAreaField
from wtforms.fields.core import UnboundField

from dudao.core.errors import N_, Message, Plural
from dudao.definitions import itemchoices  # noqa: F401  (registers the choice types)
from dudao.definitions.itembase import (
    ISO_DATE,
    REGISTRY,
    AnswerError,
    ItemKind,
    at_most_photos,
    in_range,
    is_blank,
    kind_of,
    listed,
    plain_number,
    register,
    strings,
)
from dudao.definitions.showif import NUMBER, half_width
from dudao.definitions.spec import Item, ItemType

__all__ = ["REGISTRY", "AnswerError", "ItemKind", "is_blank", "kind_of", "plain_number"]


#: Digits before the point: a double holds 15 exactly, and no count or measure needs more.
MAX_DIGITS = 15
TOO_LONG = Message(N_("Enter a number of at most %(n)d digits."), n=MAX_DIGITS)


@register
class Number(ItemKind):
    type = ItemType.NUMBER

    def coerce(self, item: Item, raw: Any) -> Any:
        if isinstance(raw, bool):
            raise AnswerError(Message(N_("Enter a number, like 12 or 3.5.")))
        if isinstance(raw, int) and abs(raw) >= 10**MAX_DIGITS:
            raise AnswerError(TOO_LONG)
        if isinstance(raw, int | float):
            raw = plain_number(raw) if raw == raw and abs(raw) != float("inf") else "nan"
        return super().coerce(item, raw)

    def parse(self, item: Item, text: str) -> int | float:
        text = half_width(text)
        if not NUMBER.match(text):
            raise AnswerError(self.limits(item)["number"][1])
        whole, _dot, fraction = text.partition(".")
        if len(whole.lstrip("+-0")) > MAX_DIGITS:  # Python's int() refuses 4,300 digits
            raise AnswerError(TOO_LONG)
        fraction = fraction.rstrip("0")  # "3.50" is 3.5 and "3.0" is 3
        if len(fraction) > item.decimals:
            raise AnswerError(self.limits(item)["decimals"][1])
        value: int | float = int(whole) if item.decimals == 0 else float(text)
        if not in_range(value, item.min, item.max):
            bound = "min" if item.min is not None and value < item.min else "max"
            raise AnswerError(self.limits(item)[bound][1])
        return value

    def limits(self, item: Item) -> dict[str, tuple[Any, str]]:
        decimals: Message | Plural = Message(N_("Enter a whole number."))
        if item.decimals:
            decimals = Plural("Use at most %(num)d decimal place.",
                              "Use at most %(num)d decimal places.", num=item.decimals)  # fmt: skip
        found: dict[str, tuple[Any, Any]] = {  # the words as messages, translated when shown
            "number": (None, Message(N_("Enter a number, like 12 or 3.5."))),
            "decimals": (item.decimals, decimals),
        }
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
        """A draft keeps what was typed, "abc" too: shown as it is, for the inspector to mend."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return plain_number(value)
        return super().to_form(item, value)

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
        return strings(raw) or None

    def limits(self, item: Item) -> dict[str, tuple[Any, str]]:
        return {"max_count": (item.max_count, at_most_photos(item.max_count))}

    def check(self, item: Item, value: Any, required: bool) -> None:
        count = len(value or ())
        if count > item.max_count:
            raise AnswerError(self.limits(item)["max_count"][1])
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
        return listed(value)


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
