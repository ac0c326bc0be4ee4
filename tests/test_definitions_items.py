"""Item types: coercion of submitted values, validation, and `validate_answers` as a whole."""

from __future__ import annotations

from typing import Any

import pytest

from dudao.core.language import translations
from dudao.definitions.answers import validate_answers, validate_submission
from dudao.definitions.items import REGISTRY, AnswerError, kind_of
from dudao.definitions.samples import sample_checklist
from dudao.definitions.spec import (
    Condition,
    Definition,
    Evidence,
    Item,
    ItemType,
    Kind,
    LocalText,
    Operator,
    Option,
    PassRule,
    Section,
)


def item(key: str, type_: ItemType, **fields: Any) -> Item:
    return Item(key, type_, LocalText(key), **fields)


def definition(*items: Item, kind: Kind = Kind.QUESTIONNAIRE) -> Definition:
    return Definition(kind, "t", LocalText("t"), (Section("s", LocalText("s"), items),))


OPTIONS = (Option("a", LocalText("A")), Option("b", LocalText("B")), Option("c", LocalText("C")))

# (item, submitted value, stored value) — submitted as a form would or as JSON would.
GOOD = [
    (item("q", ItemType.YES_NO), "yes", "yes"),
    (item("q", ItemType.YES_NO), " no ", "no"),
    (item("q", ItemType.YES_NO), True, "yes"),
    (item("q", ItemType.YES_NO, allow_na=True), "na", "na"),
    (item("q", ItemType.SINGLE_CHOICE, options=OPTIONS), "b", "b"),
    (item("q", ItemType.MULTI_CHOICE, options=OPTIONS), ["c", "a", "a"], ["a", "c"]),
    (item("q", ItemType.MULTI_CHOICE, options=OPTIONS), "b", ["b"]),
    (item("q", ItemType.MULTI_CHOICE, options=OPTIONS, max_choices=2), ["c", "a"], ["a", "c"]),
    (item("q", ItemType.SCALE, points=7), "7", 7),
    (item("q", ItemType.SCALE), 1, 1),
    (item("q", ItemType.RATING), "0", 0),
    (item("q", ItemType.RATING), 10.0, 10),
    (item("q", ItemType.NUMBER), "12", 12),
    (item("q", ItemType.NUMBER, decimals=2), "3.25", 3.25),
    (item("q", ItemType.NUMBER, decimals=1), 2.5, 2.5),
    (item("q", ItemType.NUMBER, decimals=1), 4, 4.0),
    (item("q", ItemType.NUMBER, decimals=1), "3.50", 3.5),
    (item("q", ItemType.NUMBER), "3.0", 3),
    (item("q", ItemType.NUMBER), 7.0, 7),
    (item("q", ItemType.NUMBER, min=-5, max=5), "-5", -5),
    (item("q", ItemType.NUMBER), "１２", 12),  # full width, as a Chinese keyboard types it
    (item("q", ItemType.NUMBER, decimals=1), "－２．５", -2.5),
    (item("q", ItemType.TEXT), "  hello ", "hello"),
    (item("q", ItemType.TEXT, multiline=True, max_length=5), "ab\r\ncd", "ab\ncd"),
    (item("q", ItemType.DATE), "2024-02-29", "2024-02-29"),
    (item("q", ItemType.PHOTO, max_count=2), ["p1", "p2"], ["p1", "p2"]),
]

