"""The notification centre through HTTP: kinds, filters, links, mark one or all read."""

from __future__ import annotations

import re

from sqlalchemy import select

from dudao.notifications.models import Notification
from dudao.notifications.services import notify, unread_count


def _setup(session, org, signed_in, user_factory):
    client = signed_in("ada", ("inspector", org.company_a))
    bob = user_factory("bob", ("inspector", org.company_a))
    from dudao.auth.models import User

    ada = session.scalars(select(User).where(User.username == "ada")).one()
    notify(session, [ada.id], "t:1", "assigned", "Inspection #1 · A1-1", link="/inspections/1")
    notify(session, [ada.id], "t:2", "returned", "Inspection #2 · A1-2", "证据不足")
    notify(session, [ada.id, bob.id], "t:3", "due_soon", "Inspection #3 · A1-1")
    session.commit()
    return client, ada, bob


def test_inbox_lists_kinds_links_and_filters(client, session, org, signed_in, user_factory):
    client, _, _ = _setup(session, org, signed_in, user_factory)
    chinese = client.get("/notifications").get_data(as_text=True)
    assert '<span class="tag">已退回</span>' in chinese and ">已分派 (" in chinese  # tag, filter
    client.post("/lang", data={"lang": "en", "next": "/"})
    page = client.get("/notifications").get_data(as_text=True)
    first = session.scalar(select(Notification.id).where(Notification.key == "t:1"))
    assert f'href="/notifications/{first}"' in page and "证据不足" in page
    assert "Assigned" in page and "Returned" in page and "Due soon" in page
    assert "(3)" in page  # unread count beside "Unread"
    only = client.get("/notifications?kind=returned").get_data(as_text=True)
    assert "Inspection #2" in only and "Inspection #1" not in only


def test_a_subject_is_named_in_the_viewers_language(client, session, org, signed_in, user_factory):
    """A transition's notification names its subject and unit in the reader's language: the
    noun, and the unit's English name for an English reader (written when shown, not
    stored); a reminder's due date too."""
    from datetime import date

    from dudao.auth.models import User
    from dudao.config import PROJECT_ROOT
    from dudao.definitions.queries import current_version
    from dudao.definitions.services import sync_forms
    from dudao.inspections.models import InspectionOrigin
    from dudao.inspections.services import create_inspection
    from dudao.notifications.transitions import sweep
    from dudao.workflow import timers
    from dudao.workflow.engine import apply

    sync_forms(session, None, PROJECT_ROOT / "forms")
    office = user_factory("office", ("office", org.group))
    client = signed_in("ada", ("inspector", org.company_a))
    ada = session.scalars(select(User).where(User.username == "ada")).one()
    org.branch_a1.name_en = "First branch of plant A1"
    inspection = create_inspection(
        session, office, org.branch_a1, current_version(session, "branch_standardisation"),
        date(2026, 12, 31), InspectionOrigin.AD_HOC, assignees=[ada],
    )  # fmt: skip
    apply(session, office, inspection, "assign")
    session.commit()
    assert sweep(session) == 1
    assert timers.run(session, date(2026, 12, 29)).notified == 1
    number = f"#{inspection.id} · A1-1"
    chinese = client.get("/notifications").get_data(as_text=True)
    assert f"检查 {number} 甲一厂第一党支部</a>" in chinese and "截止 2026-12-31" in chinese
    assert "Inspection" not in chinese and "First branch" not in chinese and "Due" not in chinese
    client.post("/lang", data={"lang": "en", "next": "/"})
    english = client.get("/notifications").get_data(as_text=True)
    assert f"Inspection {number} First branch of plant A1</a>" in english
    assert "Due 2026-12-31" in english
    assert "检查" not in english and "甲一厂" not in english and "截止" not in english


def test_a_notification_about_no_subject_shows_its_own_title(client, session, org, signed_in):
    """An alert (or one the migration could not place) keeps its stored title."""
    from dudao.auth.models import User

    client = signed_in("ada", ("admin", org.group))
    ada = session.scalars(select(User).where(User.username == "ada")).one()
    notify(session, [ada.id], "a:1", "alert", "审计日志校验失败 (2)", link="/audit")
    session.commit()
    client.post("/lang", data={"lang": "en", "next": "/"})
    page = client.get("/notifications").get_data(as_text=True)
    alert = session.scalar(select(Notification.id).where(Notification.key == "a:1"))
    assert f'<a href="/notifications/{alert}">审计日志校验失败 (2)</a>' in page and "Alert" in page


