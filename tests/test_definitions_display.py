"""How an answer reads on paper in each language: labels and punctuation both follow it."""

from __future__ import annotations

from dudao.definitions.display import display_value
from dudao.definitions.loader import load_text
from tests.definition_world import item

CHOICES = (
    "- key: topics\n  type: multi_choice\n  label: 主题\n  options:\n"
    "    - {key: theory, label: {zh: 理论学习, en: Theory study}}\n"
    "    - {key: service, label: {zh: 志愿服务, en: Volunteer service}}\n"
)
SCALE = (
    "- key: view\n  type: scale\n  label: 评价\n  points: 5\n"
    "  labels: [{zh: 很差, en: Very poor}, 差, 一般, 好, {zh: 很好, en: Very good}]\n"
)


def _item(text: str):
    named = "anonymous: false\n" + item(text, "questionnaire")  # a photo is asked by name only
    return load_text(named).definition.sections[0].items[0]


def test_choices_and_scales_read_with_the_reader_s_punctuation() -> None:
    topics, view = _item(CHOICES), _item(SCALE)
    assert display_value(topics, ["theory", "service"], "zh_CN") == "理论学习；志愿服务"
    assert display_value(topics, ["theory", "service"], "en") == "Theory study; Volunteer service"
    assert display_value(view, 5, "zh_CN") == "5 / 5（很好）"
    assert display_value(view, 5, "en") == "5 / 5 (Very good)"


def test_a_photo_count_reads_in_the_singular_for_one() -> None:
    photos = _item("- key: site\n  type: photo\n  label: 现场照片\n  max_count: 3\n")
    assert display_value(photos, ["p1"], "en") == "1 photo"
    assert display_value(photos, ["p1", "p2"], "en") == "2 photos"
    assert display_value(photos, ["p1", "p2"], "zh_CN") == "照片 2 张"
