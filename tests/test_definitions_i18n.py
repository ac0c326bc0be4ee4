"""A definition's problems in the reader's language: the upload page in the page's
language, the commands in the default one (zh_CN, `--lang en` for English); the
location (file, line, column, field) reads the same in both."""

from __future__ import annotations

import html as html_module
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dudao.cli import cli
from dudao.definitions.commands import forms_group
from tests.definition_world import PLAIN_CHECK as CHECK
from tests.definition_world import workbook

#: A wrong item type (line 14) and a label that is a number (line 15).
BAD = CHECK.replace("type: number", "type: numbr").replace("label: 安全出口数量", "label: 7")


def _upload(client, text: str = BAD) -> str:
    response = client.post("/admin/definitions/upload", data={"text": text, "filename": "x.yaml"})
    assert response.status_code == 422
    return response.get_data(as_text=True)


def test_upload_page_shows_problems_in_chinese_with_their_lines(signed_in, org):
    client = signed_in("ada", ("admin", org.group))
    html = _upload(client)
    assert (
        "<td>14</td><td>15</td><td><code>sections[0].items[1].type</code></td>"
        '<td class="wrap">未知的条目类型 “numbr”；是否应为 “number”？'
    ) in html
    assert (
        "<td>15</td><td>16</td><td><code>sections[0].items[1].label</code></td>"
        '<td class="wrap">应为文本，实为数字（请加引号）</td>'
    ) in html
    assert "unknown item type" not in html and "expected text" not in html


def test_upload_page_shows_problems_in_english_when_asked(signed_in, org):
    client = signed_in("ada", ("admin", org.group))
    client.post("/lang", data={"lang": "en"})
    html = _upload(client)
    assert (
        "<td>14</td><td>15</td><td><code>sections[0].items[1].type</code></td>"
        '<td class="wrap">unknown item type &#39;numbr&#39;; did you mean &#39;number&#39;?'
    ) in html
    assert "expected text, got a number (put it in quotes)" in html
    assert "未知的条目类型" not in html


def test_upload_page_translates_syntax_and_file_problems(signed_in, org):
    client = signed_in("ada", ("admin", org.group))
    assert "YAML 格式错误：" in _upload(client, "kind: checklist\nkey: [x\n")
    html = _upload(client, CHECK.replace("key: fire_check", "key: fire_check\nkey: again"))
    assert "字段 “key” 重复（首次出现在第 2 行）" in html


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            'kind: checklist\ntitle: "abc\nkey: x\n',
            "引号内的文字尚未结束，文件就已结束（该部分从第 2 行开始）",
        ),
        ("kind: checklist\nkey: [x\n", "[ ] 中的列表缺少“,”或结尾的“]”"),
        ("kind: checklist\ntitle: a: b\n", "此处不能出现“:”：请检查缩进"),
        ("kind: checklist\nsections:\n  - a: 1\n b: 2\n", "缩进与上面的行没有对齐"),
        ("kind: checklist\nkey: @x\n", "值不能以此字符开头：请给值加引号"),
    ],
)
def test_yaml_syntax_reasons_are_in_the_readers_words(signed_in, org, text, words):
    """PyYAML's own reasons ("found unexpected end of stream", "while scanning a quoted
    scalar") reached the Chinese page in English."""
    client = signed_in("ada", ("admin", org.group))
    html = html_module.unescape(_upload(client, text))
    assert "YAML 格式错误：" + words in html
    assert "<td>整个文件</td>" in html and "<document>" not in html
    reason = html.split("YAML 格式错误：", 1)[1].split("<", 1)[0]
    assert not re.search(r"[A-Za-z]{4,}", reason), reason


def test_check_speaks_chinese_by_default_and_english_on_request(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    chinese = CliRunner().invoke(cli, ["forms", "check", str(bad)])
    assert chinese.exit_code == 1
    assert chinese.stdout.splitlines() == [
        f"{bad}:14:15: sections[0].items[1].type: 未知的条目类型 “numbr”；是否应为 “number”？"
        "（可选：yes_no、single_choice、multi_choice、scale、rating、number、text、date、"
        "photo、note）",
        f"{bad}:15:16: sections[0].items[1].label: 应为文本，实为数字（请加引号）",
    ]
    assert "1 个文件中有 2 个问题。" in chinese.stderr
    english = CliRunner().invoke(cli, ["forms", "check", "--lang", "en", str(bad)])
    assert english.stdout.splitlines()[1] == (
        f"{bad}:15:16: sections[0].items[1].label: expected text, got a number (put it in quotes)"
    )
    assert "2 problems in 1 file." in english.stderr


def test_check_counts_problems_and_files_each_with_its_own_plural(tmp_path: Path):
    """The files took the problems' plural: "1 problem in 1 files."."""
    one = tmp_path / "one.yaml"
    one.write_text(CHECK.replace("type: number", "type: numbr"), encoding="utf-8")
    (tmp_path / "ok.yaml").write_text(CHECK.replace("fire_check", "fire_again"), encoding="utf-8")
    english = CliRunner().invoke(cli, ["forms", "check", "--lang", "en", str(one)])
    assert english.exit_code == 1 and english.stderr == "1 problem in 1 file.\n"
    both = CliRunner().invoke(cli, ["forms", "check", "--lang", "en", str(tmp_path)])
    assert both.stderr == "1 problem in 2 files.\n"
    chinese = CliRunner().invoke(cli, ["forms", "check", str(tmp_path)])
    assert chinese.stderr == "2 个文件中有 1 个问题。\n"


def test_sync_lists_problems_in_chinese(app, tmp_path: Path):
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "fire.yaml").write_text(CHECK.replace("sections:", "sectons:"), encoding="utf-8")
    result = app.test_cli_runner().invoke(forms_group, ["sync", "--folder", str(folder)])
    assert result.exit_code == 1
    assert "forms/fire.yaml:4:1: sectons: 未知字段 “sectons”；是否应为 “sections”？" in (
        result.output
    )
    assert "定义中有 2 个问题，未同步任何内容。" in result.output


def _import(path: Path, *options: str) -> list[str]:
    out = path.with_suffix(".yaml")
    result = CliRunner().invoke(
        cli, ["forms", "import-xlsform", str(path), "-o", str(out), *options]
    )
    assert result.exit_code == 1 and not out.exists()
    return result.output.splitlines()


def test_xlsform_import_lists_problems_by_row_in_chinese(tmp_path: Path):
    survey = [["type", "name", "label"], ["geopoint", "where", "Where"], ["text", "a", "A"],
              ["text", "a", "Again"]]  # fmt: skip
    bad = workbook(tmp_path / "bad.xlsx", survey)
    assert _import(bad) == [
        "bad.xlsx 无法导入：有 2 个问题。",
        "  survey 第 2 行：无法导入类型 “geopoint”",
        "  survey 第 4 行：name “a” 与survey 第 3 行的相同",
    ]
    assert _import(bad, "--lang", "en")[1:] == [
        "  survey row 2: type 'geopoint' cannot be imported",
        "  survey row 4: name 'a' is the same as on survey row 3",
    ]


def test_xlsform_import_failing_the_check_names_the_place_in_chinese(tmp_path: Path):
    survey = [["type", "name", "label", "constraint"], ["integer", "n", "N", ". >= 10 and . <= 5"]]
    bad = workbook(tmp_path / "bounds.xlsx", survey)
    assert _import(bad) == [
        "bounds.xlsx 转换后的定义无效。",
        "  survey 第 2 行：constraint: max（5）小于 min（10）",
    ]
