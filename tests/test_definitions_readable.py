"""A definition's rules in words on its version page (`show_if`, pass rules): the question
and the answer as the form shows them, in the reader's language, not the YAML's keys and
operators."""

from __future__ import annotations

from dudao.core.language import translations
from dudao.definitions.loader import load_text
from dudao.definitions.readable import passes_when, shown_when
from dudao.definitions.uploading import upload_version
from tests.definition_world import FIRE_HEAD

#: One item per kind of condition, each on `extinguishers` (yes/no/not applicable) or
#: `exits` (a number with a unit).
CONDITIONS = {
    "c_equals": '{item: extinguishers, equals: "no"}',
    "c_not_equals": '{item: extinguishers, not_equals: "yes"}',
    "c_in": '{item: extinguishers, in: ["no", "na"]}',
    "c_lt": "{item: exits, lt: 2}",
    "c_gte": "{item: exits, gte: 3}",
    "c_answered": "{item: exits, answered: false}",
    "c_all": '{all: [{item: extinguishers, equals: "no"}, {item: exits, gt: 1}]}',
    "c_any": '{any: [{item: extinguishers, equals: "no"}, {item: exits, lte: 1}]}',
}
CHECK = (
    FIRE_HEAD
    + """\
        allow_na: true
      - key: exits
        type: number
        label: 安全出口数量
        unit: {zh: 个, en: exits}
        min: 0
        max: 20
        pass: {min: 2}
      - key: drill
        type: single_choice
        label: 演练情况
        options:
          - {key: done, label: {zh: 已演练, en: Done}}
          - {key: planned, label: {zh: 已计划, en: Planned}}
          - {key: none, label: {zh: 未安排, en: None}}
        pass: {options: [done, planned]}
      - key: doors
        type: number
        label: 防火门数量
        pass: {min: 1, max: 4}
"""
)
TEXT = CHECK + "".join(
    f"      - key: {key}\n        type: text\n        label: {key}\n        show_if: {cond}\n"
    for key, cond in CONDITIONS.items()
)


def _described(locale: str) -> dict[str, str]:
    definition = load_text(TEXT, "fire.yaml").definition
    catalogue = translations("zh_CN" if locale == "zh" else "en")
    return {
        key: shown_when(definition.item(key).show_if, definition, locale).in_language(catalogue)
        for key in CONDITIONS
    }


def test_each_kind_of_condition_reads_as_a_sentence_in_chinese() -> None:
    assert _described("zh") == {
        "c_equals": "“灭火器在有效期内”为否",
        "c_not_equals": "“灭火器在有效期内”不为是",
        "c_in": "“灭火器在有效期内”为否 / 不适用之一",
        "c_lt": "“安全出口数量”小于 2 个",
        "c_gte": "“安全出口数量”不小于 3 个",
        "c_answered": "“安全出口数量”未作答",
        "c_all": "同时满足：“灭火器在有效期内”为否；“安全出口数量”大于 1 个",
        "c_any": "满足其一：“灭火器在有效期内”为否；“安全出口数量”不大于 1 个",
    }


def test_each_kind_of_condition_reads_as_a_sentence_in_english() -> None:
    described = _described("en")
    assert described["c_equals"] == "“灭火器在有效期内” is No"  # the label has no English
    assert described["c_in"] == "“灭火器在有效期内” is one of No / N/A"
    assert described["c_gte"] == "“安全出口数量” is at least 3 exits"
    assert described["c_answered"] == "“安全出口数量” is not answered"
    assert described["c_all"] == "all of: “灭火器在有效期内” is No; “安全出口数量” is above 1 exits"


def test_pass_rules_read_as_the_form_shows_the_answers() -> None:
    definition = load_text(TEXT, "fire.yaml").definition
    zh, en = translations("zh_CN"), translations("en")

    def passes(key: str, locale: str) -> str:
        catalogue = zh if locale == "zh" else en
        return passes_when(definition.item(key), locale).in_language(catalogue)

    assert [passes(key, "zh") for key in ("exits", "drill", "doors")] == [
        "至少 2 个", "已演练 / 已计划", "1–4",
    ]  # fmt: skip
    assert [passes(key, "en") for key in ("exits", "drill", "doors")] == [
        "at least 2 exits", "Done / Planned", "1–4",
    ]  # fmt: skip


def test_the_version_page_says_when_an_item_is_shown(signed_in, org, session) -> None:
    version = upload_version(session, None, TEXT, "fire.yaml").version
    session.commit()
    client = signed_in("ada", ("admin", org.group))
    url = f"/admin/definitions/versions/{version.id}"
    chinese = client.get(url).get_data(as_text=True)
    assert '<td class="wrap-short">“安全出口数量”不小于 3 个</td>' in chinese
    assert "exits gte" not in chinese
    assert "权重 1；合格条件：已演练 / 已计划" in chinese and "done / planned" not in chinese
    client.post("/lang", data={"lang": "en"})
    english = client.get(url).get_data(as_text=True)
    assert '<td class="wrap-short">“安全出口数量” is at least 3 exits</td>' in english
