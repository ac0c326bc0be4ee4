"""Flag queue and triage through HTTP: filters and scope, counts per state, the triage loop
through the flag-triage workflow, refusals and stale pages (the flag's own page:
test_triage_flag_page)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from dudao.audit.models import AuditEvent
from dudao.trends.models import Flag
from dudao.workflow.engine import apply
from tests.conftest import sign_in
from tests.flag_world import make_flag, triage_world


@pytest.fixture
def world(app, session, org, user_factory):
    # English strings below; test_flag_page_in_chinese for zh
    return triage_world(session, org, user_factory)


def _ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-flag="(\d+)"', page)}


def _count(page: str, state: str) -> int:
    return int(re.search(rf'data-count="{state}">(\d+)<', page).group(1))


def test_queue_shows_only_the_viewers_subtree(client, world):
    _people, ids = world
    sign_in(client, "office_a")
    page = client.get("/flags").get_data(as_text=True)
    assert _ids(page) == {ids["a_det"], ids["a_rec"], ids["a_unit"]}
    assert _count(page, "all") == 3 and _count(page, "new") == 2
    assert _count(page, "acknowledged") == 1
    assert client.get(f"/flags/{ids['b_det']}").status_code == 404
    client.post("/logout")
    sign_in(client, "office_b")
    assert _ids(client.get("/flags").get_data(as_text=True)) == {ids["b_det"]}


def test_queue_filters_and_the_url_holds_them(client, world):
    _people, ids = world
    sign_in(client, "office_a")

    def shown(query: str) -> set[int]:
        response = client.get(f"/flags?{query}")
        assert response.status_code == 200
        return _ids(response.get_data(as_text=True))

    assert shown("state=new") == {ids["a_det"], ids["a_rec"]}
    assert shown("severity=high") == {ids["a_det"]}
    assert shown("rule=recurring_failure") == {ids["a_rec"], ids["a_unit"]}
    assert shown("unit=A1-2") == {ids["a_rec"]}
    assert shown("unit=B1-1") == {ids["a_det"], ids["a_rec"], ids["a_unit"]}  # unknown code
    assert "B1-1" in client.get("/flags?unit=B1-1").get_data(as_text=True)
    assert shown("period_to=2025-12") == {ids["a_rec"]}
    assert shown("period_from=2026-01") == {ids["a_det"], ids["a_unit"]}
    assert shown("state=new&rule=recurring_failure") == {ids["a_rec"]}
    page = client.get("/flags?rule=recurring_failure&sort=severity").get_data(as_text=True)
    assert _count(page, "new") == 1 and _count(page, "acknowledged") == 1  # counts follow
    order = [int(i) for i in re.findall(r'data-flag="(\d+)"', page)]
    assert order == [ids["a_rec"], ids["a_unit"]]  # medium before low
    assert "sort=severity" in page and "rule=recurring_failure" in page  # shareable links


def test_queue_needs_the_office_permission(client, world):
    sign_in(client, "lead")
    assert client.get("/flags").status_code == 403


def test_triage_loop_through_http(client, world, session):
    _people, ids = world
    sign_in(client, "office_a")
    flag_id = ids["a_det"]

    def act(action: str, version: int, **fields: str):
        data = {"action": action, "expected_version": str(version), **fields}
        return client.post(f"/flags/{flag_id}/act", data=data)

    assert act("acknowledge", 1).status_code == 302
    assert act("start", 2).status_code == 302
    refused = act("resolve", 3)
    assert refused.status_code == 422 and 'class="error"' in refused.get_data(as_text=True)
    assert "Not done: fill in the field marked below." in refused.get_data(as_text=True)
    assert act("resolve", 3, comment="支部已整改").status_code == 302
    session.expire_all()
    flag = session.get(Flag, flag_id)
    assert flag.state == "resolved" and flag.version == 4
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_type == "trend_flag", AuditEvent.entity_id == str(flag_id))
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == [
        "flag_triage.acknowledge", "flag_triage.start", "flag_triage.resolve"
    ]  # fmt: skip
    page = client.get(f"/flags/{flag_id}").get_data(as_text=True)
    assert "支部已整改" in page and 'value="reopen"' in page
    assert "Acknowledge: New → Acknowledged" in page and "Resolve: In progress → Resolved" in page
    assert act("reopen", 4, comment="又出现").status_code == 302


def test_dismiss_requires_a_reason(client, world, session):
    _people, ids = world
    sign_in(client, "office_a")
    url = f"/flags/{ids['a_rec']}/act"
    response = client.post(url, data={"action": "dismiss", "expected_version": "1"})
    assert response.status_code == 422
    session.expire_all()
    assert session.get(Flag, ids["a_rec"]).state == "new"
    response = client.post(
        url, data={"action": "dismiss", "expected_version": "1", "reason": "数据录入错误"}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Flag, ids["a_rec"]).state == "dismissed"


def test_history_shows_detection_events(client, world, session):
    from dudao.audit.services import record

    _people, ids = world
    record(session, None, "trend_flag.create", "trend_flag", ids["a_det"], None,
           {"first_detected": "2026-02"})  # fmt: skip
    record(session, None, "trend_flag.cleared", "trend_flag", ids["a_det"], {"detected": True},
           {"detected": False})  # fmt: skip
    # a clearing as it was recorded until November 2026, then an update while not detected
    record(session, None, "trend_flag.update", "trend_flag", ids["a_rec"],
           {"detected": True, "last_detected": "2026-03"},
           {"detected": False, "last_detected": "2026-03"})  # fmt: skip
    record(session, None, "trend_flag.update", "trend_flag", ids["a_rec"],
           {"detected": False, "last_detected": "2026-03"},
           {"detected": False, "last_detected": "2026-04"})  # fmt: skip
    session.commit()
    sign_in(client, "office_a")
    page = client.get(f"/flags/{ids['a_det']}").get_data(as_text=True)
    assert "Detected (first in 2026-02)" in page and "No longer detected" in page
    page = client.get(f"/flags/{ids['a_rec']}").get_data(as_text=True)
    assert "Detected again" not in page and "No longer detected" in page
    assert "Updated, still not detected (last in 2026-04)" in page


def test_stale_page_gets_409_changed_meanwhile(client, world, session):
    people, ids = world
    sign_in(client, "office_a")
    flag = session.get(Flag, ids["a_det"])
    apply(session, people["office_a"], flag, "acknowledge")  # someone else, meanwhile
    session.commit()
    response = client.post(
        f"/flags/{ids['a_det']}/act", data={"action": "start", "expected_version": "1"}
    )
    assert response.status_code == 409
    assert "changed by someone else meanwhile" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Flag, ids["a_det"]).state == "acknowledged"


def test_bulk_acknowledge_reports_refusals(client, world, session):
    _people, ids = world
    sign_in(client, "office_a")
    data = {
        "flag": [str(ids["a_det"]), str(ids["a_rec"]), str(ids["a_unit"]), str(ids["b_det"])],
        "back": "/flags?state=new",
    }
    response = client.post("/flags/acknowledge", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/flags?state=new")
    session.expire_all()
    states = {k: session.get(Flag, v).state for k, v in ids.items()}
    assert states == {
        "a_det": "acknowledged", "a_rec": "acknowledged", "a_unit": "acknowledged",
        "b_det": "new",  # outside the scope: left out
    }  # fmt: skip
    page = client.get("/flags").get_data(as_text=True)
    assert "Acknowledged 2 flags." in page
    assert f"1 flag not acknowledged (it is no longer new): #{ids['a_unit']}" in page


def test_bulk_acknowledge_with_a_stale_version_changes_that_flag_only(client, world, session):
    _people, ids = world
    sign_in(client, "office_a")
    data = {
        "flag": [str(ids["a_det"]), str(ids["a_rec"])],
        f"v{ids['a_det']}": "1", f"v{ids['a_rec']}": "7",
    }  # fmt: skip
    client.post("/flags/acknowledge", data=data)
    session.expire_all()
    assert session.get(Flag, ids["a_det"]).state == "acknowledged"
    assert session.get(Flag, ids["a_rec"]).state == "new"
    page = client.get("/flags").get_data(as_text=True)
    assert "Acknowledged 1 flag." in page
    assert f"1 flag not acknowledged (changed by someone else meanwhile): #{ids['a_rec']}" in page


def test_assign_to_an_office_user_and_filter_by_assignee(client, world, session):
    people, ids = world
    sign_in(client, "office_a")
    url = f"/flags/{ids['a_det']}/assign"
    page = client.get(f"/flags/{ids['a_det']}").get_data(as_text=True)
    options = page.split('name="assignee"')[1].split("</select>")[0]
    name = people["office_a"].display_name
    assert name in options and people["office_b"].display_name not in options
    assert people["lead"].display_name not in options
    foreign = {"assignee": str(people["office_b"].id), "expected_version": "1"}
    assert client.post(url, data=foreign).status_code == 422  # not an office user of A
    data = {"assignee": str(people["office_a"].id), "expected_version": "1"}
    assert client.post(url, data=data).status_code == 302
    session.expire_all()
    flag = session.get(Flag, ids["a_det"])
    assert flag.assignee_id == people["office_a"].id and flag.version == 2
    assert client.post(url, data=data).status_code == 409  # the page showed version 1
    assert _ids(client.get("/flags?assignee=me").get_data(as_text=True)) == {ids["a_det"]}
    mine = f"/flags?assignee={people['office_a'].id}"
    assert _ids(client.get(mine).get_data(as_text=True)) == {ids["a_det"]}
    nobody = _ids(client.get("/flags?assignee=none").get_data(as_text=True))
    assert nobody == {ids["a_rec"], ids["a_unit"]}
    page = client.get(f"/flags/{ids['a_det']}").get_data(as_text=True)
    assert f"Assigned to: {name}" in page  # the history line
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "trend_flag.assign")
    ).one()
    assert event.after == {"assignee": people["office_a"].id}
    # the queue -> filter -> flag -> assign -> resolve loop ends through the engine
    act = {"action": "acknowledge", "expected_version": "2"}
    assert client.post(f"/flags/{ids['a_det']}/act", data=act).status_code == 302
    act = {"action": "resolve", "expected_version": "3", "comment": "已整改"}
    assert client.post(f"/flags/{ids['a_det']}/act", data=act).status_code == 302
    session.expire_all()
    assert session.get(Flag, ids["a_det"]).state == "resolved"


@pytest.mark.demo(seed=5)  # load_demo(session, seed=5), committed
def test_demo_flags_render_with_their_evidence(client, session, user_factory):
    """Flags as the real rules write them (the demo's planted problems) all open."""
    from dudao.org.models import Unit

    root = session.scalars(select(Unit).where(Unit.parent_id.is_(None))).one()
    user_factory("desk", ("office", root)).locale = "en"
    session.commit()
    sign_in(client, "desk")
    page = client.get("/flags?sort=severity").get_data(as_text=True)
    assert _count(page, "all") == session.scalar(select(func.count(Flag.id)))
    by_rule = {}
    for flag in session.scalars(select(Flag).order_by(Flag.id)):
        by_rule.setdefault(flag.rule, flag)
    assert {"cross_unit", "deterioration", "outlier", "critical_failure"} <= set(by_rule)
    for rule, flag in by_rule.items():
        response = client.get(f"/flags/{flag.id}")
        assert response.status_code == 200, rule
        body = response.get_data(as_text=True)
        assert ("<svg" in body) == (rule in ("cross_unit", "deterioration")), rule
        assert f"/flags/{flag.id}/act" in body, rule
        if rule == "cross_unit":
            e = flag.evidence
            assert f": {e['failures']} of {e['inspections']} inspections (" in body
            assert f"before; at {len(flag.unit_ids)} units." in body
        if rule == "deterioration":  # the baseline as a score, drawn and in the table
            table = body.split("data-series")[1].split("</table>")[0]
            assert "Mean score before the decline</th></tr></thead>" in table
            assert f"<td>{flag.evidence['baseline_score']}</td>" in table
            assert "Decline since" in body and "stroke-dasharray" in body.split("<svg")[1]
        if flag.evidence.get("inspection_ids"):
            assert f"/inspections/{flag.evidence['inspection_ids'][0]}" in body, rule
    # the office has begun triaging (triage/demo.py): every state, a task, saved filters
    from dudao.triage.demo import FILTERS, load_demo_triage
    from dudao.triage.models import FlagRectification, SavedFilter

    states = set(session.scalars(select(Flag.state)))
    assert states == {"new", "acknowledged", "in_progress", "resolved", "dismissed"}
    assert len(session.scalars(select(FlagRectification)).all()) == 1
    assert {f.name for f in session.scalars(select(SavedFilter))} == set(FILTERS)
    assert load_demo_triage(session, None) == 0  # a second run does nothing


def test_queue_queries_do_not_grow_with_the_flags(app, client, world, session, org):
    from sqlalchemy import event

    _people, _ids = world
    sign_in(client, "office_a")
    engine = app.extensions["dudao"].engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def queries_for_queue() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/flags").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    few = queries_for_queue()
    assert few >= 2  # the listener sees the page's queries
    for n in range(40):
        make_flag(session, org.branch_a1, "recurring_failure", tag=f"many{n}")
    session.commit()
    assert queries_for_queue() == few
