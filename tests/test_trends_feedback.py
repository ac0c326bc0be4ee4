"""Feedback themes: the same category or keyword from several units within the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from dudao.feedback.models import FeedbackItem
from dudao.trends.models import Flag
from dudao.trends.rules_feedback import words
from dudao.trends.services import analyze
from tests.trend_world import TZ

TODAY = datetime(2026, 11, 20, tzinfo=UTC)


def item(unit, category, title, body, days_ago, author, kind="opinion"):
    return FeedbackItem(kind=kind, unit_id=unit.id, author_id=author.id, category=category,
                        title=title, body=body, created_at=TODAY - timedelta(days=days_ago),
                        state_changed_at=TODAY)  # fmt: skip


def analyzed(session) -> dict[str, Flag]:
    analyze(session, TZ, today=TODAY.date(), rules=("feedback_theme",))
    session.commit()
    return {f.fingerprint: f for f in session.scalars(select(Flag))}


def test_words_drop_stop_words() -> None:
    found = words("支部工作：食堂浪费严重，希望加强管理")
    assert {"食堂", "浪费"} <= found
    assert not found & {"支部", "工作", "希望", "加强"}


def test_theme_from_three_units_in_the_window(session, org, user_factory) -> None:
    a, b, c = (user_factory(f"rep_{x}") for x in "abc")
    session.add_all([
        item(org.branch_a1, "integrity", "食堂浪费", "食堂浪费严重，剩饭很多", 10, a),
        item(org.branch_a2, "integrity", "公款吃喝", "食堂浪费，接待超标", 40, b),
        item(org.branch_b1, "integrity", "浪费问题", "职工食堂浪费现象突出", 70, c),
        item(org.branch_a1, "service", "窗口服务", "窗口服务态度差", 5, a),
        item(org.branch_b1, "service", "办事难", "办事手续繁琐", 5, c),
        item(org.unit_a1, "other", "很久以前", "食堂浪费", 300, a),  # outside the window
    ])  # fmt: skip
    session.commit()
    flags = analyzed(session)
    category = flags["feedback_theme:category:integrity"]
    assert sorted(category.unit_codes) == ["A1-1", "A1-2", "B1-1"]
    assert category.first_detected == "2026-11" and category.detected
    assert category.evidence["representatives"] == 3
    waste = flags["feedback_theme:keyword:浪费"]  # (the third says 职工食堂: no 食堂 theme)
    assert waste.evidence["keyword"] == "浪费" and len(waste.evidence["feedback_ids"]) == 3
    assert "feedback_theme:category:service" not in flags  # two units only
    assert sorted(p for p in flags if ":keyword:" in p) == ["feedback_theme:keyword:浪费"]


def test_one_representative_or_the_office_makes_no_theme(session, org, user_factory) -> None:
    """One representative writing about three units is not "representatives of several
    units" (it raised five flags, one per word), nor are the office's own records."""
    rep, office, other, third = (user_factory(n) for n in ("rep", "office", "rep2", "rep3"))
    text = ("service", "停车难", "厂区车辆无处停放，建议规划停车位")
    session.add_all(
        [item(u, *text, 10, rep) for u in (org.branch_a1, org.branch_a2, org.branch_b1)]
    )
    session.add_all([item(u, *text, 20, office, kind=kind) for u, kind in
                     ((org.unit_a1, "report_meeting"), (org.unit_b1, "research"))])  # fmt: skip
    session.commit()
    assert analyzed(session) == {}
    session.add_all([item(org.branch_a2, *text, 8, other), item(org.branch_b1, *text, 6, third)])
    session.commit()
    flags = analyzed(session)
    assert sorted(flags) == ["feedback_theme:category:service", "feedback_theme:keyword:停放"]
    words_flag = flags["feedback_theme:keyword:停放"]  # the words in sort order lead
    assert words_flag.evidence["keyword"] == "停放、停车位、停车难、厂区、无处、规划、车辆"
    assert (words_flag.evidence["units"], words_flag.evidence["representatives"]) == (3, 3)
    assert len(words_flag.evidence["feedback_ids"]) == 5  # the opinions, not the records
    # A word that later goes its own way splits off; the flag keeps its name and stays.
    session.add(item(org.unit_a1, "other", "规划", "规划不合理", 2, other))
    session.commit()
    after = analyzed(session)
    assert after["feedback_theme:keyword:停放"].id == words_flag.id and words_flag.detected
    assert "规划" not in words_flag.evidence["keyword"] and "feedback_theme:keyword:规划" in after
