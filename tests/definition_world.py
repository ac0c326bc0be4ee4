"""Shared by the definition tests: a checklist, a questionnaire and a forms/ folder holding both."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

CHECK = """\
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
