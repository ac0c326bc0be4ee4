"""The workflow engine on real inspections: states, roles, scope, fields, guards, conflicts."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select

from dudao.audit.models import AuditEvent
from dudao.config import PROJECT_ROOT
from dudao.core.errors import PermissionDenied, shown
from dudao.core.language import translations
from dudao.definitions.queries import current_version
from dudao.definitions.services import sync_forms
from dudao.inspections.models import Inspection, InspectionOrigin
from dudao.inspections.services import create_inspection, set_assignees
from dudao.workflow import engine
from dudao.workflow.engine import Conflict, TransitionRefused, apply, available_actions
from dudao.workflow.guards import GUARDS


@pytest.fixture(autouse=True)
def _answers_not_checked(monkeypatch):
    """Submitting needs every required item answered (tests/test_submissions.py tests that)."""
    monkeypatch.setitem(GUARDS, "all_required_answered", lambda _session, _subject: None)


@pytest.fixture
def setup(session, org, user_factory):
    sync_forms(session, None, PROJECT_ROOT / "forms")
    version = current_version(session, "branch_standardisation")
    office = user_factory("office", ("office", org.group))
    inspector = user_factory("insp", ("inspector", org.company_a))
    other = user_factory("other", ("inspector", org.company_a))
    outsider = user_factory("lead_b", ("office", org.company_b))
    inspection = create_inspection(
        session, office, org.branch_a1, version, date(2026, 12, 31), InspectionOrigin.AD_HOC
    )
    session.commit()
    return inspection, office, inspector, other, outsider


def test_full_lifecycle_with_audit(session, setup):
    inspection, office, inspector, _, _ = setup
    with pytest.raises(TransitionRefused, match="nobody is assigned"):
        apply(session, office, inspection, "assign")
    set_assignees(session, office, inspection, [inspector])
    for actor, action in [(office, "assign"), (inspector, "start"), (inspector, "submit")]:
        apply(session, actor, inspection, action)
    with pytest.raises(TransitionRefused, match="fill in the comment"):
        apply(session, office, inspection, "return")
    apply(session, office, inspection, "return", fields={"comment": "第3项证据不足"})
    assert inspection.state == "returned"
    for actor, action in [(inspector, "start"), (inspector, "submit"), (office, "approve")]:
        apply(session, actor, inspection, action)
    session.commit()
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_type == "inspection")
        .order_by(AuditEvent.seq)
    ).all()
    assert actions[-3:] == ["inspection.start", "inspection.submit", "inspection.approve"]
    assert "inspection.return" in actions


def test_a_comment_or_reason_too_long_is_refused(session, setup):
    """Every surface (pages, API, feedback) kept a comment of any length, e-mailed it too."""
    inspection, office, _inspector, _, _ = setup
    with pytest.raises(TransitionRefused, match="keep the reason to 4000") as refused:
        apply(session, office, inspection, "cancel", fields={"reason": "长" * 4001})
    assert refused.value.names("reason") and inspection.state == "planned"
    apply(session, office, inspection, "cancel", fields={"reason": "长" * 4000})
    assert inspection.state == "cancelled"


def test_roles_assignees_and_scope(session, setup):
    inspection, office, inspector, other, outsider = setup
    set_assignees(session, office, inspection, [inspector])
    apply(session, office, inspection, "assign")
    with pytest.raises(PermissionDenied):
        apply(session, other, inspection, "start")  # an inspector, but not assigned
    with pytest.raises(PermissionDenied):
        apply(session, outsider, inspection, "cancel", fields={"reason": "x"})  # office of B
    with pytest.raises(TransitionRefused, match="not possible while"):
        apply(session, inspector, inspection, "submit")  # not started
    assert [t.action for t in available_actions(inspector, inspection)] == ["start"]
    assert {t.action for t in available_actions(office, inspection)} == {"cancel"}


def test_a_stale_version_is_refused_as_changed_meanwhile(session, setup):
    inspection, office, inspector, _, _ = setup
    seen = inspection.version
    set_assignees(session, office, inspection, [inspector])
    apply(session, office, inspection, "assign", expected_version=seen)
    session.commit()
    with pytest.raises(Conflict, match="changed by someone else"):
        apply(session, office, inspection, "cancel", expected_version=seen, fields={"reason": "x"})


def test_two_people_acting_at_once_one_wins(app, session, setup):
    inspection, office, inspector, _, _ = setup
    set_assignees(session, office, inspection, [inspector])
    apply(session, office, inspection, "assign")
    session.commit()
    factory = app.extensions["dudao"].session_factory
    first, second = factory(), factory()
    try:
        a = first.get(Inspection, inspection.id)
        b = second.get(Inspection, inspection.id)
        from dudao.auth.models import User

        apply(first, first.get(User, office.id), a, "cancel", fields={"reason": "duplicate"})
        first.commit()
        with pytest.raises(Conflict):
            apply(second, second.get(User, inspector.id), b, "start")
            second.commit()
    finally:
        first.close()
        second.rollback()
        second.close()
    session.expire_all()
    assert session.get(Inspection, inspection.id).state == "cancelled"


def test_effects_run_only_after_commit(session, setup, monkeypatch):
    inspection, office, inspector, _, _ = setup
    seen = []
    monkeypatch.setattr(engine, "listeners", lambda: [lambda _s, applied: seen.append(applied)])
    set_assignees(session, office, inspection, [inspector])
    session.commit()
    apply(session, office, inspection, "assign")
    session.rollback()
    assert seen == []
    assert session.get(Inspection, inspection.id).state == "planned"
    apply(session, office, inspection, "assign")
    assert seen == []
    session.commit()
    assert [(a.action, a.target) for a in seen] == [("assign", "assigned")]
    event = session.get(AuditEvent, seen[0].audit_event_id)
    assert event.action == "inspection.assign" and event.after["state"] == "assigned"


def test_via_takes_each_step_with_its_checks_and_events_and_writes_once(session, setup):
    inspection, office, inspector, other, _ = setup
    set_assignees(session, office, inspection, [inspector])
    apply(session, office, inspection, "assign")
    session.commit()
    version = inspection.version
    with pytest.raises(PermissionDenied):  # the first step's rules hold as on its own
        apply(session, other, inspection, "submit", via=["start"])
    again = "“Start” is not possible while it is “In progress”"
    with pytest.raises(TransitionRefused, match=again):
        apply(session, inspector, inspection, "start", via=["start"])
    assert (inspection.state, inspection.version) == ("assigned", version)  # nothing moved
    applied = apply(session, inspector, inspection, "submit", via=["start"], fields={"x": "1"})
    session.commit()
    assert (applied.action, applied.source, applied.target) == ("submit", "in_progress",
                                                                 "submitted")  # fmt: skip
    assert (inspection.state, inspection.version) == ("submitted", version + 1)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == str(inspection.id))
        .order_by(AuditEvent.seq.desc()).limit(2)
    ).all()[::-1]  # fmt: skip
    assert [(e.action, e.before, e.after) for e in events] == [
        ("inspection.start", {"state": "assigned"}, {"state": "in_progress"}),
        ("inspection.submit", {"state": "in_progress"}, {"state": "submitted", "x": "1"}),
    ]
    assert applied.audit_event_id == events[1].id and events[1].prev_hash == events[0].hash


def test_a_clean_subject_is_moved_by_one_update_and_stays_clean(app, session, setup):
    """The state, version and time go in with one UPDATE ... WHERE id AND version; the
    object holds them as loaded, so neither a later flush nor the commit writes it again."""
    inspection, office, inspector, _, _ = setup
    set_assignees(session, office, inspection, [inspector])
    session.commit()
    version, before = inspection.version, inspection.state_changed_at
    updates: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("UPDATE INSPECTION "):
            updates.append(statement)

    bind = session.get_bind()
    event.listen(bind, "before_cursor_execute", seen)
    try:
        apply(session, office, inspection, "assign")
        assert inspection not in session.dirty
        session.commit()
    finally:
        event.remove(bind, "before_cursor_execute", seen)
    assert len(updates) == 1 and "version" in updates[0].split("WHERE")[1]
    session.expire_all()
    stored = session.get(Inspection, inspection.id)
    assert (stored.state, stored.version) == ("assigned", version + 1)
    assert before is None or stored.state_changed_at > before


def test_a_plain_subject_is_refused_where_its_model_reacts_to_the_state(session, setup):
    """Plain values (as a tablet's submission moves its WorkItem) skip the ORM: a model with
    a validator on its state (a trend flag keeps its open_key in step) must be moved as
    the ORM object, or the validator would be skipped."""
    _, office, _, _, _ = setup
    flag = SimpleNamespace(
        __tablename__="trend_flag", id=1, workflow="flag_triage", state="new", version=1,
        unit=office.grants[0].unit, assignee_ids=set(),
    )  # fmt: skip
    with pytest.raises(TypeError, match="move the ORM object"):
        apply(session, office, flag, "acknowledge")


def test_refusals_read_in_the_readers_language(session, setup):
    """The engine knows no reader: its refusals are Messages, with the workflow's labels in
    the language they are shown in, and the problems keyed by field for the API."""
    inspection, office, _inspector, _, outsider = setup
    zh, en = translations("zh_CN"), translations("en")
    with pytest.raises(TransitionRefused) as nobody:
        apply(session, office, inspection, "assign")
    assert nobody.value.in_language(zh) == "暂时不能“分派”：尚未指派检查人员"
    assert nobody.value.in_language(en) == "“Assign” is not possible yet: nobody is assigned yet"
    assert [shown(p, zh) for p in nobody.value.problems] == ["has_assignees: 尚未指派检查人员"]
    with pytest.raises(TransitionRefused) as wrong:
        apply(session, office, inspection, "approve")
    assert wrong.value.in_language(zh) == "当前为“已计划”，不能“审核通过”。"
    assert str(wrong.value) == "“Approve” is not possible while it is “Planned”."
    with pytest.raises(TransitionRefused) as unsaid:
        apply(session, office, inspection, "cancel")
    assert unsaid.value.in_language(zh) == "暂时不能“取消”：请填写原因"
    assert unsaid.value.problems == ["reason: required"]
    with pytest.raises(PermissionDenied) as denied:
        apply(session, outsider, inspection, "cancel", fields={"reason": "重复"})
    assert denied.value.in_language(zh) == "您的角色不能在此“取消”。"
    assert inspection.state == "planned"
