"""XLSForm import: our own workbooks and third-party ones from pyxform's test suite."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from dudao.cli import cli
from dudao.core.language import spoken
from dudao.definitions.loader import load_text
from dudao.definitions.showif import visible_items
from dudao.definitions.xlsform import XLSFormError, convert_workbook, sheets, xlsform_to_yaml
from tests.definition_world import workbook

SHARED = Path(__file__).resolve().parents[2] / "shared" / "xlsforms"


SURVEY = [
    [
        "type",
        "name",
        "label::Chinese",
        "label::English",
        "hint::Chinese",
        "required",
        "relevant",
        "constraint",
    ],
    ["begin_group", "basics", "基本情况", "Basics", None, None, None, None],
    [
        "select_one yn",
        "meets",
        "是否按时召开支部大会",
        "Meetings on time",
        "近三个月",
        "yes",
        None,
        None,
    ],
    [
        "integer",
        "count",
        "召开次数",
        "How many",
        None,
        "yes",
        "${meets} = 'yes'",
        ". >= 0 and . <= 30",
    ],
    [
        "select_multiple topics",
        "topics",
        "学习内容",
        "Topics",
        None,
        "no",
        "${count} > 2 or ${count} = 1",
        None,
    ],
    ["end_group", None, None, None, None, None, None, None],
    ["begin group", "more", "补充", "More", None, None, "selected(${topics}, 'theory')", None],
    ["text", "Other-Notes", "其他说明", "Notes", None, None, None, None],
    ["date", "visit_date", "检查日期", "Date", None, None, None, None],
    ["decimal", "ratio", "比例", "Ratio", None, None, None, None],
    ["note", "thanks", "谢谢", "Thanks", None, None, None, None],
    ["end group", None, None, None, None, None, None, None],
    ["start", "start", None, None, None, None, None, None],
]
CHOICES = [
    ["list_name", "name", "label::Chinese", "label::English"],
    ["yn", "yes", "是", "Yes"],
    ["yn", "no", "否", "No"],
    ["topics", "theory", "理论", "Theory"],
    ["topics", "policy", "政策", "Policy"],
]
SETTINGS = [["form_title", "form_id"], ["支部检查", "branch-check"]]


def test_translates_types_groups_languages_and_relevant(tmp_path):
    path = workbook(tmp_path / "ours.xlsx", SURVEY, CHOICES, SETTINGS)
    data = convert_workbook(path)
    assert data["key"] == "branch_check" and data["title"] == "支部检查"
    assert [s["key"] for s in data["sections"]] == ["basics", "more"]
    items = {i["key"]: i for s in data["sections"] for i in s["items"]}
    assert items["meets"]["label"] == {"zh": "是否按时召开支部大会", "en": "Meetings on time"}
    assert items["meets"]["required"] is True and items["meets"]["help"] == "近三个月"
    assert items["count"]["min"] == 0
    assert items["count"]["max"] == 30 and items["count"]["type"] == "number"
    assert items["count"]["show_if"] == {"item": "meets", "equals": "yes"}
    assert items["topics"]["show_if"] == {
        "any": [{"item": "count", "gt": 2}, {"item": "count", "equals": 1}]
    }
    # A group's relevant applies to each item inside it; names become valid keys.
    assert items["other_notes"]["show_if"] == {"item": "topics", "equals": "theory"}
    assert {i["type"] for i in items.values()} >= {"date", "note", "multi_choice"}
    loaded = load_text(xlsform_to_yaml(path), "ours.yaml")
    assert loaded.definition.item("count").required


NEGATABLE = [
    "${d} > 3 and selected(${m}, 'x')",
    "${a} = 'yes' or ${t} != ''",
    "${a} != '' and ${m} = ''",
    "${d} <= 2 or not(${a} != 'no')",
    "(${t} = '' and ${d} >= 3) or ${m} != 'y'",
    "not(${d} < 1 or selected(${m}, 'y'))",
    "string-length(${t}) > 0 or count-selected(${m}) = 0",
]
ANSWERS = [
    {"a": a, "m": m, "d": d, "t": t}
    for a in (None, "yes", "no")
    for m in (None, [], ["x"], ["y"], ["x", "y"])
    for d in (None, 0, 3, 5)
    for t in (None, "", "  ", "hi")
]


def test_not_and_empty_text_translate_to_what_they_mean_in_xlsform(tmp_path):
    """not(E) is shown for exactly the answers E is hidden for, and `${t} != ''` is
    XLSForm's "t is answered" (it was kept as a comparison with empty text, which no
    answer equals, and refused)."""
    survey = [["type", "name", "label", "relevant"], ["select_one yn", "a", "A", None],
              ["select_multiple xy", "m", "M", None], ["integer", "d", "D", None],
              ["text", "t", "T", None]]  # fmt: skip
    for n, expression in enumerate(NEGATABLE):
        survey += [
            ["text", f"is_{n}", "E", expression],
            ["text", f"not_{n}", "¬E", f"not({expression})"],
        ]
    choices = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"],
               ["xy", "x", "X"], ["xy", "y", "Y"]]  # fmt: skip
    definition = load_text(
        xlsform_to_yaml(workbook(tmp_path / "not.xlsx", survey, choices)), "n"
    ).definition
    for answers in ANSWERS:
        shown = visible_items(definition, answers)
        for n in range(len(NEGATABLE)):
            assert (f"is_{n}" in shown) != (f"not_{n}" in shown), (NEGATABLE[n], answers)
    assert "is_1" in visible_items(definition, {"t": "hi"})
    assert "is_1" not in visible_items(definition, {"t": " "})
    items = convert_workbook(workbook(tmp_path / "n2.xlsx", survey, choices))["sections"][0][
        "items"
    ]
    written = {item["key"]: item.get("show_if") for item in items}
    assert written["is_1"] == {
        "any": [{"item": "a", "equals": "yes"}, {"item": "t", "answered": True}]
    }
    assert written["is_6"] == {
        "any": [{"item": "t", "answered": True}, {"item": "m", "answered": False}]
    }
    assert written["not_0"] == {"any": [{"item": "d", "lte": 3}, {"item": "d", "answered": False},
                                        {"item": "m", "not_equals": "x"}]}  # fmt: skip


def test_a_translation_that_is_not_valid_is_named_at_its_survey_row(tmp_path):
    survey = [["type", "name", "label", "relevant"], ["select_one yn", "b", "OK?", None],
              ["text", "c", "Why?", "${b} = 'maybe'"], ["integer", "n", "N", None],
              ["text", "z", "Z", "${n} = 'many'"]]  # fmt: skip
    choices = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]
    path = workbook(tmp_path / "after.xlsx", survey, choices)
    with pytest.raises(XLSFormError) as caught:
        xlsform_to_yaml(path)
    english = [str(problem) for problem in caught.value.problems]
    assert english == [
        "survey row 3: relevant: unknown option 'maybe' (one of: yes, no)",
        "survey row 5: relevant: expected a number, got text",
    ]
    chinese = [spoken(problem, "zh_CN") for problem in caught.value.problems]
    assert chinese[0] == "survey 第 3 行：relevant: 未知的选项 “maybe”（可选：yes、no）"


def test_refusal_lists_every_problem_by_sheet_and_row(tmp_path):
    survey = [
        ["type", "name", "label", "calculation", "relevant"],
        ["calculate", "total", "Total", "1 + 1", None],
        ["begin repeat", "people", "People", None, None],
        ["text", "who", "Who", None, "string-length(${total}) > 2"],
        ["end repeat", None, None, None, None],
        ["select_one missing", "pick", "Pick", None, None],
        ["text", "later", "Later", None, "${nobody} = 'x'"],
        ["text", "many", "Many", None, "count-selected(${pick}) > 2"],
    ]
    with pytest.raises(XLSFormError) as caught:
        convert_workbook(workbook(tmp_path / "bad.xlsx", survey))
    problems = "\n".join(caught.value.problems)
    for expected in (
        "survey row 2: type 'calculate' cannot be imported",
        "survey row 2: column 'calculation'",
        "survey row 3: repeats cannot be imported",
        "survey row 4: relevant 'string-length(${total}) > 2'",
        "survey row 6: type 'select_one missing': no choices named 'missing'",
        "survey row 7: relevant refers to ${nobody}",
        "survey row 8: relevant 'count-selected(${pick}) > 2': count-selected(…) > 2: only a test",
    ):
        assert expected in problems


def test_cli_writes_yaml_that_passes_check_and_refuses_cleanly(tmp_path):
    good = workbook(tmp_path / "ours.xlsx", SURVEY, CHOICES, SETTINGS)
    out = tmp_path / "out.yaml"
    runner = CliRunner()
    result = runner.invoke(cli, ["forms", "import-xlsform", str(good), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"已写入 {out}。请用 `dudao forms check {out}` 检查。" in result.output
    assert yaml.safe_load(out.read_text())["key"] == "branch_check"
    again = runner.invoke(cli, ["forms", "import-xlsform", str(good), "-o", str(out), "--lang",
                                "en"])  # fmt: skip
    assert again.exit_code == 1 and f"{out} exists; use --force to overwrite it." in again.output
    check = runner.invoke(cli, ["forms", "check", str(out)])
    assert check.exit_code == 0, check.output

    bad = workbook(
        tmp_path / "bad.xlsx", [["type", "name", "label"], ["geopoint", "where", "Where"]]
    )
    result = runner.invoke(
        cli, ["forms", "import-xlsform", str(bad), "-o", str(tmp_path / "x.yaml"), "--lang", "en"]
    )
    assert result.exit_code == 1
    assert "survey row 2: type 'geopoint' cannot be imported" in result.output
    assert not (tmp_path / "x.yaml").exists()
    assert "Traceback" not in result.output


def test_cli_output_into_a_missing_folder_is_one_sentence(tmp_path):
    good = workbook(tmp_path / "ours.xlsx", SURVEY, CHOICES, SETTINGS)
    out = tmp_path / "no" / "such" / "out.yaml"
    result = CliRunner().invoke(cli, ["forms", "import-xlsform", str(good), "-o", str(out)])
    assert result.exit_code == 1
    assert f"无法写入 {out}：No such file or directory。" in result.output  # default zh_CN
    args = ["forms", "import-xlsform", str(good), "-o", str(out), "--lang", "en"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert f"Cannot write {out}: No such file or directory." in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_range_becomes_a_scale_or_a_rating_and_presentation_parameters_are_ignored(tmp_path):
    survey = [["type", "name", "label", "parameters"],
              ["range", "agree", "同意程度", "start=1 end=5 step=1"],
              ["range", "recommend", "推荐意愿", "start=0 end=10"],
              ["range", "plain", "默认范围", None],
              ["image", "site", "现场照片", "max-pixels=1024"]]  # fmt: skip
    path = workbook(tmp_path / "range.xlsx", survey)
    # An anonymous questionnaire asks for no photo: refused at the image's row.
    with pytest.raises(XLSFormError) as refused:
        xlsform_to_yaml(path)
    assert refused.value.problems == [
        "survey row 5: type: an anonymous questionnaire cannot ask for photos: a photo can tell "
        "who took it, and anonymous answers keep none. Remove the item, or make the "
        "questionnaire named with 'anonymous: false'"
    ]
    loaded = load_text(xlsform_to_yaml(path, "checklist"), "r").definition
    assert [(i.key, i.type) for i in loaded.items] == [
        ("agree", "scale"),
        ("recommend", "rating"),
        ("plain", "scale"),
        ("site", "photo"),
    ]
    assert loaded.item("agree").points == 5 and loaded.item("plain").points == 10
    survey += [["range", "pct", "百分比", "start=0 end=100 step=5"],
               ["text", "t", "说明", "foo=bar"]]  # fmt: skip
    with pytest.raises(XLSFormError) as caught:
        convert_workbook(workbook(tmp_path / "bad.xlsx", survey))
    assert [str(p) for p in caught.value.problems] == [
        "survey row 6: range 'start=0 end=100 step=5': only start=1 end=2..10 (a scale) or "
        "start=0 end=10 (a rating), step=1, can be imported",
        "survey row 7: parameters 'foo=bar' cannot be imported",
    ]


def test_languages_named_with_their_code_in_parentheses(tmp_path):
    """XLSForm's recommended headers, `label::English (en)`; the English text was taken
    for a third language and lost."""
    survey = [["type", "name", "label::English (en)", "label::中文 (zh-CN)", "hint::English (en)"],
              ["text", "name", "Your name", "姓名", "As on your card"]]  # fmt: skip
    item = convert_workbook(workbook(tmp_path / "codes.xlsx", survey))["sections"][0]["items"][0]
    assert item["label"] == {"zh": "姓名", "en": "Your name"}
    assert item["help"] == "As on your card"
    english = [["type", "name", "label::English (en)", "label::Français (fr)"],
               ["text", "name", "Your name", "Votre nom"]]  # fmt: skip
    settings = [["default_language"], ["English (en)"]]
    only = convert_workbook(workbook(tmp_path / "en.xlsx", english, None, settings))
    assert only["sections"][0]["items"][0]["label"] == "Your name"


def test_only_the_xlsform_sheets_are_read_and_a_huge_workbook_is_refused(tmp_path, monkeypatch):
    # another sheet (a data dump, notes) is not read, so its problems do not refuse the form
    path = workbook(tmp_path / "ours.xlsx", SURVEY, CHOICES, SETTINGS)
    book = openpyxl.load_workbook(path)
    notes = book.create_sheet("notes")
    notes.append(["same", "same"])
    book.save(path)
    assert convert_workbook(path)["key"] == "branch_check"
    monkeypatch.setattr(sheets, "MAX_ROWS", 3)
    with pytest.raises(XLSFormError) as caught:
        convert_workbook(path)
    assert "survey: more than 3 rows; an XLSForm is far shorter" in caught.value.problems
    monkeypatch.setattr(sheets, "MAX_UNPACKED_BYTES", 1000)  # a zip bomb is refused unread
    monkeypatch.setattr(openpyxl, "load_workbook", None)
    with pytest.raises(XLSFormError, match=r"^ours.xlsx is larger than 0 MB unzipped"):
        convert_workbook(path)


def test_not_a_workbook_is_one_clear_error(tmp_path):
    """One sentence in the reader's words, not the library's ("File is not a zip file")."""
    for name, data in (("fake.xlsx", b"hello"), ("broken.xlsx", b"PK\x03\x04garbage")):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(XLSFormError, match="not a readable XLSX workbook") as refused:
            convert_workbook(path)
        assert "zip" not in str(refused.value.message) and refused.value.problems == []
    book = openpyxl.Workbook()
    book.active.title = "units"
    book.save(tmp_path / "org.xlsx")
    with pytest.raises(XLSFormError, match=r"org\.xlsx has no 'survey' sheet") as refused:
        convert_workbook(tmp_path / "org.xlsx")
    assert refused.value.problems == []  # said once, not again in a list below


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/xlsforms is not beside the checkout")
@pytest.mark.parametrize(
    "name", sorted(p.name for p in SHARED.glob("*.xlsx")) if SHARED.is_dir() else []
)
def test_third_party_workbooks_import_or_are_refused_with_rows(name, tmp_path):
    path = SHARED / name
    try:
        text = xlsform_to_yaml(path)
    except XLSFormError as refused:
        assert refused.problems, "a refusal lists what cannot be translated"
        assert all(" row " in p or p.startswith(name) for p in refused.problems)
        return
    out = tmp_path / "imported.yaml"
    out.write_text(text)
    result = CliRunner().invoke(cli, ["forms", "check", str(out)])
    assert result.exit_code == 0, result.output
