"""Histories name the system's own moves (timers, imports) in the reader's language, as
they name people by display name, on the inspection, rectification and audit log pages."""

from __future__ import annotations

import re

from dudao.audit.services import record
from dudao.inspections.submission_models import Rectification
from dudao.workflow.engine import apply_timer
from tests.conftest import sign_in
from tests.inspection_world import World, world  # noqa: F401
from tests.rectification_route_world import rectifications_in_and_out


def _who(page: str) -> list[str]:
    """The 'Who' column of the history table."""
    table = page.split('id="history"')[1].split("</table>")[0]
    return re.findall(r"<tr>\s*<td>[^<]*</td>\s*<td[^>]*>([^<]*)</td>", table)


def _text(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


def test_the_system_is_named_in_the_readers_language(app, session, world: World):  # noqa: F811
    inspection = world.inspection
    record(session, None, "inspection.import", "inspection", inspection.id, after={"row": 1})
    task = session.get(
        Rectification, rectifications_in_and_out(session, {"in": inspection.id})["in"]
    )
    apply_timer(session, task, "overdue", "overdue")  # the system moves it, not a person
    session.commit()
    client = app.test_client()
    assert sign_in(client, "office").status_code == 302  # Chinese by default
    who = _who(client.get(f"/inspections/{inspection.id}").get_data(as_text=True))
    assert who[-1] == "系统" and "Office" in who  # people by display name, as before
    task_page = client.get(f"/rectifications/{task.id}").get_data(as_text=True)
    assert "系统" in _who(task_page)
    # The timer's move in words, not its key ("定时器：overdue").
    assert "已过期限：待整改 → 已逾期" in task_page and "overdue" not in _text(task_page)
    client.post("/lang", data={"lang": "en", "next": "/"})
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert _who(page)[-1] == "System" and ">system<" not in page


def test_the_audit_log_names_the_system_and_still_filters_by_it(
    app,
    session,
    world: World,  # noqa: F811
):
    record(session, None, "inspection.import", "inspection", world.inspection.id)
    session.commit()
    client = app.test_client()
    assert sign_in(client, "office").status_code == 302
    page = client.get("/audit?actor=system").get_data(as_text=True)
    assert '<a href="/audit?actor=system" title="system">系统</a>' in page
