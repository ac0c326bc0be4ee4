"""The definition loader, field by field: types, keys, ranges, per-type and per-kind rules."""

from __future__ import annotations

import pytest

from dudao.definitions.loader import load_text
from tests.definition_world import CHECKLIST, QUESTIONNAIRE, item, problem_at, problems

# -- fields ----------------------------------------------------------------------


def test_duplicate_mapping_key_is_located() -> None:
    text = item("- key: q\n  type: yes_no\n  label: A\n  label: B\n")
    assert problem_at(text, "sections[0].items[0].label") == (
        "11:9: sections[0].items[0].label: duplicate key 'label' (first at line 10)"
    )


def test_unknown_field_with_did_you_mean() -> None:
    text = item("- key: q\n  type: yes_no\n  lable: A\n")
    assert problem_at(text, "sections[0].items[0].lable") == (
        "10:9: sections[0].items[0].lable: unknown field 'lable'; did you mean 'label'?"
    )
    assert problem_at(text, "sections[0].items[0].label").endswith("missing required field 'label'")
    text = item("- {key: q, type: yes_no, label: A, colour: red}")
    assert problem_at(text, "sections[0].items[0].colour").endswith("unknown field 'colour'")


def test_field_of_another_type() -> None:
    text = item("- {key: q, type: yes_no, label: A, points: 4}")
    assert problem_at(text, "sections[0].items[0].points") == (
        "8:42: sections[0].items[0].points: 'points' does not apply to a yes_no item"
    )


def test_weight_not_a_number() -> None:
    text = item("- key: q\n  type: yes_no\n  label: A\n  weight: heavy\n")
    assert problem_at(text, "sections[0].items[0].weight") == (
        "11:17: sections[0].items[0].weight: expected a number, got text"
    )


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("required: 'yes'", "expected true or false, got text"),
        ("weight: -1", "must be between 0 and 1000, got -1"),
        ("weight: .nan", "expected a finite number"),
        ("label: 12", "expected text, got a number (put it in quotes)"),
        ("label: '  '", "must not be empty"),
        ("help: {zh: 帮助, fr: aide}", "unknown field 'fr'"),
        ('help: "a\\0b"', "contains the control character U+0000"),
    ],
)
def test_wrong_types(field: str, message: str) -> None:
    if field.startswith("label"):
        text = item(f"- {{key: q, type: yes_no, {field}}}")
    else:
        text = item(f"- {{key: q, type: yes_no, label: A, {field}}}")
    assert any(p.endswith(message) for p in problems(text)), problems(text)


@pytest.mark.parametrize("key", ["Q1", "1q", "q-1", "题目", "q" * 65])
def test_keys_must_match_the_pattern(key: str) -> None:
    text = item(f"- {{key: '{key}', type: yes_no, label: A}}")
    assert problem_at(text, "sections[0].items[0].key").startswith(
        f"8:15: sections[0].items[0].key: {key!r} is not a valid key"
    )


def test_duplicate_item_section_and_option_keys() -> None:
    text = CHECKLIST + (
        "  - key: main\n"
        "    title: 又一个\n"
        "    items:\n"
        "      - {key: q1, type: single_choice, label: X, options: [{key: a, label: A}, "
        "{key: a, label: B}]}\n"
    )
    found = problems(text)
    assert "f.yaml:22:10: sections[1].key: duplicate section key 'main' (also sections[0])" in found
    assert (
        "f.yaml:25:15: sections[1].items[0].key: duplicate item key 'q1' "
        "(also sections[0].items[0])" in found
    )
    assert (
        "f.yaml:25:86: sections[1].items[0].options[1].key: duplicate option key 'a' "
        "(also options[0])" in found
    )


def test_choice_item_without_options() -> None:
    text = item("- {key: q, type: multi_choice, label: A}")
    assert problem_at(text, "sections[0].items[0].options") == (
        "8:9: sections[0].items[0].options: a multi_choice item needs 'options'"
    )
    text = item("- {key: q, type: single_choice, label: A, options: []}")
    assert "cannot be an empty list of options" in problem_at(text, "sections[0].items[0].options")


