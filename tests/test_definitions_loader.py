"""The definition loader: normalised data, and one exactly located problem per mistake."""

from __future__ import annotations

import json
import textwrap

import pytest

from dudao.core.errors import ValidationError
from dudao.definitions.loader import (
    DefinitionError,
    LoadedDefinition,
    Problem,
    from_data,
    load_file,
    load_text,
)
from dudao.definitions.spec import Evidence, ItemType, Kind, Operator

CHECKLIST = """\
kind: checklist
key: spot
title: {zh: 抽查表, en: Spot check}
sections:
  - key: main
    title: 主要
    items:
      - key: q1
        type: yes_no
        label: 问题一
      - key: q2
        type: single_choice
        label: 问题二
        options:
          - {key: a, label: 甲}
          - {key: b, label: 乙}
        pass: {options: [a]}
      - key: q3
        type: scale
        label: 问题三
        show_if: {item: q1, equals: yes}
"""

QUESTIONNAIRE = """\
kind: questionnaire
key: survey
title: 问卷
sections:
  - key: s
    title: 部分
    items:
      - {key: r, type: rating, label: 评分, satisfaction: true}
      - {key: c, type: text, label: 意见, multiline: true}
"""


def problems(text: str, filename: str = "f.yaml") -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_text(text, filename)
    return [str(problem) for problem in caught.value.problems]


def problem_at(text: str, path: str) -> str:
    """The one problem whose path is `path` (as 'line:col: message')."""
    found = [p for p in problems(text) if p.split(": ")[1] == path]
    assert len(found) == 1, problems(text)
    return found[0].split(":", 1)[1]


def item(yaml_item: str, kind: str = "checklist", before: str = "") -> str:
    """A one-section definition whose items are `before` then `yaml_item` (item lines at col 7)."""
    body = textwrap.indent(textwrap.dedent(before) + textwrap.dedent(yaml_item), "      ")
    return (
        f"kind: {kind}\nkey: k\ntitle: T\nsections:\n  - key: s\n    title: S\n    items:\n{body}"
    )


# -- valid definitions ---------------------------------------------------------


def test_valid_checklist_loads_with_defaults_filled() -> None:
    loaded = load_text(CHECKLIST, "spot.yaml")
    assert isinstance(loaded, LoadedDefinition)
    definition = loaded.definition
    assert definition.kind is Kind.CHECKLIST
    assert definition.title.get("en") == "Spot check"
    assert [i.key for i in definition.items] == ["q1", "q2", "q3"]
    q1, q2, q3 = definition.items
    assert q1.pass_rule is not None and q1.pass_rule.options == ("yes",)  # yes_no default
    assert q1.scored and q1.weight == 1.0 and q1.evidence_on_fail is Evidence.NONE
    assert q2.pass_rule.options == ("a",)
    assert q3.type is ItemType.SCALE and q3.points == 5 and q3.pass_rule.min == 3
    assert q3.show_if.op is Operator.EQUALS and q3.show_if.value == "yes"  # YAML 1.2: text
    assert [g.label.zh for g in definition.grades] == ["优秀", "良好", "合格", "不合格"]
    data = loaded.data
    assert list(data) == ["kind", "key", "title", "description", "grades", "sections"]
    assert data["sections"][0]["items"][0] == {
        "key": "q1",
        "type": "yes_no",
        "label": {"zh": "问题一", "en": None},
        "help": None,
        "required": False,
        "show_if": None,
        "allow_na": False,
        "weight": 1,
        "critical": False,
        "pass": {"options": ["yes"]},
        "evidence_on_fail": "none",
    }
    json.dumps(data)  # JSON-serialisable


def test_normalised_data_round_trips() -> None:
    for text in (CHECKLIST, QUESTIONNAIRE):
        loaded = load_text(text)
        assert from_data(loaded.data) == loaded.definition
        again = load_text(json.dumps(loaded.data, ensure_ascii=False), "again.json")
        assert again.data == loaded.data
        assert json.dumps(again.data) == json.dumps(loaded.data)  # same key order


def test_questionnaire_defaults() -> None:
    loaded = load_text(QUESTIONNAIRE)
    definition = loaded.definition
    assert (definition.anonymous, definition.min_group, definition.min_comment_group) == (
        True,
        5,
        10,
    )
    assert definition.item("r").satisfaction is True
    assert definition.item("c").max_length == 2000  # multiline default
    assert "weight" not in loaded.data["sections"][0]["items"][0]
    assert definition.grades == ()


def test_json_input_with_tabs_equals_yaml() -> None:
    data = load_text(CHECKLIST).data
    text = json.dumps(data, ensure_ascii=False, indent="\t")
    assert load_text(text, "spot.json").data == data


