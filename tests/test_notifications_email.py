"""E-mail copies through a real (tiny, local) SMTP server (tests/smtp_sink.py): sent once,
retried after a failure."""

from __future__ import annotations

import dataclasses
import threading
from datetime import date

from rq import Queue, SimpleWorker
from sqlalchemy import select

from dudao.config import PROJECT_ROOT
from dudao.core.queue import connect, enqueue
from dudao.definitions.queries import current_version
from dudao.definitions.services import sync_forms
from dudao.inspections.models import InspectionOrigin
from dudao.inspections.services import create_inspection
from dudao.notifications.jobs import send_pending_emails
from dudao.notifications.models import Notification
from dudao.notifications.services import notify
from dudao.notifications.transitions import sweep
from dudao.workflow.engine import apply
from dudao.workflow.jobs import run_timers


def test_each_notification_is_mailed_once(mail_app, smtp, session, org, user_factory):
    ada = user_factory("ada", ("inspector", org.company_a))
    ada.email = "ada@example.org"
    nomail = user_factory("nomail", ("inspector", org.company_a))  # no address: in-app only
    session.commit()
    ids = [ada.id, nomail.id]
    notify(session, ids, "transition:1", "returned", "检查 #1 · A1-1", "照片不清楚",
           "/inspections/1")  # fmt: skip
    session.commit()

    assert send_pending_emails() == 1
    assert send_pending_emails() == 0  # never twice
    ((recipients, message),) = smtp.received
    assert recipients == ["ada@example.org"]
    assert message["From"] == "dudao@example.org"
    assert message["Subject"] == "[已退回] 检查 #1 · A1-1"
    body = message.get_content()
    assert "照片不清楚" in body and "/inspections/1" in body
    session.expire_all()
    emailed = session.scalars(select(Notification).where(Notification.user_id == ada.id)).one()
    assert emailed.emailed_at is not None
    assert session.scalars(
        select(Notification.emailed_at).where(Notification.user_id != ada.id)
    ).all() == [None]


def test_a_refused_mail_is_sent_by_the_next_run(mail_app, smtp, session, org, user_factory):
    ada = user_factory("ada", ("inspector", org.company_a))
    ada.email = "ada@example.org"
    notify(session, [ada.id], "k1", "assigned", "检查 / Inspection #2")
    session.commit()
    smtp.refuse = True
    assert send_pending_emails() == 0
    session.expire_all()
    assert session.scalars(select(Notification.emailed_at)).one() is None
    smtp.refuse = False
    assert send_pending_emails() == 1
    assert send_pending_emails() == 0
    assert len(smtp.received) == 1


def test_nothing_is_mailed_without_smtp(app, session, org, user_factory):
    ada = user_factory("ada", ("inspector", org.company_a))
    ada.email = "ada@example.org"
    notify(session, [ada.id], "k1", "assigned", "x")
    session.commit()
    assert send_pending_emails() == 0
    session.expire_all()
    assert session.scalars(select(Notification.emailed_at)).one() is None


def test_a_reminder_reaches_the_mailbox_through_the_worker(
    mail_app, smtp, session, org, user_factory
):
    """run_timers from Redis makes the reminder and enqueues the e-mail job; one burst does both."""
    sync_forms(session, None, PROJECT_ROOT / "forms")
    office = user_factory("office", ("office", org.group))
    ada = user_factory("ada", ("inspector", org.company_a))
    ada.email = "ada@example.org"
    inspection = create_inspection(
        session, office, org.branch_a1, current_version(session, "branch_standardisation"),
        date(2026, 6, 4), InspectionOrigin.AD_HOC, assignees=[ada],
    )  # fmt: skip
    apply(session, office, inspection, "assign")
    session.commit()
    settings = mail_app.extensions["dudao"].settings
    connection = connect(settings)
    queue = Queue("default", connection=connection)
    queue.empty()  # the assign notification's job is not this test's subject
    session.execute(Notification.__table__.delete())
    session.commit()
    enqueue(settings, run_timers, "2026-06-02T01:00:00+00:00")
    SimpleWorker([queue], connection=connection).work(burst=True, with_scheduler=False)
    assert [m["Subject"] for _, m in smtp.received] == [
        f"[即将到期] 检查 #{inspection.id} · A1-1 甲一厂第一党支部"
    ]
    body = smtp.received[0][1].get_content().replace("\r\n", "\n")
    assert body == f"截止 2026-06-04\n\n/inspections/{inspection.id}\n"