def test_max_choices_is_kept_only_when_given_and_within_the_options() -> None:
    choices = (
        "- {key: q, type: multi_choice, label: A, options: [{key: a, label: A}, {key: b, label: B}]"
    )
    kept = load_text(item(choices + "}", "questionnaire"))  # a checklist would need a scored item
    assert "max_choices" not in kept.data["sections"][0]["items"][0]
    loaded = load_text(item(choices + ", max_choices: 1}", "questionnaire"))
    assert loaded.definition.sections[0].items[0].max_choices == 1
    assert "max_choices" in problem_at(
        item(choices + ", max_choices: 3}"), "sections[0].items[0].max_choices"
    )
    text = item(
        "- {key: q, type: single_choice, label: A, options: [{key: a, label: A}], max_choices: 1}"
    )
    assert "does not apply to a single_choice item" in problem_at(
        text, "sections[0].items[0].max_choices"
    )


def test_scale_labels_must_match_points() -> None:
    text = item("- key: q\n  type: scale\n  label: A\n  points: 4\n  labels: [差, 中, 好]\n")
    assert problem_at(text, "sections[0].items[0].labels") == (
        "12:17: sections[0].items[0].labels: a scale of 4 points needs 4 labels "
        "(one per point), got 3"
    )
    assert load_text(
        item("- {key: q, type: scale, label: A, labels: [很差, 差, 中, 好, 很好]}")
    ).data


def test_number_min_above_max_and_pass_outside_range() -> None:
    text = item("- {key: n, type: number, label: N, min: 5, max: 1}")
    assert problem_at(text, "sections[0].items[0].max").endswith("max (1) is less than min (5)")
    text = item("- {key: n, type: number, label: N, min: 0, max: 10, pass: {min: 20}}")
    assert problem_at(text, "sections[0].items[0].pass.min").endswith(
        "must be between 0 and 10, got 20"
    )
    text = item("- {key: n, type: number, label: N, pass: {}}")
    assert problem_at(text, "sections[0].items[0].pass").endswith(
        "a pass rule needs 'min', 'max' or both"
    )


def test_rating_range_is_0_to_10() -> None:
    text = item("- {key: r, type: rating, label: R, pass: {min: 11}}")
    assert problem_at(text, "sections[0].items[0].pass.min").endswith(
        "must be between 0 and 10, got 11"
    )
    text = item("- {key: s, type: rating, label: S, show_if: {item: r, gte: -1}}",
                before="- {key: r, type: rating, label: R}\n")  # fmt: skip
    assert problem_at(text, "sections[0].items[1].show_if.gte").endswith(
        "must be between 0 and 10, got -1"
    )


def test_pass_rule_shapes() -> None:
    text = item("- {key: q, type: yes_no, label: A, pass: {min: 1}}")
    found = problems(text)
    assert any("pass.min: a yes_no item passes on 'options', not 'min'" in p for p in found)
    text = item("- {key: q, type: scale, label: A, pass: {options: [a]}}")
    assert any("pass.options: a scale item passes on 'min'/'max'" in p for p in problems(text))
    text = item("- {key: q, type: single_choice, label: A, options: [{key: a, label: A}], "
                "pass: {options: [b]}}")  # fmt: skip
    assert any("pass.options[0]: unknown option 'b'" in p for p in problems(text))


def test_photo_counts() -> None:
    text = item("- {key: p, type: photo, label: P, min_count: 3, max_count: 2}")
    assert problem_at(text, "sections[0].items[0].max_count") == (
        "8:66: sections[0].items[0].max_count: max_count (2) is less than min_count (3)"
    )


