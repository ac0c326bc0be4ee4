"""History tables name people by their display name (the audit log stores the username):
a rectification task's and a flag's history; an actor whose account is gone, or the
system, keeps the name the audit log stored."""

from __future__ import annotations

import re
from types import SimpleNamespace

from dudao.audit.services import record
from dudao.auth.models import User
from tests.conftest import sign_in
from tests.flag_world import triage_world
from tests.inspection_world import world  # noqa: F401
from tests.rectification_world import approved, as_user, open_task  # noqa: F401


def _who(page: str) -> list[str]:
    """The "Who" column of the page's history table, top to bottom."""
    table = page.split('id="history"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>\s*<td>[^<]*</td>\s*<td[^>]*>([^<]*)</td>", table)
    return [name.strip() for name in rows]


def test_a_task_history_shows_display_names(app, world, session, approved):  # noqa: F811
    task_id = open_task(app, world, approved)
    session.get(User, world.office.id).display_name = "办公室 王芳"
    record(session, None, "rectification.note", "rectification", task_id)
    gone = SimpleNamespace(id=987654, username="zhang.left")  # an account since deleted
    record(session, gone, "rectification.note", "rectification", task_id)
    session.commit()

    page = as_user(app, "lead").get(f"/rectifications/{task_id}").get_data(as_text=True)
    assert _who(page) == ["办公室 王芳", "系统", "zhang.left"]  # the system in the page's language


def test_a_flag_history_shows_display_names(app, client, session, org, user_factory):
    people, ids = triage_world(session, org, user_factory)
    people["office_a"].display_name = "公司甲 李强"
    session.commit()
    sign_in(client, "office_a")
    assert client.post(f"/flags/{ids['a_det']}/comment", data={"comment": "已联系"}).status_code
    page = client.get(f"/flags/{ids['a_det']}").get_data(as_text=True)
    assert _who(page)[-1] == "公司甲 李强"
    assert "office_a" not in page.split('id="history"')[1].split("</table>")[0]


def test_an_inspection_history_shows_display_names(app, world, session):  # noqa: F811
    session.get(User, world.office.id).display_name = "办公室 赵敏"
    session.commit()
    page = as_user(app, "office").get(f"/inspections/{world.inspection.id}").get_data(as_text=True)
    assert _who(page) and set(_who(page)) == {"办公室 赵敏"}  # created and assigned by the office
