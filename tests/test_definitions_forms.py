"""The run-time WTForms form and the sample preview page, through HTTP."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask_babel import force_locale

from dudao.definitions.answers import validate_submission
from dudao.definitions.formbuilder import build_form, form_class
from dudao.definitions.loader import load_file
from dudao.definitions.samples import sample_checklist, sample_questionnaire
from dudao.definitions.scoring import score
from dudao.definitions.spec import (
    Condition,
    Definition,
    Item,
    ItemType,
    Kind,
    LocalText,
    Operator,
    Section,
)

URL = "/definitions/preview/sample"

FULL = {
    "a_committee": "yes",
    "a_records": "no",
    "n_records": "记录缺两次",
    "a_meeting_kinds": ["branch", "group"],
    "a_study_form": "online",
    "a_attendance": "90",
    "a_quality": "4",
    "a_overall": "9",
    "a_last_meeting": "2024-05-06",
    "a_remarks": "无",
}


def render(form) -> str:
    return render_template_string(
        '{% import "definitions/_form.html" as f %}{{ f.render_form(form) }}', form=form
    )


def test_form_class_is_built_once_per_definition_and_locale(app: Flask) -> None:
    spec = sample_checklist()
    assert form_class(spec, "zh_CN") is form_class(spec, "zh_CN")
    assert form_class(spec, "en") is not form_class(spec, "zh_CN")
    with app.test_request_context():
        fields = set(form_class(spec, "en")()._fields)
    assert "a_committee" in fields and "n_committee" in fields and "a_intro" not in fields
    assert "p_records" in fields and "p_committee" not in fields


def test_stored_answers_are_shown_and_hidden_items_rendered_hidden(app: Flask) -> None:
    spec = sample_checklist()
    with app.test_request_context():
        form = build_form(
            spec,
            "en",
            data={"committee": "no", "overdue_months": 3, "attendance": 85.5, "quality": 4},
            notes={"committee": "材料缺失"},
        )
        html = render(form)
    assert re.search(r'value="no" checked', html)
    assert 'value="3"' in html and 'value="85.5"' in html
    assert re.search(r'name="a_quality" value="4" checked', html)
    assert "材料缺失</textarea>" in html
    assert re.search(r'id="item-overdue_months" data-item="overdue_months">', html)
    assert re.search(r'id="item-overdue_reason" data-item="overdue_reason" hidden>', html)
    assert re.search(r'id="item-follow_up" data-item="follow_up" hidden>', html)
    assert 'accept="image/*" capture="environment"' in html
    assert "Months overdue" in html  # English labels in the English locale


def test_conditions_are_embedded_as_inert_json(app: Flask) -> None:
    spec = Definition(
        Kind.QUESTIONNAIRE,
        "x",
        LocalText("x"),
        (
            Section(
                "s",
                LocalText("s"),
                (
                    Item("a", ItemType.TEXT, LocalText("a")),
                    Item(
                        "b",
                        ItemType.TEXT,
                        LocalText("b"),
                        show_if=Condition(Operator.EQUALS, "a", "</script><script>alert(1)"),
                    ),
                ),
            ),
        ),
    )
    with app.test_request_context():
        html = render(build_form(spec, "en"))
    block = re.search(
        r'<script type="application/json" id="dform-showif">(.*?)</script>', html, re.S
    )
    assert block is not None
    data = json.loads(block.group(1))
    assert data["items"][1]["show_if"]["value"] == "</script><script>alert(1)"
    assert html.count("<script") == 1


def test_preview_needs_the_permission(client, signed_in, org) -> None:
    assert client.get(URL).status_code == 302  # to the sign-in page
    inspector = signed_in("insp", ("inspector", org.unit_a1))
    assert inspector.get(URL).status_code == 403


def test_preview_shows_every_item_type(signed_in, org) -> None:
    client = signed_in("office", ("office", org.group))
    response = client.get(URL)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for item_type in ItemType:
        assert f"ditem-{item_type}" in html, item_type
    assert "forms.css" in html and "showif.js" in html
    assert client.get(f"{URL}/questionnaire").status_code == 200
    assert client.get(f"{URL}/nothing").status_code == 404


def test_preview_post_shows_errors_beside_fields_and_keeps_input(signed_in, org) -> None:
    client = signed_in("office", ("office", org.group))
    response = client.post(URL, data={"a_committee": "no", "a_attendance": "101"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="dform-summary"' in html
    for key in ("committee", "overdue_months", "records", "study_form", "attendance"):
        assert re.search(rf'<p class="field-error" id="e-{key}">[^<]+</p>', html), key
    assert re.search(r'<p class="field-error" id="e-quality" hidden></p>', html)
    assert 'value="101"' in html
    assert 'class="devidence dneeds" open' in html  # the failed critical item needs a note


def test_preview_post_scores_a_valid_submission(signed_in, org) -> None:
    client = signed_in("office", ("office", org.group))
    response = client.post(URL, data=FULL)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, re.findall(r'class="field-error"[^>]*>([^<]+)<', html)
    assert 'id="dscore"' in html
    # committee 2 + study_form 1 + attendance 1 + quality 1 + overall 1 of 7: records failed
    assert "85.71" in html


def test_preview_questionnaire_shows_the_satisfaction_index(signed_in, org) -> None:
    client = signed_in("office", ("office", org.group))
    response = client.post(
        f"{URL}/questionnaire", data={"a_q_work": "4", "a_q_leaders": "5", "a_q_recommend": "6"}
    )
    assert response.status_code == 200
    # (75 + 100 + 60) / 3
    assert "78.33" in response.get_data(as_text=True)


def test_sample_definitions_cover_every_item_type() -> None:
    used = {
        item.type for spec in (sample_checklist(), sample_questionnaire()) for item in spec.items
    }
    assert used == set(ItemType)


SHIPPED = sorted((Path(__file__).resolve().parents[1] / "forms").glob("*.yaml"))


def passing_answer(item: Item) -> Any:
    """An answer that is valid and, where the item is scored, passes."""
    rule = item.pass_rule
    if item.type == ItemType.YES_NO:
        return rule.options[0] if rule and rule.options else "yes"
    if item.type in (ItemType.SINGLE_CHOICE, ItemType.MULTI_CHOICE):
        key = rule.options[0] if rule and rule.options else item.options[0].key
        return key if item.type == ItemType.SINGLE_CHOICE else [key]
    if item.type in (ItemType.SCALE, ItemType.RATING, ItemType.NUMBER):
        top = 10 if item.type == ItemType.RATING else item.points
        low = rule.min if rule and rule.min is not None else item.min
        high = rule.max if rule and rule.max is not None else item.max
        if item.type != ItemType.NUMBER:
            return str(int(low) if low is not None else (int(high) if high is not None else top))
        value = low if low is not None else (high if high is not None else 1)
        return str(int(value)) if float(value).is_integer() else str(value)
    if item.type == ItemType.DATE:
        return "2024-06-30"
    if item.type == ItemType.PHOTO:
        return [f"p{n}" for n in range(max(item.min_count, 1))]
    return None if item.type == ItemType.NOTE else "好"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_definitions_render_validate_and_score(app: Flask, path: Path) -> None:
    spec = load_file(path).definition
    with app.test_request_context():
        html = render(build_form(spec, "zh_CN"))
    for item in spec.items:
        assert f'id="item-{item.key}"' in html
    answers = {i.key: a for i in spec.items if (a := passing_answer(i)) is not None}
    clean, _notes, _photos, errors = validate_submission(spec, answers)
    assert errors == {}
    if spec.kind == Kind.CHECKLIST:
        result = score(spec, clean)
        assert result.failed == () and result.passed
        assert result.percent == 100.0


def test_photo_counts_are_checked_on_upload(signed_in, org) -> None:
    client = signed_in("office", ("office", org.group))

    def photos(count: int) -> list[tuple[io.BytesIO, str]]:
        return [(io.BytesIO(b"\x89PNG fake"), f"p{n}.png") for n in range(count)]

    too_many = client.post(
        URL, data={**FULL, "a_board_photo": photos(4)}, content_type="multipart/form-data"
    )
    assert too_many.status_code == 422
    html = too_many.get_data(as_text=True)
    assert re.search(r'<p class="field-error" id="e-board_photo">[^<]+3[^<]+</p>', html)
    one = client.post(
        URL, data={**FULL, "a_board_photo": photos(1)}, content_type="multipart/form-data"
    )
    assert one.status_code == 200
    # Evidence photos count as evidence: a failed item with a photo needs no note.
    failed = {**FULL, "n_records": "", "p_records": photos(1)}
    response = client.post(URL, data=failed, content_type="multipart/form-data")
    assert response.status_code == 200
    assert '<p class="field-error" id="e-records" hidden></p>' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("least", "most", "english", "chinese"),
    [(0, 1, "Up to 1 photo", "最多 1 张照片"), (0, 4, "Up to 4 photos", "最多 4 张照片"),
     (1, 1, "1 photo", "1 张照片"), (2, 2, "2 photos", "2 张照片"),
     (1, 3, "1 to 3 photos", "1 至 3 张照片")],
)  # fmt: skip
def test_photo_limits_read_as_a_count(app: Flask, least, most, english, chinese) -> None:
    item = SimpleNamespace(min_count=least, max_count=most)
    limits = '{% from "definitions/items/_photo.html" import limits %}{{ limits(item) }}'
    for locale, said in (("en", english), ("zh_CN", chinese)):
        with app.test_request_context(), force_locale(locale):
            assert render_template_string(limits, item=item) == said


def test_a_number_says_how_many_decimal_places_it_takes(app: Flask) -> None:
    spec = Definition(
        key="d", kind=Kind.CHECKLIST, title=LocalText("十进制", "Decimals"),
        sections=(Section("s", LocalText("节"), (
            Item("one", ItemType.NUMBER, LocalText("一位"), decimals=1),
            Item("two", ItemType.NUMBER, LocalText("两位"), decimals=2),
        )),),
    )  # fmt: skip
    with app.test_request_context(), force_locale("en"):
        html = render(build_form(spec, "en"))
    assert "up to 1 decimal place<" in html and "up to 2 decimal places<" in html


@pytest.mark.parametrize("junk", ["abc", ["x", 1], {"a": 1}, 3.5, True, ""])
def test_a_draft_holding_anything_still_renders(app: Flask, junk: Any) -> None:
    """A draft keeps whatever a device sent (a number field's "abc" among it): the checklist
    page must still open and show it, or the inspector could never mend it."""
    for spec in (sample_checklist(), sample_questionnaire()):
        data = {item.key: junk for item in spec.items}
        with app.test_request_context():
            html = render(build_form(spec, "en", data=data))
        if junk == "abc" and spec.kind == Kind.CHECKLIST:  # its number item, as typed
            number = next(i for i in spec.items if i.type == ItemType.NUMBER)
            assert re.search(rf'<input[^>]*name="a_{number.key}"[^>]*value="abc"', html)
