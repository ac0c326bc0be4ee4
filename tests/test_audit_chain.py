"""The hash-chained audit log: appends through services, in batches and from threads, verified
(tampering `verify` must name: test_audit_tampering)."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from dudao.audit.chain import chain_head, verify_chain
from dudao.audit.models import AuditEvent
from dudao.audit.services import record, record_batch
from dudao.auth.models import User
from dudao.core.enums import UnitLevel
from dudao.core.errors import ValidationError
from dudao.org.services import create_unit, update_unit
from tests.audit_world import audit_events


def test_services_append_who_when_what_before_after_in_one_transaction(app, session, org):
    admin = session.scalars(select(User)).first()
    update_unit(session, admin, org.unit_a1, name="甲一厂（新）")
    session.commit()
    last = audit_events(session)[-1]
    assert (last.action, last.entity_type, last.entity_id) == (
        "unit.update",
        "unit",
        str(org.unit_a1.id),
    )
    assert last.before["name"] == "甲一厂" and last.after["name"] == "甲一厂（新）"
    assert last.occurred_at.tzinfo is not None
    assert [e.seq for e in audit_events(session)] == list(range(1, 10))
    assert verify_chain(session) == []
    assert chain_head(session) == (last.seq, last.hash)

    # A failing service rolls back its event with its change: nothing half-written.
    count = len(audit_events(session))
    with pytest.raises(ValidationError):
        create_unit(session, None, "X", "X", UnitLevel.UNIT, org.group)
        create_unit(session, None, "X", "again", UnitLevel.UNIT, org.group)
    session.rollback()
    assert len(audit_events(session)) == count
    assert verify_chain(session) == []


def test_actor_is_named_and_system_otherwise(session, org, user_factory):
    ada = user_factory("ada", ("admin", org.group))
    update_unit(session, ada, org.branch_a1, headcount=12)
    session.commit()
    last = audit_events(session)[-1]
    assert (last.actor_id, last.actor_name) == (ada.id, "ada")
    assert audit_events(session)[0].actor_name == "system"


def test_values_that_json_changes_still_verify(session, org):
    record(
        session,
        None,
        "test.values",
        "thing",
        1,
        before={"when": date(2026, 1, 2), "amount": Decimal("1.50"), 3: "int key"},
        after={"level": UnitLevel.BRANCH, "tags": {"b", "a"}, "ratio": 0.1},
    )
    session.commit()
    last = audit_events(session)[-1]
    assert last.before == {"when": "2026-01-02", "amount": "1.50", "3": "int key"}
    assert last.after == {"level": "branch", "tags": ["a", "b"], "ratio": 0.1}
    assert verify_chain(session) == []


def test_deleting_a_user_leaves_the_chain_intact(session, org, user_factory):
    ada = user_factory("ada", ("admin", org.group))
    update_unit(session, ada, org.branch_a1, headcount=3)
    session.commit()
    session.delete(ada)
    session.commit()
    assert session.scalar(select(func.count()).where(AuditEvent.actor_id == ada.id)) == 1
    assert verify_chain(session) == []


def test_verify_walks_in_batches(session, org):
    assert verify_chain(session, batch_size=3) == []


@pytest.mark.parametrize("batch", [1, 2], ids=["record", "record_batch"])
@pytest.mark.parametrize("fresh", [True, False], ids=["empty-log", "existing-log"])
def test_concurrent_appends_form_one_valid_chain(app, session, request, fresh, batch):
    """Separate sessions in threads. PostgreSQL locks the seal row (an advisory lock while
    there is none, as in an empty log), SQLite takes its write lock; a batch of two events
    goes in with the seal's move in one statement on PostgreSQL."""
    if not fresh:
        request.getfixturevalue("org")
    before = len(audit_events(session))
    factory = app.extensions["dudao"].session_factory
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(5):
                with factory() as own:
                    own.execute(text("SELECT 1"))
                    if batch == 1:
                        record(own, None, "test.concurrent", "thing", f"{n}-{i}", after={"i": i})
                    else:
                        entries = [
                            ("test.concurrent", "thing", f"{n}-{i}-{j}", None, {"i": i})
                            for j in range(batch)
                        ]
                        assert len(record_batch(own, None, entries)) == batch
                    own.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    events = audit_events(session)
    assert [e.seq for e in events] == list(range(1, before + 20 * batch + 1))
    assert verify_chain(session) == []