BAD = [
    (item("q", ItemType.YES_NO), "na", "Choose one"),
    (item("q", ItemType.YES_NO), "maybe", "Choose one"),
    (item("q", ItemType.YES_NO), 3, "Not a valid answer"),
    (item("q", ItemType.SINGLE_CHOICE, options=OPTIONS), "z", "Choose one"),
    (item("q", ItemType.SINGLE_CHOICE, options=OPTIONS), ["a"], "Not a valid answer"),
    (item("q", ItemType.MULTI_CHOICE, options=OPTIONS), ["a", "z"], "Choose only"),
    (item("q", ItemType.MULTI_CHOICE, options=OPTIONS), [1], "Not a valid answer"),
    (item("q", ItemType.MULTI_CHOICE, options=OPTIONS, max_choices=2), list("abc"), "at most 2"),
    (item("q", ItemType.SCALE), "6", "points offered"),
    (item("q", ItemType.SCALE), "0", "points offered"),
    (item("q", ItemType.SCALE), "2.5", "points offered"),
    (item("q", ItemType.SCALE), True, "points offered"),
    (item("q", ItemType.RATING), "11", "points offered"),
    (item("q", ItemType.RATING), -1, "points offered"),
    (item("q", ItemType.NUMBER), "abc", "Enter a number"),
    (item("q", ItemType.NUMBER), "1e3", "Enter a number"),
    (item("q", ItemType.NUMBER), "١٢", "Enter a number"),  # the browser reads no other digits
    (item("q", ItemType.NUMBER), "１２．５", "whole number"),
    (item("q", ItemType.NUMBER), "3.5", "whole number"),
    (item("q", ItemType.NUMBER, decimals=1), "3.25", "1 decimal place."),
    (item("q", ItemType.NUMBER, decimals=2), "3.251", "2 decimal places."),
    (item("q", ItemType.NUMBER, min=0), "-1", "0 or more"),
    (item("q", ItemType.NUMBER, max=100), "101", "100 or less"),
    (item("q", ItemType.NUMBER), float("nan"), "Enter a number"),
    (item("q", ItemType.NUMBER), False, "Enter a number"),
    # Numbers too long for a double or for int(): said, not a 500 (OverflowError, ValueError).
    (item("q", ItemType.NUMBER), 10**400, "at most 15 digits"),
    (item("q", ItemType.NUMBER), "1" * 5000, "at most 15 digits"),
    (item("q", ItemType.NUMBER), 1e300, "at most 15 digits"),
    (item("q", ItemType.RATING), 10**400, "points offered"),
    (item("q", ItemType.SCALE), "1" * 5000, "points offered"),
    (item("q", ItemType.TEXT, max_length=3), "abcd", "3 characters"),
    (item("q", ItemType.TEXT), 5, "Not a valid answer"),
    (item("q", ItemType.DATE), "2023-02-29", "YYYY-MM-DD"),
    (item("q", ItemType.DATE), "29/02/2024", "YYYY-MM-DD"),
    (item("q", ItemType.DATE), "2024-2-9", "YYYY-MM-DD"),
    (item("q", ItemType.PHOTO, max_count=1), ["p1", "p2"], "at most 1 photo."),
    (item("q", ItemType.PHOTO, max_count=2), ["p1", "p2", "p3"], "at most 2 photos."),
    (item("q", ItemType.PHOTO), {"id": "p"}, "Not a valid answer"),
]


def test_every_item_type_is_registered() -> None:
    assert set(REGISTRY) == set(ItemType)


@pytest.mark.parametrize(("spec", "raw", "stored"), GOOD, ids=lambda v: repr(v)[:30])
def test_good_values_are_stored_typed(spec: Item, raw: Any, stored: Any) -> None:
    clean, errors = validate_answers(definition(spec), {"q": raw})
    assert errors == {}
    assert clean == {"q": stored}
    assert type(clean["q"]) is type(stored)


@pytest.mark.parametrize(("spec", "raw", "message"), BAD, ids=lambda v: repr(v)[:30])
def test_bad_values_are_refused_with_a_message(spec: Item, raw: Any, message: str) -> None:
    clean, errors = validate_answers(definition(spec), {"q": raw})
    assert clean == {}
    assert message in errors["q"]


@pytest.mark.parametrize("blank", [None, "", "   ", []])
def test_blank_is_no_answer_and_required_says_so(blank: Any) -> None:
    optional = item("o", ItemType.TEXT)
    required = item("r", ItemType.TEXT, required=True)
    clean, errors = validate_answers(definition(optional, required), {"o": blank, "r": blank})
    assert clean == {}
    assert list(errors) == ["r"]
    assert "needs an answer" in errors["r"]


def test_stored_values_survive_the_form_round_trip() -> None:
    for spec, _raw, stored in GOOD:
        shown = kind_of(spec).to_form(spec, stored)
        assert validate_answers(definition(spec), {"q": shown})[0] == {"q": stored}


def test_photo_minimum_applies_when_required_or_started() -> None:
    optional = item("p", ItemType.PHOTO, min_count=2, max_count=3)
    assert validate_answers(definition(optional), {}) == ({}, {})
    assert "at least 2" in validate_answers(definition(optional), {"p": ["x"]})[1]["p"]
    required = item("p", ItemType.PHOTO, min_count=2, max_count=3, required=True)
    assert "needs an answer" in validate_answers(definition(required), {})[1]["p"]
    assert "at least 2" in validate_answers(definition(required), {"p": ["x"]})[1]["p"]


