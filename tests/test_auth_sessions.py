"""Signed-in sessions: a password reset ends them everywhere; the account each request reads."""

from __future__ import annotations

import re

from dudao.core.enums import Role
from tests.auth_world import NEW_PASSWORD, make_app  # noqa: F401
from tests.conftest import PASSWORD


def test_password_reset_signs_the_account_out_everywhere(signed_in, user_factory, app, org):
    lead = user_factory("lead_a", ("unit_lead", org.unit_a1))
    browser = app.test_client()
    browser.post("/login", data={"username": "lead_a", "password": PASSWORD, "remember": "y"})
    remembered = app.test_client()  # only the remember-me cookie, as after closing the browser
    remembered.set_cookie("remember_token", browser.get_cookie("remember_token").value)
    assert browser.get("/units").status_code == 200
    assert remembered.get("/units").status_code == 200

    admin = signed_in("admin_a", ("admin", org.company_a))
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert admin.post(f"/admin/users/{lead.id}/password", data=data).status_code == 302

    for client in (browser, remembered):
        response = client.get("/units")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert admin.get("/admin/users").status_code == 200  # the admin's own session is untouched


def test_a_forged_session_id_is_refused(app, user_factory):
    from dudao.auth.signed_in import signed_in
    from dudao.web.context import db

    user = user_factory("lead")
    assert signed_in(db(), user.get_id()) is not None
    for forged in (str(user.id), f"{user.id}-", f"{user.id}-0000000000000000", "x-y", ""):
        assert signed_in(db(), forged) is None, forged


def test_the_signed_in_account_carries_its_grants_and_units(app, org, user_factory):
    """What every request reads of the account: the same as the account's own rows."""
    from dudao.auth.signed_in import signed_in
    from dudao.web.context import db

    user = user_factory("both", ("office", org.company_a), ("inspector", org.branch_a1))
    seen = signed_in(db(), user.get_id())
    assert (seen.id, seen.username, seen.display_name, seen.get_id()) == (
        user.id, user.username, user.display_name, user.get_id(),
    )  # fmt: skip

    def rows(grants):
        return sorted((g.id, g.role, g.unit.id, g.unit.path, g.unit.code) for g in grants)

    assert [g.id for g in seen.grants] == sorted(g.id for g in user.grants)
    assert rows(seen.grants) == rows(user.grants) and len(seen.grants) == 2
    assert seen.roles == {Role.OFFICE, Role.INSPECTOR} and seen.is_authenticated
    loner = user_factory("loner")
    assert signed_in(db(), loner.get_id()).grants == ()


def test_signing_in_starts_a_new_session_keeping_the_language(make_app, user_factory):  # noqa: F811
    """A session cookie planted before sign-in (its CSRF secret known to whoever planted it)
    does not carry over: the signed-in session has a secret of its own."""
    user_factory("lead")
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    assert client.post("/lang", data={"lang": "en", "csrf_token": token}).status_code == 302
    with client.session_transaction() as before:
        planted = before["csrf_token"]
    signed = client.post("/login", data={"username": "lead", "password": PASSWORD,
                                         "csrf_token": token})  # fmt: skip
    assert signed.status_code == 302
    assert "Sign out" in client.get("/").get_data(as_text=True)  # still in English
    with client.session_transaction() as after:
        assert after["lang"] == "en" and after["csrf_token"] != planted
