"""The org tree's two rules (docs/org.md) wherever a unit gets a parent, a level or its
active flag: levels below their parent's, no active unit under an inactive one. Each
refusal names the units and changes nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from dudao.audit.models import AuditEvent
from dudao.core.enums import UnitLevel
from dudao.core.errors import ValidationError
from dudao.org.models import Unit
from dudao.org.queries import by_code
from dudao.org.services import create_unit, move_unit, set_unit_active, update_unit
from tests.org_import_world import HEADER, csv_bytes, rejected, run


def audit_count(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.fixture
def admin(org, signed_in):
    return signed_in("root", ("admin", org.group))


def test_moving_a_unit_under_a_branch_is_refused_naming_both_levels(admin, org, session):
    before = audit_count(session)
    response = admin.post(f"/units/{org.unit_a1.id}/move", data={"parent_code": "B1-1"})
    assert response.status_code == 422
    said = (
        "A1 甲一厂（单位）不能隶属于 B1-1 乙一厂第一党支部（党支部）：单位的层级须低于其上级"
        "单位（自上而下：集团、公司、单位、党支部）"
    )
    assert f'<p class="field-error" id="parent_code-error">{said}</p>' in response.get_data(
        as_text=True
    )
    session.expire_all()
    assert session.get(Unit, org.unit_a1.id).parent_id == org.company_a.id
    assert audit_count(session) == before
    # A unit under a unit of the same level is refused too; skipping a level is not.
    same = r"A 甲公司 \(Company\) cannot be under B 乙公司 \(Company\)"
    with pytest.raises(ValidationError, match=same):
        move_unit(session, None, org.company_a, org.company_b)
    move_unit(session, None, org.branch_a1, org.company_b)
    assert org.branch_a1.parent_id == org.company_b.id


def test_a_new_unit_must_be_below_its_parent(admin, org, session):
    data = {"code": "A9", "name": "倒挂公司", "level": "company"}
    response = admin.post(f"/units/{org.unit_a1.id}/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="level-error">A9 倒挂公司（公司）不能隶属于 A1 甲一厂（单位）' in page
    assert by_code(session, "A9") is None
    ok = admin.post(f"/units/{org.company_a.id}/new", data=data | {"level": "branch"})
    assert ok.status_code == 302  # a branch directly under a company skips a level: allowed
    group = r"X X \(Group\) cannot be under G 示例集团 \(Group\)"
    with pytest.raises(ValidationError, match=group):
        create_unit(session, None, "X", "X", UnitLevel.GROUP, org.group)


def test_a_branch_or_an_inactive_unit_offers_no_new_unit_below(admin, org, session):
    page = admin.get(f"/units/{org.branch_a1.id}").get_data(as_text=True)
    assert f"/units/{org.branch_a1.id}/new" not in page
    refused = admin.get(f"/units/{org.branch_a1.id}/new", follow_redirects=True)
    assert "党支部是最低层级，其下不能再新建单位。" in refused.get_data(as_text=True)
    set_unit_active(session, None, org.branch_b1, False)
    set_unit_active(session, None, org.unit_b1, False)
    session.commit()
    assert f"/units/{org.unit_b1.id}/new" not in admin.get(f"/units/{org.unit_b1.id}").get_data(
        as_text=True
    )
    with pytest.raises(ValidationError, match="cannot be active under B1 乙一厂, which is"):
        create_unit(session, None, "B1-9", "新支部", UnitLevel.BRANCH, org.unit_b1)


def test_changing_a_level_is_checked_against_parent_and_units_below(admin, org, session):
    response = admin.post(
        f"/units/{org.unit_a1.id}/edit", data={"name": "甲一厂", "level": "branch"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        'id="level-error">A1 甲一厂 不能改为党支部：其直属下级中有 2 个单位的层级不低于党支部'
        "（A1-1 甲一厂第一党支部（党支部）；A1-2 甲一厂第二党支部（党支部））</p>"
    ) in page
    up = admin.post(f"/units/{org.unit_a1.id}/edit", data={"name": "甲一厂", "level": "group"})
    assert up.status_code == 422 and "不能隶属于 A 甲公司（公司）" in up.get_data(as_text=True)
    session.expire_all()
    assert session.get(Unit, org.unit_a1.id).level is UnitLevel.UNIT
    update_unit(session, None, org.unit_a1, level=UnitLevel.UNIT, name="甲一厂（新）")  # no change


def test_deactivating_a_unit_with_active_units_below_asks_first(admin, org, session):
    before = audit_count(session)
    asked = admin.post(f"/units/{org.unit_a1.id}/active", data={"active": "0"})
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "停用它将同时停用其下 2 个启用中的单位。" in page
    assert page.count("甲一厂第一党支部") == page.count("甲一厂第二党支部") == 1  # listed once
    assert "未完成的检查和整改保持不变" in page
    assert 'name="with_subtree" value="1"' in page and "停用 甲一厂 及其下 2 个单位" in page
    session.expire_all()
    assert session.get(Unit, org.unit_a1.id).active and audit_count(session) == before

    done = admin.post(f"/units/{org.unit_a1.id}/active", data={"active": "0", "with_subtree": "1"})
    assert done.status_code == 302
    session.expire_all()
    for unit in (org.unit_a1, org.branch_a1, org.branch_a2):
        assert session.get(Unit, unit.id).active is False
    assert audit_count(session) == before + 3

    # Reactivation goes from the top down: a branch under an inactive unit stays inactive.
    refused = admin.post(
        f"/units/{org.branch_a1.id}/active", data={"active": "1"}, follow_redirects=True
    )
    said = "A1-1 甲一厂第一党支部 不能以启用状态隶属于已停用的 A1 甲一厂"
    assert said in refused.get_data(as_text=True)
    session.expire_all()
    assert session.get(Unit, org.branch_a1.id).active is False
    admin.post(f"/units/{org.unit_a1.id}/active", data={"active": "1", "with_subtree": "0"})
    session.expire_all()
    assert session.get(Unit, org.unit_a1.id).active
    assert not session.get(Unit, org.branch_a1.id).active  # it alone, as asked


def test_an_active_unit_cannot_move_under_an_inactive_one(session, org):
    set_unit_active(session, None, org.branch_b1, False)
    set_unit_active(session, None, org.unit_b1, False)
    with pytest.raises(ValidationError, match=r"A1-1 .* cannot be active under B1 乙一厂"):
        move_unit(session, None, org.branch_a1, org.unit_b1)
    below = r"A 甲公司 has 3 active units below it \(A1 甲一厂; A1-1"
    with pytest.raises(ValidationError, match=below):
        set_unit_active(session, None, org.company_a, False, with_subtree=False)


# The import checks the tree as it will be after the whole file.


def test_an_import_that_inverts_the_levels_is_refused_row_by_row(session, org):
    lines = ["ZC,倒挂公司,A1-1,company", "ZG,倒挂集团,ZC,group", "OK,好支部,A,branch"]
    data = csv_bytes(HEADER, *lines)
    for dry_run in (True, False):
        problems = rejected(session, data, dry_run=dry_run)
        assert [(row, column) for row, column, _ in problems] == [(2, "level"), (3, "level")]
        assert problems[0][2] == (
            "ZC 倒挂公司 (Company) cannot be under A1-1 甲一厂第一党支部 (Party branch): a unit's "
            "level must be below its parent's (from the top: group, company, unit, party branch)"
        )
        assert "ZG 倒挂集团 (Group) cannot be under ZC 倒挂公司 (Company)" in problems[1][2]


def test_an_import_that_changes_a_level_checks_the_units_it_leaves_below(session, org):
    problems = rejected(session, csv_bytes(HEADER, "A1,甲一厂,A,branch"))
    assert [(r, c) for r, c, _ in problems] == [(2, "level")]
    assert "A1 甲一厂 cannot be a Party branch: 2 units directly below it" in problems[0][2]
    # The same file with the branches moved away is fine: the tree after the file counts.
    report = run(
        session, csv_bytes(HEADER, "A1,甲一厂,A,branch", "A1-1,一,A,branch", "A1-2,二,A,branch")
    )
    assert report.ok, [str(p) for p in report.errors]
    assert by_code(session, "A1").level is UnitLevel.BRANCH


def test_an_import_keeps_no_active_unit_under_an_inactive_one(session, org):
    header = HEADER + ",active"
    problems = rejected(session, csv_bytes(header, "A1,甲一厂,A,unit,否", "A1-9,新支部,A1,branch,"))
    assert [(r, c) for r, c, _ in problems] == [(2, "active"), (3, "active")]
    assert "A1 甲一厂 has 2 active units below it (A1-1 甲一厂第一党支部; A1-2" in problems[0][2]
    assert "A1-9 新支部 cannot be active under A1 甲一厂, which is inactive" in problems[1][2]
    lines = ["A1,甲一厂,A,unit,否", "A1-1,一,A1,branch,否", "A1-2,二,A1,branch,否"]
    assert run(session, csv_bytes(header, *lines)).ok
    assert not by_code(session, "A1-2").active
    # Reactivating a unit whose parent the same file reactivates is fine, in any row order.
    assert run(session, csv_bytes(header, "A1-1,一,A1,branch,是", "A1,甲一厂,A,unit,是")).ok


def test_the_import_page_shows_the_rule_in_the_readers_language(client, org, signed_in):
    signed_in("root", ("admin", org.group))
    data = csv_bytes(HEADER, "ZC,倒挂公司,A1-1,company")
    form = {"file": (io.BytesIO(data), "org.csv"), "dry_run": "y"}
    response = client.post("/units/import", data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "ZC 倒挂公司（公司）不能隶属于 A1-1 甲一厂第一党支部（党支部）" in page
    assert "无误" not in page
