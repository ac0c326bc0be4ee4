"""Org tree services and queries: subtree, within, children, ancestors, move, deactivate."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dudao.audit.chain import verify_chain
from dudao.audit.models import AuditEvent
from dudao.core.enums import UnitLevel
from dudao.core.errors import ValidationError
from dudao.org import queries
from dudao.org.models import Unit
from dudao.org.services import create_unit, move_unit, set_unit_active, update_unit


def codes(units) -> list[str]:
    """Codes sorted, so assertions do not depend on ids (subtrees come in path order)."""
    return sorted(u.code for u in units)


def test_subtree_is_the_unit_and_everything_below(session, org):
    assert codes(queries.subtree(session, org.company_a)) == ["A", "A1", "A1-1", "A1-2"]
    assert codes(queries.subtree(session, org.branch_b1)) == ["B1-1"]
    assert len(queries.subtree(session, org.group)) == 8


def test_within_several_subtrees_and_none(session, org):
    found = session.scalars(
        select(Unit).where(queries.within([org.unit_a1.path, org.unit_b1.path])).order_by(Unit.code)
    ).all()
    assert codes(found) == ["A1", "A1-1", "A1-2", "B1", "B1-1"]
    assert session.scalars(select(Unit).where(queries.within([]))).all() == []


def test_a_path_prefix_does_not_leak_into_a_unit_with_a_longer_id(session, org):
    # Roots with ids 1 and 10..12 share the text prefix "/1"; the trailing slash keeps them apart.
    roots = [create_unit(session, None, f"R{i}", f"r{i}", UnitLevel.GROUP) for i in range(4)]
    session.commit()
    assert org.group.path == "/1/" and roots[-1].path == "/12/"
    assert "R3" not in codes(queries.subtree(session, org.group))
    assert codes(queries.subtree(session, roots[-1])) == ["R3"]


def test_children_and_ancestors(session, org):
    everything = [org.group.path]
    assert codes(queries.children(session, org.unit_a1, everything)) == ["A1-1", "A1-2"]
    assert codes(queries.children(session, None, everything)) == ["G"]
    assert codes(queries.children(session, org.group, [org.company_b.path])) == ["B"]
    assert [u.code for u in queries.ancestors(session, org.branch_a1)] == ["G", "A", "A1"]


def test_move_rewrites_the_whole_subtree(session, org):
    move_unit(session, None, org.unit_a1, org.company_b)
    session.commit()
    session.expire_all()
    assert codes(queries.subtree(session, org.company_b)) == [
        "A1",
        "A1-1",
        "A1-2",
        "B",
        "B1",
        "B1-1",
    ]
    assert codes(queries.subtree(session, org.company_a)) == ["A"]
    branch = session.get(Unit, org.branch_a1.id)
    assert branch.path == f"{org.company_b.path}{org.unit_a1.id}/{branch.id}/"
    assert branch.depth == 3
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.action == "unit.move"
    assert (event.before["parent"], event.after["parent"]) == ("A", "B")


def test_move_to_another_depth_shifts_depths(session, org):
    move_unit(session, None, org.branch_a1, org.group)
    move_unit(session, None, org.company_b, None)
    session.commit()
    session.expire_all()
    assert session.get(Unit, org.branch_a1.id).depth == 1
    assert session.get(Unit, org.company_b.id).path == f"/{org.company_b.id}/"
    assert session.get(Unit, org.branch_b1.id).depth == 2
    assert verify_chain(session) == []


def test_move_into_own_subtree_is_refused(session, org):
    with pytest.raises(ValidationError, match="inside the unit being moved"):
        move_unit(session, None, org.company_a, org.branch_a1)
    with pytest.raises(ValidationError, match="cannot be its own parent"):  # not "inside itself"
        move_unit(session, None, org.company_a, org.company_a)


def test_move_to_the_same_parent_writes_nothing(session, org):
    before = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    move_unit(session, None, org.unit_a1, org.company_a)
    after = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    assert before == after


def test_deactivate_keeps_the_unit_and_is_audited_once(session, org):
    set_unit_active(session, None, org.branch_b1, False)
    set_unit_active(session, None, org.branch_b1, False)
    session.commit()
    assert codes(queries.subtree(session, org.company_b, include_inactive=False)) == ["B", "B1"]
    assert codes(queries.subtree(session, org.company_b)) == ["B", "B1", "B1-1"]
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == str(org.branch_b1.id))
    ).all()
    assert [e.action for e in events] == ["unit.create", "unit.update"]
    assert (events[-1].before["active"], events[-1].after["active"]) == (True, False)


def test_update_without_a_change_writes_no_event(session, org):
    count = len(session.scalars(select(AuditEvent)).all())
    update_unit(session, None, org.unit_a1, name=org.unit_a1.name, tags=[])
    assert len(session.scalars(select(AuditEvent)).all()) == count


def test_units_in_tree_order_follow_codes_not_creation(session, org):
    """Ids in a path follow creation: HC03 created before HC01 sorted first by path."""
    late = create_unit(session, None, "0X", "零公司", UnitLevel.COMPANY, org.group)
    child = create_unit(session, None, "0X-1", "零一厂", UnitLevel.UNIT, late)
    ordered = [u.code for u in queries.in_tree_order(queries.subtree(session, org.group))]
    assert ordered.index("0X") < ordered.index("0X-1") < ordered.index("A") < ordered.index("B")
    assert ordered[0] == org.group.code and child.path > org.company_a.path  # made later
    for unit in queries.subtree(session, org.group):  # every unit after its parent
        if unit.parent_id is not None:
            parent = session.get(Unit, unit.parent_id)
            assert ordered.index(parent.code) < ordered.index(unit.code)
