"""Web security around signing in: cookies (HttpOnly, SameSite, Secure behind HTTPS), the
security headers on every kind of response, and redirects after sign-in (no open redirect)."""

from __future__ import annotations

import pytest

from dudao.web.setup import SECURITY_HEADERS
from dudao.web.urls import is_safe_path
from tests.auth_world import make_app  # noqa: F401  (a fixture)
from tests.conftest import PASSWORD

# --- cookies and headers -----------------------------------------------------------------


def _cookie(response, name: str) -> str:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return header
    raise AssertionError(f"no {name} cookie in {response.headers.getlist('Set-Cookie')}")


def test_session_cookies_are_httponly_and_samesite(client, user_factory):
    user_factory("lead")
    response = client.post(
        "/login", data={"username": "lead", "password": PASSWORD, "remember": "y"}
    )
    for name in ("session", "remember_token"):
        cookie = _cookie(response, name)
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
        assert "Secure" not in cookie, cookie
    assert "Strict-Transport-Security" not in response.headers


def test_behind_https_cookies_are_secure_and_proxy_headers_trusted(make_app, user_factory):  # noqa: F811
    user_factory("lead")
    client = make_app(behind_https=True).test_client()
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
    response = client.post(
        "/login",
        data={"username": "lead", "password": PASSWORD, "remember": "y"},
        headers=proxied,
    )
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        cookie = _cookie(response, name)
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert response.headers["Location"] in ("/", "https://localhost/")


def test_forwarded_proto_is_ignored_without_behind_https(client):
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("url", ["/login", "/does-not-exist", "/units", "/"])
def test_security_headers_on_every_kind_of_response(client, url):
    response = client.get(url)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (url, name)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


# --- redirects after sign-in -----------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\\evil.example/",
        "https://evil.example/",
        "http:/evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "\\\\evil.example",
        "evil.example",
        "",
    ],
)
def test_open_redirect_is_refused(client, user_factory, target):
    user_factory("lead")
    response = client.post(
        "/login", query_string={"next": target}, data={"username": "lead", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_local_next_is_followed(client, user_factory):
    user_factory("lead")
    response = client.post(
        "/login",
        query_string={"next": "/units?x=1"},
        data={"username": "lead", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/units?x=1"


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/units")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"] and "next=" in response.headers["Location"]


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/units/7?tab=x#y", True),
        ("/", True),
        ("//evil", False),
        ("/\\evil", False),
        ("/%0a/evil", True),  # percent-encoded: stays a path on this site
        ("/\n/evil", False),
        ("https://evil", False),
        ("units", False),
        (None, False),
    ],
)
def test_is_safe_path(target, safe):
    assert is_safe_path(target) is safe


def test_language_switch_refuses_open_redirect(client):
    response = client.post("/lang", data={"lang": "en", "next": "//evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
