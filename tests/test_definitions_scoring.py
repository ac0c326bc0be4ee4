"""Checklist scoring (weights, N/A, hidden items, critical failures, grades, evidence) and
the satisfaction index of one questionnaire response."""

from __future__ import annotations

from typing import Any

import pytest

from dudao.definitions.samples import GRADES, sample_checklist, sample_questionnaire
from dudao.definitions.scoring import satisfaction_index, score
from dudao.definitions.spec import (
    Condition,
    Definition,
    Evidence,
    Item,
    ItemType,
    Kind,
    LocalText,
    Operator,
    Option,
    PassRule,
    Section,
)

YES = PassRule()


def item(key: str, type_: ItemType = ItemType.YES_NO, **fields: Any) -> Item:
    fields.setdefault("pass_rule", YES)
    return Item(key, type_, LocalText(key), **fields)


def checklist(*sections: tuple[Item, ...]) -> Definition:
    return Definition(
        Kind.CHECKLIST,
        "c",
        LocalText("c"),
        tuple(Section(f"s{n}", LocalText(f"s{n}"), items) for n, items in enumerate(sections)),
        grades=GRADES,
    )


def test_weighted_sections_and_overall() -> None:
    spec = checklist(
        (item("a", weight=3), item("b", weight=1)),
        (item("c", weight=2), item("d", weight=2)),
    )
    result = score(spec, {"a": "yes", "b": "no", "c": "no", "d": "yes"})
    assert [s.percent for s in result.sections] == [75.0, 50.0]
    assert (result.earned, result.possible) == (5.0, 8.0)
    assert result.percent == 62.5  # weighted over items, not the mean of the sections
    assert result.failed == ("b", "c")
    assert result.grade is not None and result.grade.label.zh == "合格"
    assert result.passed


def test_na_unanswered_optional_hidden_and_unscored_items_leave_the_denominator() -> None:
    spec = checklist(
        (
            item("a", allow_na=True, weight=5),
            item("b"),
            item("c", show_if=Condition(Operator.EQUALS, "b", "no"), weight=10),
            item("d", pass_rule=None),
            item("e", weight=0),
            item("f"),
        ),
    )
    result = score(spec, {"a": "na", "b": "yes", "c": "no", "d": "no", "e": "no"})
    assert (result.earned, result.possible) == (1.0, 1.0)
    assert result.percent == 100.0
    assert result.failed == ()
    assert result.grade is not None and result.grade.label.zh == "优秀"


def test_nothing_counted_gives_no_percent_and_no_grade() -> None:
    spec = checklist((item("a", allow_na=True),), ())
    result = score(spec, {"a": "na"})
    assert result.percent is None and result.grade is None
    assert [s.percent for s in result.sections] == [None, None]


def test_required_unanswered_counts_as_not_passed_and_is_listed() -> None:
    spec = checklist((item("a", required=True), item("b")))
    result = score(spec, {"b": "yes"})
    assert result.missing == ("a",)
    assert result.percent == 50.0
    assert result.failed == ()


def test_a_failed_critical_item_fails_whatever_the_score() -> None:
    items = [item(f"i{n}") for n in range(19)]
    spec = checklist((*items, item("fire_exit", critical=True)))
    answers = {f"i{n}": "yes" for n in range(19)} | {"fire_exit": "no"}
    result = score(spec, answers)
    assert result.percent == 95.0
    assert result.failed_critical == ("fire_exit",)
    assert not result.passed
    assert result.grade is not None and result.grade.label.zh == "不合格"
    assert score(spec, answers | {"fire_exit": "yes"}).passed


@pytest.mark.parametrize(
    ("percent_yes", "grade"),
    [
        (20, "优秀"),
        (18, "优秀"),
        (17, "良好"),
        (16, "良好"),
        (15, "合格"),
        (12, "合格"),
        (11, "不合格"),
    ],
)
def test_grade_bands(percent_yes: int, grade: str) -> None:
    spec = checklist(tuple(item(f"i{n}") for n in range(20)))
    answers = {f"i{n}": "yes" if n < percent_yes else "no" for n in range(20)}
    result = score(spec, answers)
    assert result.grade is not None and result.grade.label.zh == grade


def test_pass_rules_per_type() -> None:
    options = (
        Option("ok", LocalText("ok")),
        Option("meh", LocalText("meh")),
        Option("bad", LocalText("bad")),
    )
    good = PassRule(options=("ok", "meh"))
    spec = checklist(
        (
            item("yn_no_passes", pass_rule=PassRule(options=("no",))),
            item("single", ItemType.SINGLE_CHOICE, options=options, pass_rule=good),
            item("multi", ItemType.MULTI_CHOICE, options=options, pass_rule=good),
            item("scale", ItemType.SCALE, pass_rule=PassRule(min=4)),
            item("rating", ItemType.RATING, pass_rule=PassRule(max=3)),
            item("number", ItemType.NUMBER, pass_rule=PassRule(min=10, max=20)),
        ),
    )  # fmt: skip
    passing = {
        "yn_no_passes": "no",
        "single": "meh",
        "multi": ["ok", "meh"],
        "scale": 4,
        "rating": 3,
        "number": 20,
    }
    assert score(spec, passing).failed == ()
    failing = {
        "yn_no_passes": "yes",
        "single": "bad",
        "multi": ["ok", "bad"],
        "scale": 3,
        "rating": 4,
        "number": 9.5,
    }
    assert score(spec, failing).failed == tuple(failing)


@pytest.mark.parametrize(
    ("needed", "note", "photos", "missing"),
    [
        (Evidence.NONE, None, None, False),
        (Evidence.NOTE, None, None, True),
        (Evidence.NOTE, "  ", None, True),
        (Evidence.NOTE, "锁坏了", None, False),
        (Evidence.PHOTO, "锁坏了", None, True),
        (Evidence.PHOTO, None, ["p1"], False),
        (Evidence.NOTE_OR_PHOTO, None, ["p1"], False),
        (Evidence.NOTE_OR_PHOTO, None, [], True),
        (Evidence.NOTE_AND_PHOTO, "x", None, True),
        (Evidence.NOTE_AND_PHOTO, "x", ["p1"], False),
    ],
)
def test_failed_items_missing_evidence(
    needed: Evidence, note: str | None, photos: list[str] | None, missing: bool
) -> None:
    spec = checklist((item("a", evidence_on_fail=needed), item("b", evidence_on_fail=needed)))
    notes = {"a": note} if note is not None else {}
    pics = {"a": photos} if photos is not None else {}
    result = score(spec, {"a": "no", "b": "yes"}, notes, pics)
    assert result.missing_evidence == ({"a": needed} if missing else {})


def test_sample_checklist_scores() -> None:
    spec = sample_checklist()
    answers = {
        "committee": "yes",
        "records": "yes",
        "study_form": "onsite",
        "attendance": 79.5,
        "quality": 5,
        "overall": 8,
    }
    result = score(spec, answers)
    assert result.failed == ("attendance",)
    assert result.percent == pytest.approx(100 * 6 / 7, abs=0.01)
    assert result.grade is not None and result.grade.label.en == "Good"


def test_satisfaction_index_scales_and_averages() -> None:
    spec = sample_questionnaire()
    # scale 5 of 5 -> 100, scale 2 of 5 -> 25, rating 7 -> 70
    assert satisfaction_index(spec, {"q_work": 5, "q_leaders": 2, "q_recommend": 7}) == 65.0
    assert satisfaction_index(spec, {"q_work": 1}) == 0.0
    assert satisfaction_index(spec, {"q_why": "x"}) is None
