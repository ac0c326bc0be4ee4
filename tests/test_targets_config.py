"""workflows/targets.yaml: the shipped plan loads; every mistake is located as file:line:col."""

from __future__ import annotations

import pytest

from dudao.core.language import translations
from dudao.targets.config import (
    TARGETS_FILE,
    TargetFileError,
    load_targets_file,
    load_targets_text,
    shipped_targets,
)

BROKEN = """\
targets:
  - key: posts
    title: {zh: 先锋岗, en: Posts}
    number: 100
    unit_of_count: 个
    source: pioneer_post
    deadline: 2026-13-01
    split: {HC01: 60, HC02: 30}
  - key: posts
    title: 重复
    number: -5
    unit_of_count: 人
    source: manual
    deadline: 2026-12-31
    colour: red
  - key: Bad Key
    number: 10
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(TargetFileError) as caught:
        load_targets_text(text, "targets.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_the_shipped_plan_loads():
    plan = load_targets_file(TARGETS_FILE)
    sources = {target.key: target.source for target in plan.targets}
    assert sources == {
        "promoted_practice": "manual",
        "cadres_trained": "manual",
        "tier_upgrades": "tier_moves",
        "pioneer_posts": "pioneer_posts",
    }
    posts = plan.get("pioneer_posts")
    assert posts.number == 1000 and sum(posts.split.values()) == 1000
    assert posts.title.get("zh_CN") == "党员先锋岗" and posts.unit_of_count.get("en") == "posts"
    assert shipped_targets() == plan


def test_problems_read_in_the_default_language():
    with pytest.raises(TargetFileError) as caught:
        load_targets_text(BROKEN, "targets.yaml")
    chinese = [problem.shown(translations("zh_CN")) for problem in caught.value.problems]
    assert "targets.yaml:8:12: targets[0].split: 各份额合计 90，不等于目标数 100" in chinese
    assert any("应为 YYYY-MM-DD 格式的日期（如 2026-12-31）" in line for line in chinese)


def test_every_problem_names_file_line_and_field():
    problems = _problems(BROKEN)
    expected = [
        "targets.yaml:6:13: targets[0].source: unknown source 'pioneer_post'; "
        "did you mean 'pioneer_posts'?",
        "targets.yaml:7:15: targets[0].deadline: expected a date as YYYY-MM-DD",
        "targets.yaml:8:12: targets[0].split: the shares add up to 90, not to the "
        "target's number 100",
        "targets.yaml:11:13: targets[1].number: must be between 1 and 1000000, got -5",
        "targets.yaml:15:5: targets[1].colour: unknown field 'colour'",
        "targets.yaml:16:10: targets[2].key: 'Bad Key' is not a valid key",
        "targets.yaml:16:5: targets[2].title: missing required field 'title'",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)


def test_a_duplicate_key_is_located_at_the_second_target():
    text = BROKEN.replace("number: -5", "number: 5").replace("    colour: red\n", "")
    text = text.replace("source: pioneer_post\n", "source: pioneer_posts\n")
    text = text.replace("2026-13-01", "2026-12-01").replace("HC02: 30", "HC02: 40")
    text = text.split("  - key: Bad Key")[0]
    assert _problems(text) == [
        "targets.yaml:9:10: targets[1].key: the key 'posts' is already used by targets[0]"
    ]
    with pytest.raises(TargetFileError) as caught:
        load_targets_text(text, "targets.yaml")
    chinese = [problem.shown(translations("zh_CN")) for problem in caught.value.problems]
    assert chinese == ["targets.yaml:9:10: targets[1].key: 键 “posts” 已被 targets[0] 使用"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("targets: [\n", "targets.yaml:2:1: <document>: invalid YAML"),
        ("- a\n- b\n", "targets.yaml:1:1: <document>: the targets file must be a mapping"),
        ("targets: {a: 1}\n", "targets.yaml:1:10: targets: expected a list of targets"),
        ("target: []\n", "targets.yaml:1:1: target: unknown field 'target'; did you mean"),
    ],
)
def test_the_shape_of_the_file_is_checked(text, message):
    problems = _problems(text)
    assert problems[0].startswith(message), problems


def test_a_missing_file_means_no_targets_and_a_changed_file_is_read_again(tmp_path):
    path = tmp_path / "targets.yaml"
    assert shipped_targets(path).targets == ()
    path.write_text("targets: []\n", encoding="utf-8")
    assert shipped_targets(path).targets == ()
    path.write_text(
        "targets:\n  - {key: k, title: 标题, number: 3, unit_of_count: 个, source: manual,"
        " deadline: 2026-12-31}\n",
        encoding="utf-8",
    )
    import os

    os.utime(path, ns=(1, 1))  # a different modification time, whatever the clock says
    assert [t.key for t in shipped_targets(path).targets] == ["k"]
