"""Tampering with the hash-chained audit log that `verify` must name: edited, deleted, inserted
and appended rows, a deleted seal, and history rewritten, caught by a head kept elsewhere."""

from __future__ import annotations

import pytest
from sqlalchemy import Insert, delete, update
from sqlalchemy.orm import Session

from dudao.audit.chain import SEAL_MISMATCH, chain_head, event_hash, verify_chain
from dudao.audit.commands import audit_group
from dudao.audit.models import AuditEvent, AuditSeal
from dudao.core.enums import UnitLevel
from dudao.org.services import create_unit
from tests.audit_world import audit_events


def _tamper(app, *statements) -> None:
    """Change the tables behind Dudao's back, in a separate connection."""
    with app.extensions["dudao"].engine.begin() as connection:
        for statement in statements:
            connection.execute(statement)


def _forged(previous: AuditEvent, seq: int, action: str, entity_id: str, after=None) -> Insert:
    """The INSERT of a unit event hashed as Dudao would chain it after `previous`."""
    forged = AuditEvent(seq=seq, occurred_at=previous.occurred_at, actor_id=None,
                        actor_name="system", action=action, entity_type="unit",
                        entity_id=entity_id, before=None, after=after,
                        prev_hash=previous.hash)  # fmt: skip
    forged.hash = event_hash(forged)
    columns = ("seq", "occurred_at", "actor_name", "action", "entity_type", "entity_id",
               "prev_hash", "hash") + (("after",) if after is not None else ())  # fmt: skip
    return AuditEvent.__table__.insert().values({c: getattr(forged, c) for c in columns})


def _messages(session: Session) -> list[str]:
    session.expire_all()
    return [str(problem) for problem in verify_chain(session)]


def _verify_cli(app, *args: str):
    return app.test_cli_runner().invoke(audit_group, ["verify", *args])


def test_edited_row_is_named_by_seq_and_id(app, session, org):
    victim = audit_events(session)[3]
    _tamper(app, update(AuditEvent).where(AuditEvent.id == victim.id).values(actor_name="mallory"))
    assert _messages(session) == [
        f"event #4 (id {victim.id}): content was edited after it was written"
    ]
    result = _verify_cli(app)  # in the default language, zh_CN (docs/i18n.md)
    assert result.exit_code == 1
    assert f"事件 #4（id {victim.id}）：写入后内容被修改" in result.output
    assert "审计日志已被篡改：上面列出 1 个问题。" in result.output
    result = _verify_cli(app, "--lang", "en")
    assert f"event #4 (id {victim.id}): content was edited" in result.output
    assert "tampered with: 1 problem listed above." in result.output


def test_edited_row_with_recomputed_hash_breaks_the_next_link(app, session, org):
    victim = audit_events(session)[3]
    victim.after = {**victim.after, "name": "forged"}
    new_hash = event_hash(victim)
    session.rollback()
    _tamper(
        app,
        update(AuditEvent)
        .where(AuditEvent.id == victim.id)
        .values(after={**victim.after, "name": "forged"}, hash=new_hash),
    )
    following = audit_events(session)[4]
    assert _messages(session) == [
        f"event #5 (id {following.id}): does not follow the event before it "
        "(an event was inserted, deleted or re-linked here)"
    ]


def test_deleted_middle_row_is_named(app, session, org):
    victim = audit_events(session)[2]
    _tamper(app, delete(AuditEvent).where(AuditEvent.id == victim.id))
    following = audit_events(session)[2]
    messages = _messages(session)
    assert messages[0] == "event #3: missing: event #3 deleted"
    assert messages[1].startswith(f"event #4 (id {following.id}): does not follow")
    assert len(messages) == 2