def test_two_senders_at_once_send_each_mail_once(mail_app, smtp, session, org, user_factory):
    ada = user_factory("ada", ("inspector", org.company_a))
    ada.email = "ada@example.org"
    for n in range(30):
        notify(session, [ada.id], f"k{n}", "assigned", f"Inspection #{n}")
    session.commit()
    barrier = threading.Barrier(2)
    results: list[int] = []

    def run() -> None:
        with mail_app.app_context():
            barrier.wait()
            results.append(send_pending_emails())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(results) == 30
    # Each run mails what it claimed as one digest: every notification in exactly one.
    bodies = [m.get_content().replace("\r\n", "\n") for _, m in smtp.received]
    assert 1 <= len(bodies) <= 2
    for n in range(30):
        assert sum(body.count(f"- Inspection #{n}\n") for body in bodies) == 1


def test_several_notifications_make_one_digest(mail_app, smtp, session, org, user_factory):
    ada = user_factory("ada", ("inspector", org.company_a))
    ada.email = "ada@example.org"
    bob = user_factory("bob", ("inspector", org.company_a))
    bob.email = "bob@example.org"
    for n in range(3):
        notify(session, [ada.id], f"a{n}", "assigned", f"检查 #{n}", "",
               f"/inspections/{n}")  # fmt: skip
    notify(session, [ada.id, bob.id], "r1", "returned", "检查 #9", "照片不清楚",
           "/inspections/9")  # fmt: skip
    session.commit()
    runtime = mail_app.extensions["dudao"]
    runtime.settings = dataclasses.replace(runtime.settings, site_url="https://dudao.example.org")

    assert send_pending_emails() == 5
    messages = {recipients[0]: message for recipients, message in smtp.received}
    assert sorted(messages) == ["ada@example.org", "bob@example.org"]
    digest = messages["ada@example.org"]
    assert digest["Subject"] == "[督导] 4 条新通知"
    assert digest.get_content().replace("\r\n", "\n") == (
        "已分派 (3)\n"
        "- 检查 #0\n  https://dudao.example.org/inspections/0\n"
        "- 检查 #1\n  https://dudao.example.org/inspections/1\n"
        "- 检查 #2\n  https://dudao.example.org/inspections/2\n\n"
        "已退回 (1)\n"
        "- 检查 #9\n  照片不清楚\n  https://dudao.example.org/inspections/9\n"
    )
    assert messages["bob@example.org"]["Subject"] == "[已退回] 检查 #9"
    assert send_pending_emails() == 0


def test_mail_is_written_in_the_recipients_language(mail_app, smtp, session, org, user_factory):
    """Each recipient reads the kind, the subject's noun and the unit's name in their
    account's language (Chinese without one); a digest too."""
    sync_forms(session, None, PROJECT_ROOT / "forms")
    office = user_factory("office", ("office", org.group))
    ada = user_factory("ada", ("inspector", org.company_a))
    bob = user_factory("bob", ("inspector", org.company_a))
    ada.email, ada.locale, bob.email = "ada@example.org", "en", "bob@example.org"
    org.branch_a1.name_en = "First branch of plant A1"
    version = current_version(session, "branch_standardisation")
    inspections = [
        create_inspection(
            session, office, unit, version, date(2026, 6, 4), InspectionOrigin.AD_HOC,
            assignees=[ada, bob],
        )
        for unit in (org.branch_a1, org.branch_a2)
    ]  # fmt: skip
    apply(session, office, inspections[0], "assign")
    session.commit()
    assert sweep(session) == 2
    session.commit()
    assert send_pending_emails() == 2
    subjects = {recipients[0]: m["Subject"] for recipients, m in smtp.received}
    first = f"#{inspections[0].id} · A1-1"
    assert subjects == {
        "ada@example.org": f"[Assigned] Inspection {first} First branch of plant A1",
        "bob@example.org": f"[已分派] 检查 {first} 甲一厂第一党支部",
    }
    smtp.received.clear()
    apply(session, office, inspections[1], "assign")
    session.commit()
    notify(session, [ada.id], "k1", "alert", "审计日志校验失败 (1)")
    sweep(session)
    session.commit()
    assert send_pending_emails() == 3
    digest = {recipients[0]: m for recipients, m in smtp.received}["ada@example.org"]
    assert digest["Subject"] == "[Dudao] 2 new notifications"
    assert (
        digest.get_content()
        .replace("\r\n", "\n")
        .startswith(f"Assigned (1)\n- Inspection #{inspections[1].id} · A1-2 甲一厂第二党支部\n")
    )  # a unit without an English name keeps its Chinese one
