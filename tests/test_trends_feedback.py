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


def item(unit, category, title, body, days_ago):
    return FeedbackItem(kind="opinion", unit_id=unit.id, category=category, title=title,
                        body=body, created_at=TODAY - timedelta(days=days_ago),
                        state_changed_at=TODAY)  # fmt: skip


def test_words_drop_stop_words() -> None:
    found = words("支部工作：食堂浪费严重，希望加强管理")
    assert {"食堂", "浪费"} <= found
    assert not found & {"支部", "工作", "希望", "加强"}


def test_theme_from_three_units_in_the_window(session, org) -> None:
    session.add_all([
        item(org.branch_a1, "integrity", "食堂浪费", "食堂浪费严重，剩饭很多", 10),
        item(org.branch_a2, "integrity", "公款吃喝", "食堂浪费，接待超标", 40),
        item(org.branch_b1, "integrity", "浪费问题", "职工食堂浪费现象突出", 70),
        item(org.branch_a1, "service", "窗口服务", "窗口服务态度差", 5),
        item(org.branch_b1, "service", "办事难", "办事手续繁琐", 5),
        item(org.unit_a1, "other", "很久以前", "食堂浪费", 300),  # outside the window
    ])  # fmt: skip
    session.commit()
    analyze(session, TZ, today=TODAY.date(), rules=("feedback_theme",))
    session.commit()
    flags = {f.fingerprint: f for f in session.scalars(select(Flag))}
    category = flags["feedback_theme:category:integrity"]
    assert sorted(category.unit_codes) == ["A1-1", "A1-2", "B1-1"]
    assert category.first_detected == "2026-11" and category.detected
    assert "feedback_theme:keyword:浪费" in flags
    assert "feedback_theme:category:service" not in flags  # two units only
    assert len(flags["feedback_theme:keyword:浪费"].evidence["feedback_ids"]) == 3
