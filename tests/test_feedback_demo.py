"""The demo's representatives' feedback: a year of it, mostly answered, and one planted theme
that the feedback-theme rule flags at the first start, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.auth.signin import authenticate
from dudao.demo.data import DEMO_PASSWORD, build_demo
from dudao.feedback.demo import load_demo_feedback
from dudao.feedback.models import FeedbackItem
from dudao.notifications.models import Notification
from dudao.trends.models import Flag


def _sign_in(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.demo(seed=5)
def test_demo_feedback_is_answered_pending_and_flags_its_theme(demo, app, session) -> None:
    loaded = demo  # load_demo(session, seed=5), committed
    org = build_demo(5)
    items = list(session.scalars(select(FeedbackItem).order_by(FeedbackItem.created_at)))
    assert 30 <= len(items) <= 60
    assert len({item.unit_id for item in items}) >= 3
    assert len({item.category for item in items}) == 5
    now = datetime.now(UTC)
    assert items[0].created_at < now - timedelta(days=180)  # a year of it
    answered = [item for item in items if item.state == "answered"]
    pending = [item for item in items if item.state != "answered"]
    assert len(answered) > len(items) / 2 and len(pending) >= 3
    assert all(item.answer and item.answered_at > item.created_at for item in answered)
    assert all(item.created_at > now - timedelta(days=30) for item in pending)
    assert pending[-1].state == "received"  # the newest: the office has not started it

    themes = list(session.scalars(select(Flag).where(Flag.rule == "feedback_theme")))
    assert [flag.fingerprint for flag in themes] == ["feedback_theme:keyword:浪费"]
    flag = themes[0]
    companies = {a.home_code or a.unit_code for a in org.accounts if a.username != "office"}
    assert len(flag.unit_codes) == 3 and set(flag.unit_codes) <= companies
    assert flag.detected and flag.evidence["units"] == flag.evidence["representatives"] == 3
    assert len(flag.evidence["feedback_ids"]) == 3

    office = _sign_in(app, "office")
    queue = office.get("/feedback").get_data(as_text=True)
    assert "职工食堂浪费严重" in queue and "已答复" in queue
    mine = _sign_in(app, "representative").get("/feedback/mine").get_data(as_text=True)
    assert "职工食堂浪费严重" in mine and "机关食堂浪费现象" not in mine

    # The authors heard of each answer on its day, not all at the demo's start, unread.
    notes = session.scalars(
        select(Notification).join(User, User.id == Notification.user_id)
        .where(User.username == "representative", Notification.subject_type == "feedback_item")
    ).all()  # fmt: skip
    mine = [item for item in answered if item.author.username == "representative"]
    assert mine
    for item in mine:
        assert item.answered_at in {n.created_at for n in notes if n.subject_id == item.id}
    assert all(n.read_at is not None for n in notes if n.created_at < now - timedelta(days=3))

    events = session.scalar(select(func.count()).select_from(AuditEvent))
    assert load_demo_feedback(session, loaded.org) == 0  # idempotent
    session.commit()
    assert session.scalar(select(func.count()).select_from(FeedbackItem)) == len(items)
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert authenticate(session, "representative", DEMO_PASSWORD) is not None
