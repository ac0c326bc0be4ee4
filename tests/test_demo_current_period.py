"""The demo's schedules open on a campaign under way: most of the current period's inspections
done and reviewed, a few overdue, returned or waiting; made once, dated, and quiet in the inbox."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dudao.audit.chain import verify_chain
from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.demo.data import DEFAULT_SEED
from dudao.demo.fieldwork import Story
from dudao.demo.loader import load_demo
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Submission
from dudao.notifications import transitions
from dudao.notifications.models import Notification
from dudao.scheduling.demo import lags, story
from dudao.scheduling.models import Schedule
from dudao.scheduling.recurrence import local_today
from dudao.trends.models import Flag

OPEN = {"planned", "assigned", "in_progress"}


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.demo(seed=DEFAULT_SEED)
def test_the_current_period_is_under_way_and_made_once(demo, session: Session) -> None:
    first = demo  # load_demo(session) into the empty database, committed
    step = next(r for r in first.results if r.name.startswith("schedules' current"))
    assert step.created > 250
    today = local_today(session.info["settings"].timezone)
    quarterly = session.scalar(select(Schedule).where(Schedule.key.like("branch_standard%")))
    inspections = session.scalars(
        select(Inspection).where(Inspection.schedule_id == quarterly.id)
    ).all()
    done = {i.id for i in inspections if i.state not in OPEN}
    periods: dict[str, list[Inspection]] = {}
    for inspection in inspections:
        periods.setdefault(inspection.period_key, []).append(inspection)
    due = [rows for rows in periods.values() if rows[0].due_date < today]
    assert due, "the quarter of 1 October 2026 fell due on 15 November"
    latest = max(due, key=lambda rows: rows[0].due_date)
    states = Counter(i.state for i in latest)
    overdue = sum(states[s] for s in OPEN) / len(latest)
    assert sum(1 for i in latest if i.id in done) / len(latest) >= 0.9, states
    assert states["approved"] / len(latest) >= 0.8, states
    if (today - latest[0].due_date).days <= 31:
        assert 0.03 <= overdue <= 0.08, states
        assert states["returned"] >= 1 and states["in_progress"] >= 1, states
    else:
        assert overdue == 0, states

    # Dated as the story goes: the done ones were submitted within their window, mostly.
    submitted = session.execute(
        select(Inspection.due_date, func.min(Submission.submitted_at))
        .join(Submission, Submission.inspection_id == Inspection.id)
        .where(Inspection.id.in_([i.id for i in latest]))
        .group_by(Inspection.id)
    ).all()
    zone = session.info["settings"].tz
    on_time = [at.astimezone(zone).date() <= due_date for due_date, at in submitted]
    assert sum(on_time) / len(latest) >= 0.85

    # A few were returned twice: the returned-inspection rule flags exactly those.
    returns = Counter(session.scalars(
        select(Submission.inspection_id).where(Submission.review_state == "returned")))  # fmt: skip
    twice = {i for i, n in returns.items() if n >= 2}
    flags = session.scalars(select(Flag).where(Flag.rule == "returned_inspection")).all()
    assert twice and {f.evidence["inspection_ids"][0] for f in flags} == twice
    assert all(f.evidence["returns"] == returns[f.evidence["inspection_ids"][0]] for f in flags)

    # The inbox is history, not a wall: old notifications are read; none is left to the sweep.
    inspector = session.scalar(select(User).where(User.username == "inspector1"))
    unread = select(func.count()).where(
        Notification.user_id == inspector.id, Notification.read_at.is_(None)
    )
    assert session.scalar(unread) <= 25
    made = session.scalar(select(func.max(Notification.id)))
    transitions.sweep(session)  # what the jobs of the other steps' transitions would send
    swept = session.scalars(select(Notification.link).where(Notification.id > made)).all()
    periodic = {f"/inspections/{i.id}" for i in inspections}
    assert not periodic & set(swept), "the step sent its notifications itself"
    session.commit()
    assert verify_chain(session) == []

    counts = (_count(session, Inspection), _count(session, Submission), _count(session, AuditEvent))
    second = load_demo(session)
    session.commit()
    assert second.created == 0
    assert (
        _count(session, Inspection), _count(session, Submission), _count(session, AuditEvent)
    ) == counts  # fmt: skip


def test_stories_follow_the_window_of_their_period() -> None:
    rng = random.Random(7)
    start, due = date(2026, 10, 1), date(2026, 11, 15)
    marks = lags(rng, 250, due, date(2026, 11, 26))
    assert Counter(marks) == {"": 225, "overdue": 12, "late": 8, "returned": 5}
    assert set(lags(rng, 250, due, due + timedelta(days=40))) == {""}, "older: all done"
    late = [story(rng, start, due, date(2026, 11, 26), mark) for mark in marks]
    for plan, mark in zip(late, marks, strict=True):
        if mark == "overdue":
            assert plan.submitted is None
        elif mark == "returned":
            assert plan.returned and not plan.resubmitted and not plan.approved
        else:
            assert plan.submitted and plan.submitted <= date(2026, 11, 25)
            assert (plan.submitted <= due) == (mark != "late")
        worked = [plan.submitted, plan.returned, plan.resubmitted, plan.approved]
        assert all(day.weekday() < 5 for day in worked if day), "on working days"
    for day, begun in ((date(2026, 10, 6), 25), (date(2026, 10, 20), 125)):
        running = Counter(
            "submitted" if plan.submitted else "started" if plan.draft else "assigned"
            for plan in (story(rng, start, due, day) for _ in range(250))
        )
        assert running["submitted"] + running["started"] < begun, (day, running)
    mid = Counter(bool(story(rng, start, due, date(2026, 10, 20)).submitted) for _ in range(250))
    assert mid[True] >= 5, "some are done before the due date is near"
    assert story(rng, start, due, start) == Story(), "nothing happens on the first day"