def test_an_anonymous_questionnaire_asks_for_no_photo() -> None:
    """Its file name (a time, a name) would sit in an anonymous answer: only named ones ask."""
    text = item("- {key: p, type: photo, label: P}", "questionnaire")
    assert problem_at(text, "sections[0].items[0].type") == (
        "8:24: sections[0].items[0].type: an anonymous questionnaire cannot ask for photos: a "
        "photo can tell who took it, and anonymous answers keep none. Remove the item, or make "
        "the questionnaire named with 'anonymous: false'"
    )
    assert load_text("anonymous: false\n" + text).definition.item("p").type == "photo"


def test_grade_bands() -> None:
    text = CHECKLIST.replace(
        "sections:", "grades:\n  - {min: 120, label: A}\n  - {min: 60, label: B}\n"
        "  - {min: 60, label: C}\n  - {min: 0}\nsections:"
    )  # fmt: skip
    found = problems(text)
    assert "f.yaml:5:11: grades[0].min: must be between 0 and 100, got 120" in found
    assert "f.yaml:7:11: grades[2].min: two grade bands start at 60 (also grades[1])" in found
    assert "f.yaml:8:5: grades[3].label: missing required field 'label'" in found
    loaded = load_text(CHECKLIST.replace("sections:", "grades: [{min: 50, label: 过}, "
                                         "{min: 80, label: 好}]\nsections:"))  # fmt: skip
    assert [band.min_score for band in loaded.definition.grades] == [80, 50]
    assert loaded.definition.grade_for(60).label.zh == "过"


def test_kind_specific_fields() -> None:
    found = problems(QUESTIONNAIRE.replace("title: 问卷", "title: 问卷\ngrades: []"))
    assert "f.yaml:4:1: grades: 'grades' applies only to checklists" in found
    found = problems(CHECKLIST.replace("title: {zh", "min_group: 5\ntitle: {zh"))
    assert "f.yaml:3:1: min_group: 'min_group' applies only to questionnaires" in found
    text = item("- {key: r, type: rating, label: R, weight: 2}", kind="questionnaire")
    assert problem_at(text, "sections[0].items[0].weight").endswith(
        "'weight' applies only to checklist items"
    )


def test_questionnaire_thresholds() -> None:
    text = QUESTIONNAIRE.replace("title: 问卷", "title: 问卷\nmin_group: 2")
    assert "f.yaml:4:12: min_group: must be between 3 and 10000, got 2" in problems(text)
    loaded = load_text(QUESTIONNAIRE.replace("title: 问卷", "title: 问卷\nmin_group: 20"))
    assert loaded.definition.min_comment_group == 20
    text = QUESTIONNAIRE.replace("title: 问卷", "title: 问卷\nmin_group: 8\nmin_comment_group: 6")
    assert problems(text) == [
        "f.yaml:5:20: min_comment_group: min_comment_group (6) must be at least min_group (8)"
    ]


def test_critical_only_on_scored_checklist_items() -> None:
    text = item("- {key: n, type: number, label: N, critical: true}")
    assert problem_at(text, "sections[0].items[0].critical").endswith(
        "only a scored item can be critical, and it has no 'pass' rule"
    )
    text = item("- {key: q, type: yes_no, label: A, critical: true, weight: 0}")
    assert problem_at(text, "sections[0].items[0].critical").endswith("and its weight is 0")
    text = item("- {key: t, type: text, label: T, critical: true}")
    assert problem_at(text, "sections[0].items[0].critical").endswith(
        "'critical' does not apply to a text item (it cannot be scored)"
    )
    assert load_text(item("- {key: q, type: yes_no, label: A, critical: true}")).definition


def test_satisfaction_only_on_questionnaire_scale_and_rating() -> None:
    text = item("- {key: q, type: yes_no, label: A, satisfaction: true}", kind="questionnaire")
    assert problem_at(text, "sections[0].items[0].satisfaction").endswith(
        "'satisfaction' applies only to scale and rating items"
    )
    text = item("- {key: q, type: scale, label: A, satisfaction: true}")
    assert problem_at(text, "sections[0].items[0].satisfaction").endswith(
        "'satisfaction' applies only to questionnaires"
    )
