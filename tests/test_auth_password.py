"""Passwords: a user changes their own on /account; a password an administrator chose
must be changed at the next sign-in before any other page opens. (Weak ones on the
administration pages: test_auth_admin.py.)"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from tests.auth_world import NEW_PASSWORD, _user, make_app  # noqa: F401  (a fixture)
from tests.conftest import PASSWORD, sign_in

OWN_PASSWORD = "my very own secret"


def _change(client, current: str, new: str, confirm: str | None = None):
    data = {
        "current_password": current,
        "password": new,
        "confirm": new if confirm is None else confirm,
    }
    return client.post("/account", data=data)


def _events(session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _goes_to_account(response) -> bool:
    return response.status_code == 302 and "/account" in response.headers["Location"]


# --- the user's own change -----------------------------------------------------------


def test_the_header_names_the_user_and_links_to_their_account(signed_in, org):
    client = signed_in("lead", ("unit_lead", org.unit_a1))
    home = client.get("/").get_data(as_text=True)
    assert 'class="who" href="/account"' in home
    page = client.get("/account")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "修改密码" in text and 'name="current_password"' in text
    assert "password-first" not in text  # the notice is for temporary passwords only


@pytest.mark.parametrize(
    ("current", "new", "confirm", "fields", "words"),
    [
        ("wrong password", OWN_PASSWORD, OWN_PASSWORD, ["current_password"], "不是您的当前密码"),
        (PASSWORD, OWN_PASSWORD, "something else", ["confirm"], "与新密码不一致"),
        # Left empty: asked for, not called wrong (or left unsaid).
        ("", OWN_PASSWORD, OWN_PASSWORD, ["current_password"], "请输入当前密码"),
        (PASSWORD, OWN_PASSWORD, "", ["confirm"], "请再输入一次新密码"),
        (PASSWORD, "12345678", "12345678", ["password"], "不能是最常见的密码之一"),
        (PASSWORD, "Password", "Password", ["password"], "不能是最常见的密码之一"),
        (PASSWORD, "short", "short", ["password"], "至少 8 个字符"),
        (PASSWORD, "zhangwei", "zhangwei", ["password"], "不能与用户名相同"),
        (PASSWORD, PASSWORD, PASSWORD, ["password"], "不能与当前密码相同"),
        # Every problem of the submission at once, each beside its field.
        ("wrong", "aaaaaaaa", "x", ["current_password", "password", "confirm"], "重复组成"),
    ],
)
def test_a_refused_change_names_its_fields_and_changes_nothing(
    signed_in, session, org, current, new, confirm, fields, words
):
    client = signed_in("zhangwei", ("unit_lead", org.unit_a1))
    before = _user(session, "zhangwei").password_hash
    response = _change(client, current, new, confirm)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    named = [f for f in ("current_password", "password", "confirm") if f'id="{f}-error"' in page]
    assert named == fields
    assert words in page
    assert _user(session, "zhangwei").password_hash == before
    assert _events(session, "user.change_password") == []
    assert client.get("/units").status_code == 200  # still signed in


def test_every_broken_rule_is_named_at_once(signed_in, org):
    client = signed_in("lead", ("unit_lead", org.unit_a1))
    client.post("/lang", data={"lang": "en"})
    page = _change(client, PASSWORD, "1111").get_data(as_text=True)
    assert "at least 8 characters; not one character repeated" in page


def test_the_new_password_replaces_the_old_and_other_sessions_end(signed_in, session, org, app):
    client = signed_in("lead", ("unit_lead", org.unit_a1))
    elsewhere = app.test_client()
    assert sign_in(elsewhere, "lead").status_code == 302
    response = _change(client, PASSWORD, OWN_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/units").status_code == 200  # this session goes on
    moved = elsewhere.get("/units")  # the other one ends, as after a reset
    assert moved.status_code == 302 and "/login" in moved.headers["Location"]
    assert sign_in(app.test_client(), "lead").status_code == 200  # the old one is refused
    assert sign_in(app.test_client(), "lead", OWN_PASSWORD).status_code == 302
    [event] = _events(session, "user.change_password")
    assert event.actor_name == "lead" and event.before is None and event.after is None
    assert PASSWORD not in repr(vars(event)) and OWN_PASSWORD not in repr(vars(event))


def test_a_remembered_device_stays_remembered(app, user_factory, org):
    user_factory("lead", ("unit_lead", org.unit_a1))
    browser = app.test_client()
    browser.post("/login", data={"username": "lead", "password": PASSWORD, "remember": "y"})
    assert _change(browser, PASSWORD, OWN_PASSWORD).status_code == 302
    closed = app.test_client()  # only the new remember-me cookie, as after closing the browser
    closed.set_cookie("remember_token", browser.get_cookie("remember_token").value)
    assert closed.get("/units").status_code == 200


def test_the_change_is_rate_limited_like_sign_in(make_app, user_factory, session, org):  # noqa: F811
    user_factory("lead", ("unit_lead", org.unit_a1))
    client = make_app().test_client()
    assert sign_in(client, "lead").status_code == 302
    statuses = [_change(client, "guess", OWN_PASSWORD).status_code for _ in range(10)]
    assert statuses == [422] * 10
    assert _change(client, PASSWORD, OWN_PASSWORD).status_code == 429  # even the right one
    assert sign_in(make_app().test_client(), "lead", OWN_PASSWORD).status_code == 200
    assert client.get("/account").status_code == 200  # only POSTs count


# --- a password an administrator chose -----------------------------------------------


def _reset_by_admin(signed_in, org, lead: User) -> None:
    admin = signed_in("admin_a", ("admin", org.company_a))
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert admin.post(f"/admin/users/{lead.id}/password", data=data).status_code == 302


def test_after_a_reset_the_user_must_change_it_before_anything_else(
    signed_in, user_factory, session, org, app
):
    lead = user_factory("lead_a", ("unit_lead", org.unit_a1))
    _reset_by_admin(signed_in, org, lead)
    assert _user(session, "lead_a").must_change_password
    client = app.test_client()
    assert sign_in(client, "lead_a", NEW_PASSWORD).status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/account"
    units = client.get(f"/units/{org.unit_a1.id}?tab=people")
    assert _goes_to_account(units)
    assert units.headers["Location"].endswith(f"/account?next=/units/{org.unit_a1.id}?tab%3Dpeople")
    posted = client.post("/notifications/read")
    assert _goes_to_account(posted) and "next" not in posted.headers["Location"]
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.get_json()["error"] == "forbidden"
    page = client.get("/account").get_data(as_text=True)
    assert 'id="password-first"' in page and 'class="mainnav"' not in page
    assert client.post("/lang", data={"lang": "en", "next": "/account"}).status_code == 302

    done = client.post(
        f"/account?next=/units/{org.unit_a1.id}",
        data={"current_password": NEW_PASSWORD, "password": OWN_PASSWORD, "confirm": OWN_PASSWORD},
    )
    assert done.status_code == 302 and done.headers["Location"] == f"/units/{org.unit_a1.id}"
    assert client.get(f"/units/{org.unit_a1.id}").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert not _user(session, "lead_a").must_change_password
    [event] = _events(session, "user.change_password")
    assert event.before == {"must_change_password": True}
    assert event.after == {"must_change_password": False}


def test_sign_out_still_works_before_the_change(signed_in, user_factory, org, app):
    lead = user_factory("lead_a", ("unit_lead", org.unit_a1))
    _reset_by_admin(signed_in, org, lead)
    client = app.test_client()
    sign_in(client, "lead_a", NEW_PASSWORD)
    assert _goes_to_account(client.get("/units"))
    out = client.post("/logout")
    assert out.status_code == 302 and out.headers["Location"] == "/login"
    assert "/login" in client.get("/units").headers["Location"]


def test_an_account_made_on_the_page_changes_its_password_first(signed_in, session, org, app):
    admin = signed_in("admin_a", ("admin", org.company_a))
    data = {"username": "wang", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "locale": ""}
    assert admin.post("/admin/users/new", data=data).status_code == 302
    created = _user(session, "wang")
    assert created.must_change_password
    assert 'class="tag warn"' in admin.get(f"/admin/users/{created.id}").get_data(as_text=True)
    client = app.test_client()
    assert sign_in(client, "wang", NEW_PASSWORD).status_code == 302
    assert _goes_to_account(client.get("/notifications"))


def test_accounts_the_system_makes_are_not_forced(client, user_factory, session, org):
    """The test fixtures' accounts, like the demo's and the command line's (see
    test_demo_data and test_auth_commands), keep their password."""
    user_factory("lead", ("unit_lead", org.unit_a1))
    assert not _user(session, "lead").must_change_password
    sign_in(client, "lead")
    assert client.get("/").status_code == 200
