"""Accounts, password checks and role grants."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.auth.models import RoleGrant, User
from dudao.core.database import utcnow
from dudao.core.enums import Role
from dudao.core.errors import NotFound, ValidationError
from dudao.org.models import Unit

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash("dudao-no-such-user")

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user if the password matches an active account; None otherwise, in similar time."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    return user


def _user_snapshot(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "active": user.active,
    }


def create_user(
    session: Session,
    actor: User | None,
    username: str,
    display_name: str,
    password: str,
    email: str | None = None,
) -> User:
    username = username.strip()
    problems = []
    if not username:
        problems.append("username: required")
    elif session.scalar(select(User.id).where(User.username == username)):
        problems.append(f"username: {username!r} is already taken")
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"password: at least {MIN_PASSWORD_LENGTH} characters")
    if problems:
        raise ValidationError("The account cannot be created.", problems)
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        email=(email or "").strip() or None,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    record(session, actor, "user.create", "user", user.id, after=_user_snapshot(user))
    return user


def set_password(session: Session, actor: User | None, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            "The password is too short.", [f"password: at least {MIN_PASSWORD_LENGTH} characters"]
        )
    user.password_hash = hash_password(password)
    record(session, actor, "user.set_password", "user", user.id)


def set_active(session: Session, actor: User | None, user: User, active: bool) -> None:
    before = _user_snapshot(user)
    user.active = active
    record(session, actor, "user.update", "user", user.id, before, _user_snapshot(user))


def grant_role(
    session: Session, actor: User | None, user: User, role: Role, unit: Unit
) -> RoleGrant:
    """Idempotent: granting what the user already has returns the existing grant."""
    for grant in user.grants:
        if grant.role == role and grant.unit_id == unit.id:
            return grant
    grant = RoleGrant(user=user, role=role, unit=unit)
    session.add(grant)
    session.flush()
    record(
        session,
        actor,
        "grant.create",
        "user",
        user.id,
        after={"role": role.value, "unit": unit.code},
    )
    return grant


def revoke_grant(session: Session, actor: User | None, grant_id: int) -> None:
    grant = session.get(RoleGrant, grant_id)
    if grant is None:
        raise NotFound(f"No role grant with id {grant_id}.")
    record(
        session,
        actor,
        "grant.delete",
        "user",
        grant.user_id,
        before={"role": grant.role.value, "unit": grant.unit.code},
    )
    grant.user.grants.remove(grant)
    session.flush()
