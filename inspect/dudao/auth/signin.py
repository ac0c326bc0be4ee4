"""Signing in: argon2 password hashes, and the account a typed username names.

Unknown, inactive and wrong-password cases cost the same time (one verification each).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dudao.auth.models import User
from dudao.core.database import utcnow

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash("dudao-no-such-user")


def set_hash_cost(time_cost: int, memory_cost: int, parallelism: int = 1) -> None:
    """Use other argon2 parameters (memory in KiB). The test suite makes hashing cheap to
    stay fast; production keeps argon2's defaults. Existing hashes still verify, and are
    re-hashed with the new parameters at their next sign-in."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    _DUMMY_HASH = _hasher.hash("dudao-no-such-user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user if the password matches an active account; None otherwise, in similar time.

    Unknown, inactive and wrong-password cases all run one argon2 verification, so the
    answer's timing does not tell which usernames exist.
    """
    user = account_named(session, username)
    if not verifies(user.password_hash if user else _DUMMY_HASH, password):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    return user


def account_named(session: Session, username: str) -> User | None:
    """The account of this username, spelled as stored or in other case ("Admin" for
    admin: a tablet's keyboard capitalises the first letter) when only one account is."""
    name = username.strip()
    exact = session.scalar(select(User).where(User.username == name))
    if exact is not None or not name:
        return exact
    alike = session.scalars(
        select(User).where(func.lower(User.username) == name.lower()).limit(2)
    ).all()
    return alike[0] if len(alike) == 1 else None


def verifies(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
