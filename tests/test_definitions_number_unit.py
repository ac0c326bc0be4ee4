"""A number item's unit in two languages: one Chinese string (stored as before, so the
versions made earlier keep their content hash) or {zh, en}; English pages show `en`."""

from __future__ import annotations

from dudao.definitions.display import display_value
from dudao.definitions.loader import load_text
from dudao.definitions.spec import LocalText
from tests.definition_world import item, problem_at

PLAIN = "- {key: n, type: number, label: 人数, unit: 人}\n"
BOTH = "- {key: n, type: number, label: 人数, unit: {zh: 人, en: people}}\n"


def _number(text: str) -> tuple[dict, object]:
    loaded = load_text(item(text))
    return loaded.data["sections"][0]["items"][0], loaded.definition.sections[0].items[0]


def test_a_plain_unit_is_stored_as_before_and_shown_in_both_languages() -> None:
    data, spec = _number(PLAIN)
    assert data["unit"] == "人"  # the normalised form, hence the content hash, is unchanged
    assert spec.unit == LocalText("人")
    assert display_value(spec, 12, "en") == "12 人" and display_value(spec, 12, "zh_CN") == "12 人"


def test_a_unit_in_two_languages_shows_the_readers() -> None:
    data, spec = _number(BOTH)
    assert data["unit"] == {"zh": "人", "en": "people"}
    assert display_value(spec, 12, "en") == "12 people"
    assert display_value(spec, 12, "zh_CN") == "12 人"


def test_a_units_limits_hold_in_both_forms() -> None:
    long = "x" * 41
    assert "longer than 40" in problem_at(
        item(f"- {{key: n, type: number, label: L, unit: {long}}}\n"), "sections[0].items[0].unit"
    )
    text = item(f"- {{key: n, type: number, label: L, unit: {{zh: 人, en: {long}}}}}\n")
    assert "longer than 40" in problem_at(text, "sections[0].items[0].unit.en")
    text = item("- {key: n, type: number, label: L, unit: {en: people}}\n")
    assert "missing required field" in problem_at(text, "sections[0].items[0].unit.zh")
