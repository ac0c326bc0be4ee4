"""Reactivating undoes a deactivation as it was done: a unit whose units below went with
it offers, naming them, to bring them back too; units deactivated on their own stay
inactive (docs/org.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dudao.audit.models import AuditEvent
from dudao.org.models import Unit
from dudao.org.queries import by_code, deactivated_with
from dudao.org.services import move_unit, set_unit_active
from tests.org_import_world import HEADER, csv_bytes, run


def audit_count(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent))


def active(session, *units) -> list[bool]:
    session.expire_all()
    return [session.get(Unit, unit.id).active for unit in units]


@pytest.fixture
def admin(org, signed_in):
    return signed_in("root", ("admin", org.group))


def test_units_deactivated_with_a_unit_come_back_with_it(session, org):
    set_unit_active(session, None, org.branch_a2, False)  # on its own, first
    set_unit_active(session, None, org.unit_a1, False, with_subtree=True)  # takes A1-1
    assert [u.code for u in deactivated_with(session, org.unit_a1)] == ["A1-1"]
    before = audit_count(session)
    set_unit_active(session, None, org.unit_a1, True, with_subtree=True)
    assert active(session, org.unit_a1, org.branch_a1, org.branch_a2) == [True, True, False]
    assert audit_count(session) == before + 2  # one event per unit
    assert session.get(Unit, org.unit_a1.id).deactivated_at is None


def test_a_unit_brought_back_alone_leaves_the_units_below_to_come_back_with_theirs(session, org):
    set_unit_active(session, None, org.company_a, False, with_subtree=True)
    assert [u.code for u in deactivated_with(session, org.company_a)] == ["A1", "A1-1", "A1-2"]
    set_unit_active(session, None, org.company_a, True)
    assert active(session, org.company_a, org.unit_a1, org.branch_a1) == [True, False, False]
    # A1 went with A, and its branches with it: reactivating A1 offers them.
    assert [u.code for u in deactivated_with(session, org.unit_a1)] == ["A1-1", "A1-2"]


def test_a_unit_that_went_along_but_now_lies_under_one_that_did_not_stays(session, org):
    set_unit_active(session, None, org.unit_b1, False, with_subtree=True)
    set_unit_active(session, None, org.company_a, False, with_subtree=True)
    move_unit(session, None, org.unit_b1, org.company_a)  # inactive units may move
    move_unit(session, None, org.branch_a1, org.unit_b1)
    assert [u.code for u in deactivated_with(session, org.company_a)] == ["A1", "A1-2"]
    set_unit_active(session, None, org.company_a, True, with_subtree=True)
    assert active(session, org.unit_a1, org.branch_a2, org.branch_a1, org.unit_b1) == [
        True,
        True,
        False,
        False,
    ]


def test_the_page_asks_naming_the_units_that_went_with_it(admin, org, session):
    admin.post(f"/units/{org.unit_a1.id}/active", data={"active": "0", "with_subtree": "1"})
    asked = admin.post(f"/units/{org.unit_a1.id}/active", data={"active": "1"})
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "其下有 2 个单位与它一同停用" in page
    assert page.count("甲一厂第一党支部") == page.count("甲一厂第二党支部") == 1
    assert "重新启用 甲一厂 及其下 2 个单位" in page and "只重新启用 甲一厂" in page
    assert active(session, org.unit_a1) == [False]  # asking changes nothing

    done = admin.post(f"/units/{org.unit_a1.id}/active", data={"active": "1", "with_subtree": "1"})
    assert done.status_code == 302
    assert active(session, org.unit_a1, org.branch_a1, org.branch_a2) == [True, True, True]
    # The message says how many came back with it, in the reader's language.
    said = admin.get(f"/units/{org.unit_a1.id}").get_data(as_text=True)
    assert "已重新启用 甲一厂 及其下 2 个单位。" in said
    before = audit_count(session)
    admin.post(f"/units/{org.unit_a1.id}/active", data={"active": "1", "with_subtree": "1"})
    assert audit_count(session) == before  # a double click changes nothing


def test_the_page_reactivates_the_unit_alone_when_asked_to(admin, org, session):
    admin.post(f"/units/{org.unit_a1.id}/active", data={"active": "0", "with_subtree": "1"})
    alone = admin.post(f"/units/{org.unit_a1.id}/active", data={"active": "1", "with_subtree": "0"})
    assert active(session, org.unit_a1, org.branch_a1, org.branch_a2) == [True, False, False]
    assert "已重新启用。" in admin.get(alone.location).get_data(as_text=True)
    # A branch that went alone comes back at once: there is nothing to ask.
    direct = admin.post(f"/units/{org.branch_a1.id}/active", data={"active": "1"})
    assert direct.status_code == 302
    assert active(session, org.branch_a1) == [True]
    # A1 goes again, taking A1-1 only (A1-2 stayed inactive on its own): one comes back.
    admin.post(f"/units/{org.unit_a1.id}/active", data={"active": "0", "with_subtree": "1"})
    admin.post("/lang", data={"lang": "en"})
    admin.post(f"/units/{org.unit_a1.id}/active", data={"active": "1", "with_subtree": "1"})
    said = admin.get(f"/units/{org.unit_a1.id}").get_data(as_text=True)
    assert "Reactivated 甲一厂 and the 1 unit below it." in said


def test_a_unit_under_an_inactive_one_says_why_instead_of_offering(admin, org, session):
    admin.post(f"/units/{org.unit_a1.id}/active", data={"active": "0", "with_subtree": "1"})
    page = admin.get(f"/units/{org.branch_a1.id}").get_data(as_text=True)
    assert 'name="active" value="1"' not in page
    said = "甲一厂第一党支部 的上级单位 甲一厂 已停用，在此之前不能重新启用它。"
    link = f'<a href="/units/{org.unit_a1.id}">先重新启用 甲一厂</a>'
    assert f'<p class="notice" id="reactivation-waits">{said}{link}</p>' in page
    assert 'name="active" value="1"' in admin.get(f"/units/{org.unit_a1.id}").get_data(as_text=True)


def test_an_admin_below_the_inactive_unit_is_told_who_can_reactivate_it(org, signed_in, session):
    set_unit_active(session, None, org.company_a, False, with_subtree=True)
    session.commit()
    admin_a1 = signed_in("admin_a1", ("admin", org.unit_a1))
    admin_a1.post("/lang", data={"lang": "en", "next": "/"})
    page = admin_a1.get(f"/units/{org.unit_a1.id}").get_data(as_text=True)
    assert 'name="active" value="1"' not in page
    assert (
        "甲一厂 cannot be reactivated while the unit above it, 甲公司, is inactive. Only an "
        "administrator of 甲公司 can reactivate it.</p>"
    ) in page


def test_the_units_a_file_deactivates_went_together(session, org):
    set_unit_active(session, None, org.branch_a2, False)  # on its own, before the file
    header = HEADER + ",active"
    lines = ["A1,甲一厂,A,unit,否", "A1-1,一,A1,branch,否", "B1-1,乙,B1,branch,否"]
    assert run(session, csv_bytes(header, *lines)).ok
    assert [u.code for u in deactivated_with(session, by_code(session, "A1"))] == ["A1-1"]