def test_mark_one_then_all_read(client, session, org, signed_in, user_factory):
    client, ada, bob = _setup(session, org, signed_in, user_factory)
    first = session.scalars(select(Notification).where(Notification.key == "t:1")).one()
    response = client.post("/notifications/read", data={"id": first.id, "next": "/notifications"})
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"
    assert unread_count(session, ada.id) == 2
    # Somebody else's notification id changes nothing.
    theirs = session.scalars(select(Notification).where(Notification.user_id == bob.id)).one()
    client.post("/notifications/read", data={"id": theirs.id})
    assert unread_count(session, bob.id) == 1
    unread = client.get("/notifications?unread=1").get_data(as_text=True)
    assert "Inspection #1" not in unread and "Inspection #2" in unread
    for elsewhere in ("//evil.example", "/\t/evil.example", "https://evil.example"):
        response = client.post("/notifications/read", data={"next": elsewhere})
        assert response.headers["Location"] == "/notifications", elsewhere
    assert unread_count(session, ada.id) == 0
    assert unread_count(session, bob.id) == 1


def test_following_a_link_reads_the_notification(client, session, org, signed_in, user_factory):
    client, ada, bob = _setup(session, org, signed_in, user_factory)
    first = session.scalars(select(Notification).where(Notification.key == "t:1")).one()
    assert f'href="/notifications/{first.id}"' in client.get("/notifications").get_data(
        as_text=True
    )
    response = client.get(f"/notifications/{first.id}")
    assert response.status_code == 302 and response.headers["Location"] == "/inspections/1"
    assert unread_count(session, ada.id) == 2
    theirs = session.scalars(select(Notification).where(Notification.user_id == bob.id)).one()
    assert client.get(f"/notifications/{theirs.id}").status_code == 404
    assert unread_count(session, bob.id) == 1


def test_a_batch_is_one_entry_marked_read_together(client, session, org, signed_in, user_factory):
    client, ada, _ = _setup(session, org, signed_in, user_factory)
    for n in range(10, 15):  # what one schedule run assigns at once
        notify(
            session, [ada.id], f"t:{n}", "assigned", f"Inspection #{n}", link=f"/inspections/{n}"
        )
    # The same kind in the same minute, about another thing: an entry of its own.
    notify(session, [ada.id], "r:7", "assigned", "Rectification #7", link="/rectifications/7")
    session.commit()
    client.post("/lang", data={"lang": "en", "next": "/"})
    page = client.get("/notifications").get_data(as_text=True)
    batch = page.split('class="batch unread"')[1].split("</details>")[0]
    assert "5 notifications at once" in batch
    batched = session.scalars(select(Notification.id).where(Notification.key.like("t:1_")))
    assert all(f'href="/notifications/{n}"' in batch for n in batched)
    assert "Inspection #1 " not in batch  # the older assignment stays its own entry
    assert "Rectification #7" in page and "Rectification #7" not in batch
    form = page.split('class="batch unread"')[1].split("</form>")[0]
    ids = [int(i) for i in re.findall(r'name="id" value="(\d+)"', form)]
    assert len(ids) == 5
    client.post("/notifications/read", data={"id": ids, "next": "/notifications"})
    assert unread_count(session, ada.id) == 4
    assert 'class="batch"' in client.get("/notifications").get_data(as_text=True)


def test_a_long_inbox_says_it_shows_only_the_newest(
    client, session, org, signed_in, user_factory, monkeypatch
):
    from dudao.notifications import queries, views

    client, _, _ = _setup(session, org, signed_in, user_factory)
    client.post("/lang", data={"lang": "en", "next": "/"})
    assert "Only the newest" not in client.get("/notifications").get_data(as_text=True)
    monkeypatch.setattr(queries, "PAGE", 2)
    monkeypatch.setattr(views, "PAGE", 2)
    assert "Only the newest 2 are shown." in client.get("/notifications").get_data(as_text=True)


def test_unread_counts_cost_the_same_however_many_were_read(
    client, session, org, signed_in, user_factory
):
    """The unread count on every page and the inbox's first page read the user's unread
    (or newest) rows from an index, not every notification they ever received."""
    from sqlalchemy import func

    from dudao.core.database import utcnow
    from dudao.notifications.queries import inbox, unread_by_kind
    from tests.sqlite_steps import sqlite_steps

    client, ada, _ = _setup(session, org, signed_in, user_factory)

    def read_ones(count: int) -> None:
        """`count` more notifications Ada has read (written directly, many at once)."""
        from sqlalchemy import insert

        start = session.scalar(select(func.count()).select_from(Notification))
        rows = [
            {"user_id": ada.id, "key": f"old:{start + n}", "kind": "assigned",
             "title": "Inspection · old", "body": "", "read_at": utcnow()}
            for n in range(count)
        ]  # fmt: skip
        session.execute(insert(Notification), rows)
        session.commit()

    def read(session):
        first = [n.key for n in inbox(session, ada.id, unread_only=True)]
        return unread_count(session, ada.id), unread_by_kind(session, ada.id), first

    read_ones(5)
    assert "(3)" in client.get("/notifications").get_data(as_text=True)
    if session.bind.dialect.name != "sqlite":
        return  # the work is counted in SQLite's virtual machine steps
    few, before = sqlite_steps(session, read)
    read_ones(3000)
    many, after = sqlite_steps(session, read)
    assert many == few and few[0] == 3
    assert after < 2 * before, (before, after)
