"""What every item type shares: the base class, the registry and small helpers.

The concrete types are in items.py, which registers them; import `kind_of` and
friends from there so the registry is always filled.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from wtforms import Field, StringField
from wtforms.fields.core import UnboundField

from dudao.core.errors import N_, Invalid, Message, Plural
from dudao.definitions.spec import Item, ItemType

INTEGER = re.compile(r"^-?\d+$", re.ASCII)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


class AnswerError(Invalid):
    """A submitted value that cannot be stored; the message is shown beside the field."""


def strings(raw: Any) -> list[str]:
    """A submitted list of strings (or one string), stripped and without blanks; an
    AnswerError for anything else (checkbox groups, photo ids)."""
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise AnswerError(Message(N_("Not a valid answer.")))
    return [v.strip() for v in values if v.strip()]


class ListField(Field):
    """Every submitted value under one name (checkbox groups); no choice checking here."""

    def process_data(self, value: Any) -> None:
        self.data = list(value) if isinstance(value, list | tuple) else []

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = [v for v in valuelist if v]


class ItemKind:
    """Behaviour shared by every item type; subclasses override what differs."""

    type: ClassVar[ItemType]
    answerable: ClassVar[bool] = True

    def field(self, item: Item, label: str) -> UnboundField | None:
        return StringField(label)

    def coerce(self, item: Item, raw: Any) -> Any:
        """The stored value for `raw`, or None when unanswered; AnswerError when invalid."""
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise AnswerError(Message(N_("Not a valid answer.")))
        text = raw.strip()
        return self.parse(item, text) if text else None

    def parse(self, item: Item, text: str) -> Any:
        return text

    def check(self, item: Item, value: Any, required: bool) -> None:
        """Checks on the whole answer of a shown item (counts); raises AnswerError."""

    def to_form(self, item: Item, value: Any) -> Any:
        """A stored value as the form shows it (strings)."""
        return None if value is None else str(value)

    def passes(self, item: Item, value: Any) -> bool | None:
        """True/False for a scored answer; None when it does not count ("na")."""
        return True

    def satisfaction(self, item: Item, value: Any) -> float | None:
        """The answer on a 0–100 scale for the satisfaction index; None when it has none."""
        return None

    def limits(self, item: Item) -> dict[str, tuple[Any, str]]:
        """Bounds a browser can check before it queues an answer offline, each with the
        message the server would give ({"max": (500, "Enter 500 or less.")})."""
        return {}


REGISTRY: dict[ItemType, ItemKind] = {}


def register(cls: type[ItemKind]) -> type[ItemKind]:
    REGISTRY[cls.type] = cls()
    return cls


def kind_of(item: Item) -> ItemKind:
    return REGISTRY[item.type]


def is_blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


def in_range(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def listed(value: Any) -> list[str]:
    """A stored list as a form shows it; a draft holds whatever a device sent, so anything
    else becomes a list of its text rather than an error on the checklist page."""
    if isinstance(value, list):
        return [str(v) for v in value]
    return [] if value in (None, "") else [str(value)]


def at_most_photos(count: int) -> Plural:
    return Plural("Add at most %(num)d photo.", "Add at most %(num)d photos.", num=count)


def plain_number(number: float) -> str:
    """3.0 -> "3", 2.5 -> "2.5": how people write numbers."""
    return str(int(number)) if float(number).is_integer() else str(number)