def test_json_syntax_error_is_located() -> None:
    assert problems('{\n  "kind": "checklist",\n  "key" "x"\n}', "x.json") == [
        "x.json:3:9: <document>: invalid JSON: Expecting ':' delimiter"
    ]


def test_json_duplicate_keys_are_reported() -> None:
    text = '{"kind": "questionnaire",\n "kind": "checklist"}'
    assert "x.json:2:2: kind: duplicate key 'kind' (first at line 1)" in problems(text, "x.json")


def test_anchors_and_merge_keys_work() -> None:
    text = item(
        """\
        - key: a
          type: single_choice
          label: A
          options: &opts
            - {key: x, label: X}
        - {key: b, type: single_choice, label: B, options: *opts, <<: {help: 帮助}}
        """
    )
    definition = load_text(text).definition
    assert definition.item("b").options == definition.item("a").options
    assert definition.item("b").help.zh == "帮助"


# -- syntax and document -----------------------------------------------------------


def test_yaml_syntax_error_is_located() -> None:
    text = "kind: checklist\nkey: [a\ntitle: T\n"
    (found,) = problems(text)
    assert found.startswith("f.yaml:3:6: <document>: invalid YAML:")


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    assert problems(text) == ["f.yaml:1:1: <document>: the file is empty"]


def test_top_level_must_be_a_mapping() -> None:
    assert problems("- kind: checklist\n") == [
        "f.yaml:1:1: <document>: a definition must be a mapping (kind, key, title, sections, ...)"
    ]


def test_required_top_fields_and_unknown_kind() -> None:
    assert problems("kind: checklst\nsections: []\n") == [
        "f.yaml:1:1: key: missing required field 'key'",
        "f.yaml:1:1: title: missing required field 'title'",
        "f.yaml:1:7: kind: unknown kind 'checklst'; did you mean 'checklist'? "
        "(one of: checklist, questionnaire)",
        "f.yaml:2:11: sections: needs at least one of sections",
    ]


def test_unsupported_tag_and_recursive_alias() -> None:
    assert "f.yaml:2:6: key: unsupported YAML tag '!custom'" in problems(
        CHECKLIST.replace("key: spot", "key: !custom spot")
    )
    found = problems("kind: &a [*a]\n")
    assert "f.yaml:1:7: kind[0]: an alias refers to a node that contains it" in found


def test_all_problems_are_collected_and_sorted() -> None:
    text = CHECKLIST.replace("key: q2", "key: Q2").replace("label: 问题三", "lable: 问题三")
    found = problems(text)
    assert found == sorted(found, key=lambda p: tuple(int(n) for n in p.split(":")[1:3]))
    assert len(found) == 3  # bad key, unknown field, and the label it lacks


def test_problem_and_error_shapes() -> None:
    problem = Problem("a.yaml", 3, 7, "sections[0].key", "bad")
    assert str(problem) == "a.yaml:3:7: sections[0].key: bad"
    with pytest.raises(ValidationError) as caught:
        load_text("kind: x\n")
    assert isinstance(caught.value, DefinitionError)
    assert all(isinstance(p, Problem) for p in caught.value.problems)
    assert str(caught.value).startswith("<text>:1:1: ")


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
    assert "needs at least one of options" in problem_at(text, "sections[0].items[0].options")


def test_max_choices_is_kept_only_when_given_and_within_the_options() -> None:
    choices = (
        "- {key: q, type: multi_choice, label: A, options: [{key: a, label: A}, {key: b, label: B}]"
    )
    assert "max_choices" not in load_text(item(choices + "}")).data["sections"][0]["items"][0]
    loaded = load_text(item(choices + ", max_choices: 1}"))
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


# -- show_if ----------------------------------------------------------------------

EARLIER = """\
- {key: yn, type: yes_no, label: A}
- {key: ch, type: single_choice, label: B, options: [{key: a, label: A}, {key: b, label: B}]}
- {key: nt, type: note, label: 提示}
"""


def show_if(condition: str) -> str:
    return item(f"- {{key: z, type: text, label: Z, show_if: {condition}}}", before=EARLIER)


