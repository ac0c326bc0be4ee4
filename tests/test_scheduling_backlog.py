"""A schedule saved or activated with periods already begun is confirmed first: the page says
how many inspections the next run creates at once and how many are already overdue."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dudao.inspections.models import Inspection
from dudao.scheduling.materialise import materialise_all
from dudao.scheduling.models import Schedule
from dudao.scheduling.recurrence import org_today
from tests.schedule_world import quarterly_schedule
from tests.test_scheduling_web import form_data


@pytest.fixture
def schedule(session, org):
    return quarterly_schedule(session, org)


@pytest.fixture
def weekly(session, org, user_factory):
    """Four weekly periods up to today (today's among them) for the two branches of A;
    a window of 10 days: the first two periods' inspections are past their due date."""
    user_factory("ia", ("inspector", org.group))
    today = org_today(session)
    start = today - timedelta(days=21)
    data = form_data(
        rrule="FREQ=WEEKLY",
        dtstart=start.isoformat(),
        exclude="",
        window_days="10",
        people="ia",
        count="1",
    )
    return data, start, today


def token(page: str) -> str:
    return re.search(r'name="confirm" value="([^"]+)"', page)[1]


def count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Inspection))


def test_saving_a_start_in_the_past_is_confirmed_first(
    app, client, session, org, schedule, signed_in, weekly
):
    data, start, today = weekly
    signed_in("office", ("office", org.group))
    client.post("/lang", data={"lang": "en"})
    asked = client.post(f"/schedules/{schedule.id}/edit", data=data)
    assert asked.status_code == 200
    said = re.sub(r"\s+", " ", asked.text)
    assert (
        "The next run (within 10 minutes) then creates 8 inspections at once, for the periods "
        f"from {start.isoformat()} to {today.isoformat()} that have none yet." in said
    )
    assert "none yet.</strong> 4 of them are already past their due date." in said
    assert "Save and create them" in said
    session.expire_all()
    assert session.get(Schedule, schedule.id).version == 1  # not saved yet
    # Confirmed numbers that are no longer those of the form confirm nothing.
    later = (start + timedelta(days=7)).isoformat()
    again = client.post(
        f"/schedules/{schedule.id}/edit",
        data=data | {"dtstart": later, "confirm": token(asked.text)},
    )
    assert again.status_code == 200 and "creates 6 inspections at once" in again.text
    session.expire_all()
    assert session.get(Schedule, schedule.id).version == 1
    # A stale version is refused as changed meanwhile, not asked about.
    stale = client.post(f"/schedules/{schedule.id}/edit", data=data | {"version": "9"})
    assert stale.status_code == 409 and "Save and create them" not in stale.text
    saved = client.post(
        f"/schedules/{schedule.id}/edit", data=data | {"confirm": token(asked.text)}
    )
    assert saved.status_code == 302
    session.expire_all()
    assert session.get(Schedule, schedule.id).dtstart == start
    # What the page said is what the run creates.
    report = materialise_all(app.extensions["dudao"].session_factory, "Asia/Shanghai", today)
    assert report.created == 8 and count(session) == 8
    overdue = session.scalar(
        select(func.count()).select_from(Inspection).where(Inspection.due_date < today)
    )
    assert overdue == 4
    # Periods that exist already are no news: a change of name saves at once.
    renamed = client.post(
        f"/schedules/{schedule.id}/edit", data=data | {"version": "2", "name": "改名"}
    )
    assert renamed.status_code == 302


def test_an_inactive_schedule_saves_at_once_and_its_activation_is_confirmed(
    client, session, org, schedule, signed_in, weekly
):
    data, _start, _today = weekly
    schedule.active = False
    session.commit()  # version 2
    signed_in("office", ("office", org.group))
    saved = client.post(f"/schedules/{schedule.id}/edit", data=data | {"version": "2"})
    assert saved.status_code == 302
    asked = client.post(f"/schedules/{schedule.id}/active", data={"version": "3", "active": "1"})
    assert asked.status_code == 200
    said = re.sub(r"\s+", " ", asked.text)
    assert "下次运行（10 分钟内）将一次创建 8 项检查" in said
    assert "的周期。</strong>其中 4 项已过截止日期" in said  # no gap between Chinese sentences
    session.expire_all()
    assert session.get(Schedule, schedule.id).active is False
    confirmed = client.post(
        f"/schedules/{schedule.id}/active",
        data={"version": "3", "active": "1", "confirm": token(asked.text)},
    )
    assert confirmed.status_code == 302
    session.expire_all()
    assert session.get(Schedule, schedule.id).active is True


def test_a_start_in_the_future_asks_nothing(client, session, org, schedule, signed_in, weekly):
    data, _start, today = weekly
    signed_in("office", ("office", org.group))
    ahead = (today + timedelta(days=1)).isoformat()
    response = client.post(f"/schedules/{schedule.id}/edit", data=data | {"dtstart": ahead})
    assert response.status_code == 302
