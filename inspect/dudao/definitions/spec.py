"""The in-memory shape of a checklist or questionnaire definition.

The loader turns YAML into these frozen objects (or located errors); rendering,
validation, scoring, `show_if` and the XLSForm importer all work on them. An
answer is stored as the item type stores it:

| type          | stored value                                   |
| ------------- | ---------------------------------------------- |
| yes_no        | "yes", "no" or "na" (only when allow_na)       |
| single_choice | an option key                                  |
| multi_choice  | a list of option keys                          |
| scale         | an int 1..points                               |
| rating        | an int 0..10                                   |
| number        | an int or float within min..max                |
| text          | a string (at most max_length)                  |
| date          | "YYYY-MM-DD"                                   |
| photo         | a list of photo ids (strings)                  |
| note          | nothing (display only)                         |
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dudao.core.errors import N_, Language, language_code


class Kind(StrEnum):
    CHECKLIST = "checklist"
    QUESTIONNAIRE = "questionnaire"


#: A kind in words, for a service's Message and a page's `|label` alike.
KIND_NAMES = {Kind.CHECKLIST: N_("checklist"), Kind.QUESTIONNAIRE: N_("questionnaire")}


class ItemType(StrEnum):
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    SCALE = "scale"
    RATING = "rating"
    NUMBER = "number"
    TEXT = "text"
    DATE = "date"
    PHOTO = "photo"
    NOTE = "note"


class Operator(StrEnum):
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    IN = "in"
    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"
    ANSWERED = "answered"
    ALL = "all"
    ANY = "any"


class Evidence(StrEnum):
    """What a failed checklist item must carry."""

    NONE = "none"
    NOTE = "note"
    PHOTO = "photo"
    NOTE_OR_PHOTO = "note_or_photo"
    NOTE_AND_PHOTO = "note_and_photo"


@dataclass(frozen=True)
class LocalText:
    """Chinese first; English optional (falls back to Chinese)."""

    zh: str
    en: str | None = None

    def get(self, locale: str) -> str:
        return self.en if locale.startswith("en") and self.en else self.zh

    def in_language(self, language: Language) -> str:
        """As a Message's value: the text in the catalogue's language."""
        return self.get(language_code(language))

    def as_json(self) -> dict[str, str | None]:
        """Both texts, for a client that picks its reader's language itself (offline)."""
        return {"zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class Unit(LocalText):
    """A number's unit; English may name the unit of exactly one apart ("1 meeting")."""

    en_one: str | None = None

    def after(self, number: str, locale: str) -> str:
        """The number followed by its unit, "1 meeting" but "2 meetings" and "1.5 meetings"."""
        one = self.en_one if number == "1" and locale.startswith("en") else None
        return f"{number} {one or self.get(locale)}"


@dataclass(frozen=True)
class Option:
    key: str
    label: LocalText


@dataclass(frozen=True)
class Condition:
    """A `show_if` condition: a leaf (item, op, value) or a group (all/any of conditions)."""

    op: Operator
    item: str | None = None
    value: Any = None
    conditions: tuple[Condition, ...] = ()

    def items(self) -> Iterator[str]:
        """Every item key the condition refers to."""
        if self.item is not None:
            yield self.item
        for condition in self.conditions:
            yield from condition.items()


@dataclass(frozen=True)
class PassRule:
    """When a scored checklist item passes.

    yes_no passes on "yes"; choices pass when the answer is in `options` (for
    multi_choice: every chosen key is in `options`); scale, rating and number pass
    within [min, max] (either bound optional). Unanswered optional and "na" answers
    are excluded from the denominator.
    """

    options: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Item:
    key: str
    type: ItemType
    label: LocalText
    help: LocalText | None = None
    required: bool = False
    show_if: Condition | None = None
    # single_choice / multi_choice
    options: tuple[Option, ...] = ()
    # multi_choice: how many options may be chosen at most (None: any number)
    max_choices: int | None = None
    # yes_no
    allow_na: bool = False
    # scale: labels has exactly `points` entries (or none)
    points: int = 5
    labels: tuple[LocalText, ...] = ()
    # number
    min: float | None = None
    max: float | None = None
    unit: Unit | None = None
    decimals: int = 0
    # text
    multiline: bool = False
    max_length: int = 500
    # photo
    min_count: int = 0
    max_count: int = 5
    keep_location: bool = False
    # checklist scoring
    weight: float = 1.0
    critical: bool = False
    pass_rule: PassRule | None = None
    evidence_on_fail: Evidence = Evidence.NONE
    # questionnaire: a scale/rating item that counts towards the satisfaction index
    satisfaction: bool = False

    @property
    def scored(self) -> bool:
        return self.pass_rule is not None and self.weight > 0


@dataclass(frozen=True)
class Section:
    key: str
    title: LocalText
    items: tuple[Item, ...]
    description: LocalText | None = None


@dataclass(frozen=True)
class GradeBand:
    """A grade for overall scores at or above `min_score` (percent); bands sorted high to low."""

    min_score: float
    label: LocalText


@dataclass(frozen=True)
class Definition:
    kind: Kind
    key: str
    title: LocalText
    sections: tuple[Section, ...]
    description: LocalText | None = None
    # checklist
    grades: tuple[GradeBand, ...] = ()
    # questionnaire
    anonymous: bool = True
    min_group: int = 5
    min_comment_group: int = 10
    _index: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for section in self.sections:
            for item in section.items:
                self._index[item.key] = item

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(self._index.values())

    def item(self, key: str) -> Item:
        return self._index[key]

    def grade_for(self, score: float) -> GradeBand | None:
        for band in sorted(self.grades, key=lambda b: b.min_score, reverse=True):
            if score >= band.min_score:
                return band
        return None
