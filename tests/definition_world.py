"""Shared by the definition tests: sample definitions, a forms/ folder, problems, an XLSForm."""

from __future__ import annotations

import textwrap
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from dudao.definitions.loader import DefinitionError, load_text

#: The fire check's first lines, up to its first item's label, for variants of it.
FIRE_HEAD = """\
kind: checklist
key: fire_check
title: {zh: 消防检查, en: Fire check}
sections:
  - key: basics
    title: 基本情况
    items:
      - key: extinguishers
        type: yes_no
        label: 灭火器在有效期内
"""
CHECK = (
    FIRE_HEAD
    + """\
        required: true
        weight: 2
        critical: true
      - key: exits
        type: number
        label: 安全出口数量
        min: 0
        max: 20
        pass: {min: 2}
"""
)
#: The same without the weight (the admin and i18n tests' line numbers are of this text).
PLAIN_CHECK = CHECK.replace("        weight: 2\n", "")

SURVEY = """\
kind: questionnaire
key: canteen
title: 食堂满意度
sections:
  - key: main
    title: 评价
    items:
      - key: taste
        type: scale
        label: 饭菜口味
        points: 3
        satisfaction: true
"""


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "forms"
    path.mkdir()
    (path / "fire.yaml").write_text(CHECK, encoding="utf-8")
    (path / "canteen.yaml").write_text(SURVEY, encoding="utf-8")
    (path / "definition.schema.json").write_text("{}", encoding="utf-8")
    (path / "README.md").write_text("not a definition", encoding="utf-8")
    return path


# -- the loader tests' definitions, and the problems the loader finds in a text ---------------

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


# -- XLSForm import --------------------------------------------------------------------------


def workbook(
    path: Path, survey: list[list], choices: list[list] | None = None, settings=None
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    if choices:
        choice_sheet = book.create_sheet("choices")
        for row in choices:
            choice_sheet.append(row)
    if settings:
        settings_sheet = book.create_sheet("settings")
        for row in settings:
            settings_sheet.append(row)
    book.save(path)
    return path
