"""Shared by the auth tests: a new password, an account read afresh, an app with real security."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
from flask import Flask, request_started
from sqlalchemy import select

from dudao.app import create_app
from dudao.auth.models import User
from tests.conftest import _fresh_request_globals

NEW_PASSWORD = "a much newer secret"


def _user(session, username: str) -> User:
    session.expire_all()
    return session.scalar(select(User).where(User.username == username))


@pytest.fixture
def make_app(settings, app) -> Iterator[Callable[..., Flask]]:
    """Build another app on the same database and Redis, with real security settings."""
    made: list[Flask] = []

    def build(behind_https: bool = False, **config: object) -> Flask:
        new = create_app(
            dataclasses.replace(settings, behind_https=behind_https),
            {"TESTING": True, "RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": False, **config},
        )
        request_started.connect(_fresh_request_globals, new)
        made.append(new)
        return new

    yield build
    for built in made:
        built.extensions["dudao"].engine.dispose()