@pytest.mark.parametrize("count", [1, 2])
def test_deleted_last_rows_are_detected_even_after_later_appends(app, session, org, count):
    events = audit_events(session)
    _tamper(app, delete(AuditEvent).where(AuditEvent.seq > len(events) - count))
    span = "#8" if count == 1 else "#7..#8"
    expected = f"missing: newest event {span} deleted (the seal records #8)"
    assert _messages(session) == [f"event #{9 - count}: {expected}"]
    result = _verify_cli(app, "--lang", "en")
    assert result.exit_code == 1 and expected in result.output

    # The next append continues after the seal, so the hole stays visible.
    create_unit(session, None, "C", "丙公司", UnitLevel.COMPANY, org.group)
    session.commit()
    messages = _messages(session)
    assert messages[0] == f"event #{9 - count}: missing: event {span} deleted"
    assert "#9" in messages[1] and "does not follow" in messages[1]


def test_row_inserted_in_the_middle_is_detected(app, session, org):
    events = audit_events(session)
    forged = _forged(events[2], 4, "unit.create", "999", after={"code": "GHOST"})
    session.rollback()
    # Make room (renumber from the end so seq stays unique), then slip the forged row in.
    for event in reversed(events[3:]):
        _tamper(app, update(AuditEvent).where(AuditEvent.id == event.id).values(seq=event.seq + 1))
    _tamper(app, forged)
    messages = _messages(session)
    assert f"event #5 (id {events[3].id}): does not follow" in messages[0]
    assert f"event #5 (id {events[3].id}): content was edited" in messages[1]
    assert f"(id {events[-1].id}): added outside Dudao: the seal ends at #8" in messages[-1]


def test_row_appended_behind_the_seal_is_detected_and_stays_visible(app, session, org):
    last = audit_events(session)[-1]
    _tamper(app, _forged(last, 9, "unit.delete", "1"))
    forged_id = audit_events(session)[-1].id
    assert _messages(session) == [
        f"event #9 (id {forged_id}): added outside Dudao: the seal ends at #8"
    ]
    # A later append records the mismatch in the chain itself instead of hiding it.
    create_unit(session, None, "C", "丙公司", UnitLevel.COMPANY, org.group)
    session.commit()
    events = audit_events(session)
    assert [e.action for e in events[-2:]] == [SEAL_MISMATCH, "unit.create"]
    messages = _messages(session)
    assert len(messages) == 1 and messages[0].startswith(f"event #10 (id {events[-2].id}):")
    assert "events were added or the seal was changed outside Dudao" in messages[0]


def test_deleted_seal_is_detected(app, session, org):
    last = audit_events(session)[-1]
    _tamper(app, delete(AuditSeal))
    assert _messages(session) == [
        f"event #8 (id {last.id}): the seal (audit_seal) is missing: "
        "deleted newest events cannot be ruled out"
    ]
    create_unit(session, None, "C", "丙公司", UnitLevel.COMPANY, org.group)
    session.commit()
    assert [e.action for e in audit_events(session)[-2:]] == [SEAL_MISMATCH, "unit.create"]
    assert len(_messages(session)) == 1


def test_rewritten_history_is_caught_by_a_head_kept_elsewhere(app, session, org):
    result = _verify_cli(app)
    assert result.exit_code == 0, result.output
    head = result.output.strip().rsplit(" ", 1)[1]
    assert head == "{}:{}".format(*chain_head(session))
    assert "审计日志完好：共 8 个事件，链头 " in result.output
    assert "The audit log is intact: 8 events" in _verify_cli(app, "--lang", "en").output

    # Someone with full write access rewrites event #2 and re-seals everything after it.
    session.expire_all()
    events = audit_events(session)
    events[1].actor_name = "mallory"
    prev = events[0].hash
    for event in events[1:]:
        event.prev_hash = prev
        event.hash = prev = event_hash(event)
    session.execute(update(AuditSeal).values(hash=prev))
    session.commit()
    assert verify_chain(session) == []  # consistent again: only an outside head can tell

    result = _verify_cli(app, "--expect", head, "--lang", "en")
    assert result.exit_code == 1
    assert f"event #8 (id {events[-1].id}): differs from the hash written down earlier" in (
        result.output
    )
    assert _verify_cli(app, "--expect", "8:nothex").exit_code == 2
