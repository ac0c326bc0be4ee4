"""The readable difference between two definition versions."""

from __future__ import annotations

from dudao.core.language import translations
from dudao.definitions.commands import FORMS_FOLDER
from dudao.definitions.diff import (
    DEFINITION_FIELDS,
    FIELD_NAMES,
    ITEM_FIELDS,
    SECTION_FIELDS,
    FieldChange,
    diff_definitions,
    show,
    text_diff,
)
from dudao.definitions.loader import load_file, load_text
from dudao.definitions.spec import PassRule, Unit
from tests.definition_world import CHECK


def test_diff_names_items_and_fields():
    old = load_text(CHECK, "old.yaml")
    changed = (
        CHECK.replace("灭火器在有效期内", "灭火器压力正常")
        .replace("weight: 2", "weight: 3")
        .replace(
            "pass: {min: 2}",
            "pass: {min: 2}\n      - key: alarm\n        type: yes_no\n        label: 报警器完好",
        )
    )
    changed = changed.replace(
        "      - key: exits",
        "  - key: more\n    title: 其他\n    items:\n      - key: exits",
    )
    new = load_text(changed, "new.yaml")
    diff = diff_definitions(old.definition, new.definition)
    by_key = {change.key: change for change in diff.items}
    assert by_key["alarm"].status == "added"
    fields = {f.field: (f.old, f.new) for f in by_key["extinguishers"].fields}
    assert fields["label"] == ("灭火器在有效期内", "灭火器压力正常")
    assert fields["weight"] == ("2", "3")
    assert {f.field for f in by_key["exits"].fields} == {"section"}
    assert [c.key for c in diff.sections] == ["more"]
    assert diff.count("added") == 1 and diff.count("changed") == 2
    lines = text_diff(old.data, new.data, "v1", "v2")
    assert lines[0] == "--- v1" and any("灭火器压力正常" in line for line in lines)
    assert diff_definitions(old.definition, old.definition).empty


def test_every_field_a_change_can_name_has_words():
    named = {*DEFINITION_FIELDS, "kind", "section order", *SECTION_FIELDS, *ITEM_FIELDS}
    assert named | {"section", "order"} == set(FIELD_NAMES)
    assert FieldChange("weight", "1", "2").name.in_language(translations()) == "权重"


def test_diff_of_the_shipped_checklist_names_exactly_what_changed():
    loaded = load_file(FORMS_FOLDER / "branch_standardisation.yaml")
    text = (FORMS_FOLDER / "branch_standardisation.yaml").read_text(encoding="utf-8")
    # Move one item to the end of its section and drop another.
    lines = text.splitlines()
    start = lines.index("      - key: mem_transfer")
    end = lines.index("      - key: mem_points")
    block = lines[start:end]
    del lines[start:end]
    insert_at = lines.index("  - key: pioneer")
    lines[insert_at - 1 : insert_at - 1] = block
    moved = "\n".join(lines).replace("pass: {min: 8}", "pass: {min: 10}")
    new = load_text(moved, "moved.yaml")
    diff = diff_definitions(loaded.definition, new.definition)
    by_key = {change.key: change for change in diff.items}
    assert set(by_key) == {"mem_transfer", "mem_study_hours"}
    assert [f.field for f in by_key["mem_transfer"].fields] == ["order"]
    assert [f.field for f in by_key["mem_study_hours"].fields] == ["pass_rule"]
    assert by_key["mem_study_hours"].fields[0].new == "≥ 10"


def test_pass_rules_read_plainly():
    assert show(PassRule(min=8)) == "≥ 8"
    assert show(PassRule(max=0)) == "≤ 0"
    assert show(PassRule(min=1, max=3)) == "1–3"
    assert show(PassRule(options=("yes",))) == "yes"


def test_a_units_english_after_one_is_shown_when_it_changes():
    """Units differing only in `en_one` must not read as the same text on both sides."""
    assert show(Unit("次", "meetings")) == "次 / meetings"
    assert show(Unit("次", "meetings", en_one="meeting")) == "次 / meetings (1 meeting)"
