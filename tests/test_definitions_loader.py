"""The definition loader: normalised data, and one exactly located problem per mistake."""

from __future__ import annotations

import json

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
from tests.definition_world import CHECKLIST, QUESTIONNAIRE, item, problems

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
        """,
        "questionnaire",  # a checklist would need a scored item
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
        "f.yaml:2:11: sections: cannot be an empty list of sections",
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


def test_a_checklist_that_scores_nothing_is_refused_at_its_sections() -> None:
    nothing = """\
        - {key: a, type: text, label: A}
        - {key: b, type: yes_no, label: B, weight: 0}
        - {key: c, type: single_choice, label: C, options: [{key: x, label: X}]}
        """
    (found,) = problems(item(nothing))
    assert found.startswith("f.yaml:5:3: sections: a checklist needs at least one scored item")
    survey = item(nothing.replace(", weight: 0", ""), "questionnaire")
    assert load_text(survey).definition.kind is Kind.QUESTIONNAIRE
    one = load_text(item(nothing.replace("weight: 0", "weight: 1"))).definition
    assert [i.key for i in one.items if i.scored] == ["b"]
    # A broken item may be the scored one: only its own problem is reported.
    (broken,) = problems(item(nothing.replace("weight: 0", "weight: -1")))
    assert "sections[0].items[1].weight" in broken


def test_problem_and_error_shapes() -> None:
    problem = Problem("a.yaml", 3, 7, "sections[0].key", "bad")
    assert str(problem) == "a.yaml:3:7: sections[0].key: bad"
    with pytest.raises(ValidationError) as caught:
        load_text("kind: x\n")
    assert isinstance(caught.value, DefinitionError)
    assert all(isinstance(p, Problem) for p in caught.value.problems)
    assert str(caught.value).startswith("<text>:1:1: ")


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