def test_hidden_items_are_never_required_and_their_answers_are_dropped() -> None:
    gate = item("gate", ItemType.YES_NO, required=True)
    follow = item(
        "why",
        ItemType.TEXT,
        required=True,
        show_if=Condition(Operator.EQUALS, "gate", "no"),
    )
    spec = definition(gate, follow)
    assert validate_answers(spec, {"gate": "yes", "why": "left over"}) == ({"gate": "yes"}, {})
    assert validate_answers(spec, {"gate": "yes", "why": "x" * 9999}) == ({"gate": "yes"}, {})
    _clean, errors = validate_answers(spec, {"gate": "no"})
    assert list(errors) == ["why"]
    # An invalid answer to the gate hides the follow-up (it counts as no answer).
    _clean, errors = validate_answers(spec, {"gate": "perhaps", "why": ""})
    assert list(errors) == ["gate"]


def test_unknown_keys_and_notes_are_errors_not_answers() -> None:
    spec = definition(item("q", ItemType.TEXT), item("n", ItemType.NOTE, required=True))
    clean, errors = validate_answers(spec, {"q": "x", "nope": "y", "n": "ignored"})
    assert clean == {"q": "x"}
    assert list(errors) == ["nope"]


def test_submission_requires_evidence_for_failed_items() -> None:
    failing = item(
        "safe",
        ItemType.YES_NO,
        pass_rule=PassRule(),
        evidence_on_fail=Evidence.NOTE_OR_PHOTO,
    )
    spec = definition(failing, kind=Kind.CHECKLIST)
    _clean, _notes, _photos, errors = validate_submission(spec, {"safe": "no"})
    assert "note or a photo" in errors["safe"]
    ok = validate_submission(spec, {"safe": "no"}, photos={"safe": ["ph1"]})
    assert ok == ({"safe": "no"}, {}, {"safe": ["ph1"]}, {})
    ok = validate_submission(spec, {"safe": "no"}, notes={"safe": " broken lock "})
    assert ok[1] == {"safe": "broken lock"} and ok[3] == {}
    assert validate_submission(spec, {"safe": "yes"})[3] == {}
    too_long = validate_submission(spec, {"safe": "yes"}, notes={"safe": "x" * 2001})
    assert "2000" in too_long[3]["safe"]
    assert "attached to a question" in validate_submission(spec, {}, notes={"zz": "x"})[3]["zz"]


def test_sample_checklist_full_submission_is_clean() -> None:
    spec = sample_checklist()
    answers = {
        "committee": "yes",
        "records": "na",
        "meeting_kinds": ["branch", "lecture"],
        "study_form": "online",
        "attendance": "92.5",
        "quality": "4",
        "overall": "9",
        "last_meeting": "2024-03-01",
        "board_photo": ["p1"],
        "remarks": "好",
    }
    clean, errors = validate_answers(spec, answers)
    assert errors == {}
    assert clean["attendance"] == 92.5 and clean["overall"] == 9


def test_answer_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        kind_of(item("q", ItemType.DATE)).coerce(item("q", ItemType.DATE), "soon")
    assert issubclass(AnswerError, ValueError)


def test_validation_needs_no_app_and_speaks_each_readers_language() -> None:
    """No Flask app, request or locale: the problems are Messages, English as str and
    shown in Chinese or English where they are shown (a page, the API, a command)."""
    spec = definition(
        item("r", ItemType.TEXT, required=True),
        item("one", ItemType.PHOTO, max_count=1),
        item("two", ItemType.PHOTO, max_count=2),
    )
    errors = validate_answers(spec, {"one": ["p1", "p2"], "two": ["p1", "p2", "p3"]})[1]
    zh, en = translations("zh_CN"), translations("en")
    assert errors["r"] == "This question needs an answer."
    assert errors["r"].in_language(zh) == "此题为必答题。"
    assert errors["r"].in_language(en) == "This question needs an answer."
    # One plural form in Chinese, two in English, chosen by the count.
    assert errors["one"].in_language(en) == "Add at most 1 photo."
    assert errors["two"].in_language(en) == "Add at most 2 photos."
    assert (
        errors["two"].in_language(zh)
        == zh.ngettext("Add at most %(num)d photo.", "Add at most %(num)d photos.", 2) % {"num": 2}
        != "Add at most 2 photos."
    )
