"""Org admin pages: unit details, create a child, edit, move, deactivate/reactivate, scope."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from dudao.audit.models import AuditEvent
from dudao.org.models import Unit
from dudao.org.queries import by_code


def audit_count(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.fixture
def admin(org, signed_in):
    return signed_in("root", ("admin", org.group))


@pytest.fixture
def admin_a(org, signed_in):
    """An administrator granted on company A only."""
    return signed_in("admin_a", ("admin", org.company_a))


def test_unit_page_shows_details_children_and_actions(admin, org, session):
    from dudao.org.services import update_unit

    update_unit(session, None, org.unit_a1, tags=["安全", "生产"], headcount=321)
    session.commit()
    page = admin.get(f"/units/{org.unit_a1.id}").get_data(as_text=True)
    for text in ("甲一厂", "A1", "安全", "生产", "321", "A1-1", "A1-2"):
        assert text in page
    assert f"/units/{org.unit_a1.id}/edit" in page
    assert f"/units/{org.unit_a1.id}/move" in page


def test_viewer_sees_details_but_no_admin_actions(org, signed_in):
    client = signed_in("lead", ("unit_lead", org.company_a))
    page = client.get(f"/units/{org.unit_a1.id}").get_data(as_text=True)
    assert "A1-1" in page and f"/units/{org.unit_a1.id}/edit" not in page
    assert client.get(f"/units/{org.unit_a1.id}/edit").status_code == 403
    assert client.post(f"/units/{org.unit_a1.id}/active").status_code == 403


def test_create_child_unit(admin, org, session):
    response = admin.post(
        f"/units/{org.unit_a1.id}/new",
        data={
            "code": "A1-3",
            "name": "甲一厂第三党支部",
            "name_en": "Branch 3",
            "level": "branch",
            "tags": "新；试点, 重点",
            "headcount": "12",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    created = by_code(session, "A1-3")
    assert created.parent_id == org.unit_a1.id and created.path.startswith(org.unit_a1.path)
    assert created.tags == ["新", "试点", "重点"] and created.headcount == 12
    assert response.headers["Location"].endswith(f"/units/{created.id}")
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.actor_name) == ("unit.create", "root")


@pytest.mark.parametrize(
    ("parent", "level"),
    [("group", "company"), ("company_a", "unit"), ("unit_a1", "branch")],
)
def test_a_new_unit_starts_one_level_below_its_parent(admin, org, parent, level):
    page = admin.get(f"/units/{getattr(org, parent).id}/new").get_data(as_text=True)
    assert re.search(rf'<option selected value="{level}">|<option value="{level}" selected>', page)
    assert page.count(" selected") == 1


def test_create_errors_rerender_beside_the_field(admin, org, session):
    before = audit_count(session)
    taken = admin.post(
        f"/units/{org.unit_a1.id}/new", data={"code": "B1", "name": "x", "level": "branch"}
    )
    assert taken.status_code == 422
    assert 'id="code-error"' in taken.get_data(as_text=True)
    empty = admin.post(
        f"/units/{org.unit_a1.id}/new",
        data={"code": "N", "name": "", "level": "branch", "headcount": "-2"},
    )
    page = empty.get_data(as_text=True)
    assert empty.status_code == 422
    assert 'id="name-error"' in page
    said = "须在 0 到 10000000 之间。"  # 0 is allowed
    assert f'<p class="field-error" id="headcount-error">{said}</p>' in page
    assert audit_count(session) == before
    assert by_code(session, "N") is None


def test_edit_unit(admin, org, session):
    form = admin.get(f"/units/{org.unit_b1.id}/edit").get_data(as_text=True)
    assert 'value="乙一厂"' in form
    response = admin.post(
        f"/units/{org.unit_b1.id}/edit",
        data={
            "name": "乙一厂（改）",
            "name_en": "",
            "level": "unit",
            "tags": "a;b",
            "headcount": "",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    unit = session.get(Unit, org.unit_b1.id)
    assert unit.name == "乙一厂（改）" and unit.tags == ["a", "b"] and unit.headcount is None
    untagged = admin.post(  # a form without the tags field keeps the unit's (it was a 500)
        f"/units/{org.unit_b1.id}/edit", data={"name": "乙一厂", "level": "unit"}
    )
    assert untagged.status_code == 302
    session.expire_all()
    assert session.get(Unit, org.unit_b1.id).tags == ["a", "b"]
    bad = admin.post(f"/units/{org.unit_b1.id}/edit", data={"name": "x", "level": "planet"})
    assert bad.status_code == 422 and 'id="level-error"' in bad.get_data(as_text=True)


def test_move_unit_with_its_subtree(admin, org, session):
    response = admin.post(f"/units/{org.unit_a1.id}/move", data={"parent_code": "B"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Unit, org.branch_a1.id).path == (
        f"{org.company_b.path}{org.unit_a1.id}/{org.branch_a1.id}/"
    )


def test_move_into_own_subtree_or_unknown_parent_is_refused(admin, org, session):
    before = audit_count(session)
    cycle = admin.post(f"/units/{org.company_a.id}/move", data={"parent_code": "A1-1"})
    assert cycle.status_code == 422 and 'id="parent_code-error"' in cycle.get_data(as_text=True)
    unknown = admin.post(f"/units/{org.company_a.id}/move", data={"parent_code": "NOPE"})
    assert unknown.status_code == 422
    session.expire_all()
    assert session.get(Unit, org.company_a.id).parent_id == org.group.id
    assert audit_count(session) == before


def test_deactivate_keeps_the_unit_and_marks_it(admin, org, session):
    response = admin.post(f"/units/{org.branch_a2.id}/active", data={"active": "0"})
    assert response.status_code == 302
    admin.post(f"/units/{org.branch_a2.id}/active", data={"active": "0"})  # a double click
    session.expire_all()
    assert session.get(Unit, org.branch_a2.id).active is False
    parent_page = admin.get(f"/units/{org.unit_a1.id}").get_data(as_text=True)
    assert "甲一厂第二党支部" in parent_page and 'class="inactive"' in parent_page
    assert admin.get(f"/units/{org.branch_a2.id}").status_code == 200
    assert 'name="active" value="1"' in admin.get(f"/units/{org.branch_a2.id}").get_data(
        as_text=True
    )
    admin.post(f"/units/{org.branch_a2.id}/active", data={"active": "1"})
    session.expire_all()
    assert session.get(Unit, org.branch_a2.id).active is True
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id == str(org.branch_a2.id))
    ).all()
    assert actions == ["unit.create", "unit.update", "unit.update"]


def test_admin_of_a_manages_only_a(admin_a, org, session):
    assert admin_a.get(f"/units/{org.unit_a1.id}/edit").status_code == 200
    for unit in (org.company_b, org.unit_b1, org.group):
        assert admin_a.get(f"/units/{unit.id}/edit").status_code == 404
        assert admin_a.get(f"/units/{unit.id}/move").status_code == 404
        assert admin_a.get(f"/units/{unit.id}/new").status_code == 404
        assert admin_a.post(f"/units/{unit.id}/active", data={"active": "0"}).status_code == 404
        assert admin_a.get(f"/units/{unit.id}").status_code == 404
    assert admin_a.get("/units/999999/edit").status_code == 404
    session.expire_all()
    assert session.get(Unit, org.company_b.id).active


def test_admin_of_a_cannot_move_a_unit_out_of_a(admin_a, org, session):
    response = admin_a.post(f"/units/{org.unit_a1.id}/move", data={"parent_code": "B"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="parent_code-error"' in page
    session.expire_all()
    assert session.get(Unit, org.unit_a1.id).parent_id == org.company_a.id
    ok = admin_a.post(f"/units/{org.branch_a1.id}/move", data={"parent_code": "A"})
    assert ok.status_code == 302


def test_units_page_offers_import_to_managers_only(admin, org, signed_in):
    assert "/units/import" in admin.get("/units").get_data(as_text=True)