@pytest.mark.parametrize(
    ("condition", "path", "message"),
    [
        ("{item: yn2, equals: 'yes'}", "show_if.item", "unknown item 'yn2'; did you mean 'yn'?"),
        ("{item: later, answered: true}", "show_if.item",
         "item 'later' comes later; show_if may only refer to earlier items"),
        ("{item: z, answered: true}", "show_if.item", "an item cannot depend on itself ('z')"),
        ("{item: yn, gte: 3}", "show_if.gte",
         "'gte' cannot test a yes_no item (allowed: equals, not_equals, in, answered)"),
        ("{item: yn, equals: na}", "show_if.equals", "unknown answer 'na' (one of: yes, no)"),
        ("{item: ch, in: [a, c]}", "show_if.in[1]", "unknown option 'c' (one of: a, b)"),
        ("{item: nt, answered: true}", "show_if.item",
         "item 'nt' is a note and has no answer to test"),
        ("{item: yn, equals: 'yes', answered: true}", "show_if.answered",
         "a condition has one operator, found equals and answered; combine with all/any"),
        ("{item: yn}", "show_if",
         "a condition needs one operator: equals, not_equals, in, lt, lte, gt, gte, "
         "answered, all, any"),
        ("{all: []}", "show_if.all", "needs at least one of conditions"),
        ("{any: [{item: yn, answered: 'x'}]}", "show_if.any[0].answered",
         "expected true or false, got text"),
        ("{item: yn, equal: 'yes'}", "show_if.equal",
         "unknown field 'equal'; did you mean 'equals'?"),
    ],
)  # fmt: skip
def test_show_if_problems(condition: str, path: str, message: str) -> None:
    text = show_if(condition)
    if "later" in condition:
        text += "\n      - {key: later, type: yes_no, label: L}\n"
    assert problem_at(text, f"sections[0].items[3].{path}").endswith(f": {message}")


def test_show_if_item_is_located_exactly() -> None:
    text = item(
        "- key: b\n  type: yes_no\n  label: B\n  show_if:\n    item: a\n    equals: 'yes'\n"
        "- {key: a, type: yes_no, label: A}\n"
    )
    assert problem_at(text, "sections[0].items[0].show_if.item") == (
        "12:17: sections[0].items[0].show_if.item: "
        "item 'a' comes later; show_if may only refer to earlier items"
    )


def test_show_if_groups_and_values_load() -> None:
    text = show_if(
        "{any: [{item: yn, equals: 'no'}, "
        "{all: [{item: ch, in: [a, b]}, {item: yn, answered: true}]}]}"
    )
    condition = load_text(text).definition.item("z").show_if
    assert condition.op is Operator.ANY
    assert list(condition.items()) == ["yn", "ch", "yn"]
    assert condition.conditions[1].conditions[0].value == ("a", "b")


def test_show_if_depth_is_limited() -> None:
    condition = "{item: yn, answered: true}"
    for _ in range(12):
        condition = f"{{all: [{condition}]}}"
    assert any("nested more than 10 deep" in p for p in problems(show_if(condition)))


# -- files --------------------------------------------------------------------------


def test_load_file(tmp_path) -> None:
    path = tmp_path / "spot.yaml"
    path.write_text("\ufeff" + CHECKLIST, encoding="utf-8")
    assert load_file(path).definition.key == "spot"
    assert load_file(str(path)).filename == str(path)
    bad = tmp_path / "gbk.yaml"
    bad.write_bytes("kind: checklist\ntitle: 检查\n".encode("gb18030"))
    with pytest.raises(DefinitionError) as caught:
        load_file(bad)
    assert str(caught.value.problems[0]) == f"{bad}:2:8: <document>: the file is not UTF-8 text"
    with pytest.raises(DefinitionError) as caught:
        load_file(tmp_path / "missing.yaml")
    assert "cannot read the file" in str(caught.value)


def test_from_data_rejects_broken_data() -> None:
    data = load_text(CHECKLIST).data
    data["sections"][0]["items"][0]["type"] = "nope"
    with pytest.raises(DefinitionError) as caught:
        from_data(data)
    assert str(caught.value.problems[0]).startswith("<data>:1:1: sections[0].items[0].type:")


def test_tabs_get_a_hint() -> None:
    (found,) = problems("kind: checklist\nkey:\n\t- x\n")
    assert found.startswith("f.yaml:3:1: <document>: invalid YAML: ")
    assert found.endswith("; indent with spaces, not tabs")


def test_pure_python_parser_agrees_with_libyaml(monkeypatch) -> None:
    from dudao.definitions import yamlcompose, yamlsource

    texts = [CHECKLIST, QUESTIONNAIRE, CHECKLIST.replace("type: scale", "type: scael")]
    with_c = [yamlsource.parse(text) for text in texts]
    monkeypatch.setattr(yamlcompose, "_Loader", yamlcompose._PyLoader)
    for text, expected in zip(texts, with_c, strict=True):
        source = yamlsource.parse(text)
        assert (source.data, source.marks, source.key_marks) == (
            expected.data,
            expected.marks,
            expected.key_marks,
        )
    assert problems("kind: [x\n")[0].startswith("f.yaml:2:1: <document>: invalid YAML: ")
