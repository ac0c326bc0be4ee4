"""Shared by the account administration tests: a new password and an account read afresh."""

from __future__ import annotations

from sqlalchemy import select

from dudao.auth.models import User

NEW_PASSWORD = "a much newer secret"


def _user(session, username: str) -> User:
    session.expire_all()
    return session.scalar(select(User).where(User.username == username))
