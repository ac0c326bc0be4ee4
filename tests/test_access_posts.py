"""Every POST route refused to a role or outside its subtree changes nothing, and needs a
CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask, request_started
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import dudao.models  # noqa: F401  (every table, for the before/after snapshot)
from dudao.core.database import Base
from tests.access_world import (
    ANONYMOUS,
    IN,
    OUT,
    ROLES,
    allowed,
    is_login_redirect,
    permission_of,
    route_url,
    scoped,
    viewer_for,
    walked_rules,
    world,  # noqa: F401
)
from tests.conftest import PASSWORD, _fresh_request_globals, repeated_ids
from tests.survey_world import ROUTE_WALK_CODE

# Plausible form data for out-of-scope POSTs, so a view that parsed before it
# authorised would have something to act on.
POST_DATA = {
    "username": "intruder",
    "display_name": "Intruder",
    "name": "Intruder",
    "email": "intruder@example.com",
    "locale": "en",
    "password": "intruder-password",
    "confirm": "intruder-password",
    "role": "admin",
    "unit_code": "A",
    "code": "X-1",
    "parent_code": "A",
    "level": "branch",
    "active": "0",
    "lang": "en",
}


def _snapshot(session: Session) -> dict[str, list[tuple]]:
    session.expire_all()
    return {
        table.name: sorted(
            (tuple(map(repr, row)) for row in session.execute(select(table))), key=repr
        )
        for table in Base.metadata.sorted_tables
    }


# --- POST: refused out of scope, and nothing changes -------------------------------------------


@pytest.mark.parametrize("role", [ANONYMOUS, *ROLES])
def test_refused_posts_change_nothing(app, client, user_factory, world, session, role):  # noqa: F811
    viewer = viewer_for(client, user_factory, world, role)
    before = _snapshot(session)
    problems, tried = [], 0
    for rule in walked_rules(app):
        permission = permission_of(app, rule)
        if "POST" not in rule.methods or permission in (None, "signed_in"):
            continue
        if role == ANONYMOUS:
            side, expected = IN, "redirect to /login"
        elif not allowed(role, permission):
            side, expected = IN, "403"
        elif scoped(rule):
            side, expected = OUT, "404"
        else:
            continue  # allowed and not about one object: nothing to refuse here
        url = route_url(rule, world, side)
        response = viewer.post(url, data=POST_DATA)
        tried += 1
        ok = {
            "redirect to /login": is_login_redirect(response),
            "403": response.status_code == 403,
            "404": response.status_code == 404,
        }[expected]
        if not ok:
            problems.append(f"POST {url} as {role}: {response.status_code}, expected {expected}")
    assert not problems, "\n".join(problems)
    assert _snapshot(session) == before, "a refused POST changed the database"
    assert tried or role in ROLES


# --- CSRF on every form ------------------------------------------------------------------------


@pytest.fixture
def csrf_client(settings, app) -> Iterator[FlaskClient]:
    secured = create_secured_app(settings)
    yield secured.test_client()
    secured.extensions["dudao"].engine.dispose()


def create_secured_app(settings) -> Flask:
    from dudao.app import create_app

    secured = create_app(settings, {"TESTING": True, "WTF_CSRF_ENABLED": True})
    request_started.connect(_fresh_request_globals, secured)
    return secured


def _sign_in_as_root(csrf_client: FlaskClient, user_factory, world) -> None:  # noqa: F811
    user_factory("root", ("admin", world.org.group))
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert token, page
    signed = csrf_client.post(
        "/login", data={"username": "root", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert signed.status_code == 302


def test_every_post_route_needs_a_csrf_token(csrf_client, user_factory, world, session):  # noqa: F811
    _sign_in_as_root(csrf_client, user_factory, world)
    before = _snapshot(session)
    refused = []
    app = csrf_client.application
    # The walk's slip code, so that /s reaches the questionnaire, which checks the token
    # itself (surveys/answer_views.py); every other view is refused before it reads a field.
    data = {**POST_DATA, "code": ROUTE_WALK_CODE}
    for rule in walked_rules(app):
        if "POST" in rule.methods:
            url = route_url(rule, world, IN)
            if csrf_client.post(url, data=data).status_code != 400:
                refused.append(url)
    assert not refused, f"accepted a POST without a CSRF token: {refused}"
    assert _snapshot(session) == before


def test_no_page_repeats_an_element_id(csrf_client, user_factory, world):  # noqa: F811
    """With the CSRF tokens rendered, as in production: a page of many forms once gave
    each token the id "csrf_token", and each chart of a page its group the id "group"."""
    _sign_in_as_root(csrf_client, user_factory, world)
    repeated = {}
    for rule in walked_rules(csrf_client.application):
        if "GET" in rule.methods:
            response = csrf_client.get(route_url(rule, world, IN))
            if response.status_code == 200 and response.mimetype == "text/html":
                found = repeated_ids(response.get_data(as_text=True))
                if found:
                    repeated[rule.rule] = found
    assert not repeated
