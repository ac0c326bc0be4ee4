"""A number item's unit in two languages: one Chinese string (stored as before, so the
versions made earlier keep their content hash) or {zh, en}; English pages show `en`, or
`en_one` after exactly one."""

from __future__ import annotations

from dudao.definitions.display import display_value
from dudao.definitions.loader import load_text
from dudao.definitions.spec import Unit
from tests.definition_world import item, problem_at

PLAIN = "- {key: n, type: number, label: 人数, unit: 人}\n"
BOTH = "- {key: n, type: number, label: 人数, unit: {zh: 人, en: people}}\n"
ONE = "- {key: n, type: number, label: 次数, unit: {zh: 次, en: meetings, en_one: meeting}}\n"


def _number(text: str) -> tuple[dict, object]:
    loaded = load_text(item(text, "questionnaire"))  # a checklist would need a scored item
    return loaded.data["sections"][0]["items"][0], loaded.definition.sections[0].items[0]


def test_a_plain_unit_is_stored_as_before_and_shown_in_both_languages() -> None:
    data, spec = _number(PLAIN)
    assert data["unit"] == "人"  # the normalised form, hence the content hash, is unchanged
    assert spec.unit == Unit("人")
    assert display_value(spec, 12, "en") == "12 人" and display_value(spec, 12, "zh_CN") == "12 人"


def test_a_unit_in_two_languages_shows_the_readers() -> None:
    data, spec = _number(BOTH)
    assert data["unit"] == {"zh": "人", "en": "people"}
    assert display_value(spec, 12, "en") == "12 people"
    assert display_value(spec, 12, "zh_CN") == "12 人"
    assert display_value(spec, 1, "en") == "1 people"  # no singular given: en as it is


def test_english_after_exactly_one_reads_en_one() -> None:
    data, spec = _number(ONE)
    assert data["unit"] == {"zh": "次", "en": "meetings", "en_one": "meeting"}
    shown = [display_value(spec, value, "en") for value in (0, 1, 1.0, 1.5, 2)]
    assert shown == ["0 meetings", "1 meeting", "1 meeting", "1.5 meetings", "2 meetings"]
    assert display_value(spec, 1, "zh_CN") == "1 次"


def test_en_one_needs_en_and_is_spelt_right() -> None:
    text = item("- {key: n, type: number, label: L, unit: {zh: 次, en_one: meeting}}\n")
    assert "needed with en_one" in problem_at(text, "sections[0].items[0].unit.en")
    text = item("- {key: n, type: number, label: L, unit: {zh: 次, en: meetings, en_on: one}}\n")
    assert "did you mean 'en_one'" in problem_at(text, "sections[0].items[0].unit.en_on")


def test_a_units_limits_hold_in_both_forms() -> None:
    long = "x" * 41
    assert "longer than 40" in problem_at(
        item(f"- {{key: n, type: number, label: L, unit: {long}}}\n"), "sections[0].items[0].unit"
    )
    text = item(f"- {{key: n, type: number, label: L, unit: {{zh: 人, en: {long}}}}}\n")
    assert "longer than 40" in problem_at(text, "sections[0].items[0].unit.en")
    text = item("- {key: n, type: number, label: L, unit: {en: people}}\n")
    assert "missing required field" in problem_at(text, "sections[0].items[0].unit.zh")
