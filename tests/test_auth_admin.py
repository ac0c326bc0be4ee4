"""Account administration pages: scoped to the admin's subtree, audited, weak passwords refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.core.enums import Role
from tests.auth_world import NEW_PASSWORD, _user
from tests.conftest import sign_in


def _events(session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- pages ----------------------------------------------------------------------------


def test_list_shows_accounts_in_scope_with_their_grants(signed_in, user_factory, org):
    user_factory("lead_a", ("unit_lead", org.unit_a1))
    user_factory("lead_b", ("unit_lead", org.unit_b1))
    user_factory("fresh")
    user_factory("both", ("inspector", org.branch_a1), ("inspector", org.branch_b1))
    client = signed_in("admin_a", ("admin", org.company_a))
    page = client.get("/admin/users").get_data(as_text=True)
    assert "lead_a" in page and org.unit_a1.name in page
    assert "fresh" in page  # no grant yet: visible to every account administrator
    assert "both" in page and org.branch_a1.name in page
    assert "lead_b" not in page
    assert org.branch_b1.name not in page  # grants elsewhere are counted, not named


def test_list_search(signed_in, user_factory, org):
    user_factory("zhang_san", ("unit_lead", org.unit_a1))
    user_factory("li_si", ("unit_lead", org.unit_a1))
    client = signed_in("admin_g", ("admin", org.group))
    page = client.get("/admin/users?q=zhang").get_data(as_text=True)
    assert "zhang_san" in page and "li_si" not in page
    assert "li_si" not in client.get("/admin/users?q=%25").get_data(as_text=True)


def test_create_account_through_the_page(signed_in, session, org):
    client = signed_in("admin_a", ("admin", org.company_a))
    data = {
        "username": "wang",
        "display_name": "王五",
        "email": "wang@example.com",
        "locale": "en",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 302
    created = _user(session, "wang")
    assert (created.display_name, created.email, created.locale) == (
        "王五",
        "wang@example.com",
        "en",
    )
    assert response.headers["Location"].endswith(f"/admin/users/{created.id}")
    [event] = _events(session, "user.create")[-1:]
    assert event.actor_name == "admin_a" and event.after["username"] == "wang"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"username": "admin_a"}, "username"),
        ({"username": "has space"}, "username"),
        ({"password": "short", "confirm": "short"}, "password"),
        ({"confirm": "something else"}, "confirm"),
        ({"email": "not-an-address"}, "email"),
        ({"locale": "fr"}, "locale"),
    ],
)
def test_create_account_errors_beside_the_field(signed_in, session, org, change, field):
    client = signed_in("admin_a", ("admin", org.company_a))
    data = {"username": "wang", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "locale": ""}
    count = session.scalar(select(func.count(User.id)))
    response = client.post("/admin/users/new", data={**data, **change})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert session.scalar(select(func.count(User.id))) == count


def test_account_page_and_profile_edit(signed_in, user_factory, session, org):
    lead = user_factory("lead_a", ("unit_lead", org.unit_a1))
    client = signed_in("admin_a", ("admin", org.company_a))
    page = client.get(f"/admin/users/{lead.id}").get_data(as_text=True)
    assert "lead_a" in page and org.unit_a1.code in page
    response = client.post(
        f"/admin/users/{lead.id}",
        data={"display_name": "Lead of A1", "email": "lead@example.com", "locale": "zh_CN"},
    )
    assert response.status_code == 302
    changed = _user(session, "lead_a")
    assert (changed.display_name, changed.email, changed.locale) == (
        "Lead of A1",
        "lead@example.com",
        "zh_CN",
    )
    [event] = _events(session, "user.update")
    assert event.before["display_name"] == "Lead_A" and event.after["email"] == "lead@example.com"
    bad = client.post(f"/admin/users/{lead.id}", data={"email": "nope", "locale": ""})
    assert bad.status_code == 422 and 'id="email-error"' in bad.get_data(as_text=True)
    assert _user(session, "lead_a").email == "lead@example.com"


def test_reset_password(signed_in, user_factory, session, org, app):
    lead = user_factory("lead_a", ("unit_lead", org.unit_a1))
    client = signed_in("admin_a", ("admin", org.company_a))
    mismatch = client.post(
        f"/admin/users/{lead.id}/password", data={"password": NEW_PASSWORD, "confirm": "x"}
    )
    assert mismatch.status_code == 422 and 'id="confirm-error"' in mismatch.get_data(as_text=True)
    response = client.post(
        f"/admin/users/{lead.id}/password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert len(_events(session, "user.set_password")) == 1
    other = app.test_client()
    assert sign_in(other, "lead_a").status_code == 200  # old password refused
    assert sign_in(other, "lead_a", NEW_PASSWORD).status_code == 302


def test_grant_and_revoke_through_the_pages(signed_in, user_factory, session, org):
    target = user_factory("fresh")
    client = signed_in("admin_a", ("admin", org.company_a))
    response = client.post(
        f"/admin/users/{target.id}/grants", data={"role": "inspector", "unit_code": "A1"}
    )
    assert response.status_code == 302
    [grant] = _user(session, "fresh").grants
    assert (grant.role, grant.unit.code) == (Role.INSPECTOR, "A1")
    assert _events(session, "grant.create")[-1].after == {"role": "inspector", "unit": "A1"}

    for code in ("B1", "NOPE", "G"):  # outside the admin's subtree, unknown, above it
        refused = client.post(
            f"/admin/users/{target.id}/grants", data={"role": "admin", "unit_code": code}
        )
        assert refused.status_code == 422
        assert 'id="unit_code-error"' in refused.get_data(as_text=True)
    assert len(_user(session, "fresh").grants) == 1
    page = client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    assert 'data-confirm="确定取消 ' in page  # site.js asks before removing a role
    assert 'data-confirm="确定停用 ' in page  # and before deactivating the account

    response = client.post(f"/admin/users/{target.id}/grants/{grant.id}/revoke")
    assert response.status_code == 302
    assert _user(session, "fresh").grants == []
    assert _events(session, "grant.delete")[-1].before == {"role": "inspector", "unit": "A1"}


def test_deactivate_stops_sign_in_and_open_sessions(signed_in, user_factory, session, org, app):
    lead = user_factory("lead_a", ("unit_lead", org.unit_a1))
    lead_client = app.test_client()
    assert sign_in(lead_client, "lead_a").status_code == 302
    assert lead_client.get("/units").status_code == 200

    admin = signed_in("admin_a", ("admin", org.company_a))
    assert admin.post(f"/admin/users/{lead.id}/active", data={"active": "0"}).status_code == 302
    assert _user(session, "lead_a").active is False
    [event] = _events(session, "user.update")
    assert (event.before["active"], event.after["active"]) == (True, False)

    stale = lead_client.get("/units")
    assert stale.status_code == 302 and "/login" in stale.headers["Location"]
    assert sign_in(app.test_client(), "lead_a").status_code == 200  # refused

    assert admin.post(f"/admin/users/{lead.id}/active", data={"active": "1"}).status_code == 302
    assert sign_in(app.test_client(), "lead_a").status_code == 302


def test_admin_cannot_deactivate_themselves(signed_in, session, org):
    client = signed_in("admin_a", ("admin", org.company_a))
    me = _user(session, "admin_a")
    page = client.get(f"/admin/users/{me.id}").get_data(as_text=True)
    assert 'name="active" value="0"' not in page  # no button to do it
    client.post(f"/admin/users/{me.id}/active", data={"active": "0"})
    assert _user(session, "admin_a").active is True
    assert client.get("/admin/users").status_code == 200


def test_out_of_scope_accounts_are_not_found(signed_in, user_factory, session, org):
    lead_b = user_factory("lead_b", ("unit_lead", org.unit_b1))
    grant_b = lead_b.grants[0].id
    client = signed_in("admin_a", ("admin", org.company_a))
    assert client.get(f"/admin/users/{lead_b.id}").status_code == 404
    assert client.get("/admin/users/999999").status_code == 404
    for url, data in [
        (f"/admin/users/{lead_b.id}", {"display_name": "x", "locale": ""}),
        (f"/admin/users/{lead_b.id}/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
        (f"/admin/users/{lead_b.id}/active", {"active": "0"}),
        (f"/admin/users/{lead_b.id}/grants", {"role": "admin", "unit_code": "A"}),
        (f"/admin/users/{lead_b.id}/grants/{grant_b}/revoke", {}),
    ]:
        assert client.post(url, data=data).status_code == 404, url
    after = _user(session, "lead_b")
    assert after.active and after.display_name == "Lead_B" and len(after.grants) == 1


def test_account_reaching_outside_scope_is_visible_but_not_taken_over(
    signed_in, user_factory, session, org
):
    both = user_factory("both", ("inspector", org.branch_a1), ("admin", org.group))
    inside, outside = sorted(both.grants, key=lambda g: g.unit.depth, reverse=True)
    client = signed_in("admin_a", ("admin", org.company_a))
    page = client.get(f"/admin/users/{both.id}")
    assert page.status_code == 200 and org.group.name not in page.get_data(as_text=True)
    for url, data in [
        (f"/admin/users/{both.id}", {"display_name": "x", "locale": ""}),
        (f"/admin/users/{both.id}/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
        (f"/admin/users/{both.id}/active", {"active": "0"}),
    ]:
        assert client.post(url, data=data).status_code == 403, url
    assert client.post(f"/admin/users/{both.id}/grants/{outside.id}/revoke").status_code == 404
    assert client.post(f"/admin/users/{both.id}/grants/{inside.id}/revoke").status_code == 302
    after = _user(session, "both")
    assert after.active and [g.unit.code for g in after.grants] == ["G"]
    assert sign_in(client.application.test_client(), "both").status_code == 302


def test_pages_need_manage_users(signed_in, user_factory, org):
    lead = user_factory("lead_a", ("unit_lead", org.unit_a1))
    client = signed_in("office_a", ("office", org.company_a))
    assert client.get("/admin/users").status_code == 403
    assert client.get(f"/admin/users/{lead.id}").status_code == 403
    assert client.post("/admin/users/new", data={"username": "x"}).status_code == 403


def test_grant_needs_a_chosen_role(signed_in, user_factory, session, org):
    target = user_factory("fresh")
    client = signed_in("admin_a", ("admin", org.company_a))
    page = client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    assert '<option selected value="">' in page or '<option value="" selected>' in page
    refused = client.post(f"/admin/users/{target.id}/grants", data={"role": "", "unit_code": "A1"})
    assert refused.status_code == 422 and 'id="role-error"' in refused.get_data(as_text=True)
    assert _user(session, "fresh").grants == []


# --- weak passwords ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("12345678", "不能是最常见的密码之一"),
        ("password", "不能是最常见的密码之一"),
        ("88888888", "不能由同一个字符重复组成"),
        ("wang_wei", "不能与用户名相同"),
    ],
)
def test_the_admin_pages_refuse_weak_passwords(
    signed_in, user_factory, session, org, password, words
):
    lead = user_factory("wang_wei", ("unit_lead", org.unit_a1))
    admin = signed_in("admin_a", ("admin", org.company_a))
    before = _user(session, "wang_wei").password_hash
    reset = admin.post(
        f"/admin/users/{lead.id}/password", data={"password": password, "confirm": password}
    )
    assert reset.status_code == 422
    page = reset.get_data(as_text=True)
    assert 'id="password-error"' in page and words in page
    assert _user(session, "wang_wei").password_hash == before

    count = session.scalar(select(func.count(User.id)))
    # The username rule in other letters: "Wang_Wei" may not have the password "wang_wei".
    username = "Wang_Wei" if password == "wang_wei" else "li_ming"
    data = {"username": username, "password": password, "confirm": password, "locale": ""}
    created = admin.post("/admin/users/new", data=data)
    assert created.status_code == 422
    assert 'id="password-error"' in created.get_data(as_text=True)
    assert session.scalar(select(func.count(User.id))) == count
    assert _events(session, "user.set_password") == []


def test_a_weak_password_and_a_differing_repeat_show_together(signed_in, user_factory, org):
    lead = user_factory("lead_a", ("unit_lead", org.unit_a1))
    admin = signed_in("admin_a", ("admin", org.company_a))
    response = admin.post(
        f"/admin/users/{lead.id}/password", data={"password": "password", "confirm": "x"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="password-error"' in page and 'id="confirm-error"' in page
