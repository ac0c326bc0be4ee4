"""Accounts, their passwords and role grants (signing in: auth/signin.py).

Every change is audited. When `actor` is a user (a web request), the change must lie
inside the actor's MANAGE_USERS scope; `actor=None` is the system (CLI, demo, tests).
A password someone else chose (an administrator's) is temporary: its user must choose
their own at the next sign-in (`User.must_change_password`). The system's is not, unless
asked: the demo's and the tests' accounts, and a command run for one's own account.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.auth.models import RoleGrant, User
from dudao.auth.passwords import password_problems
from dudao.auth.signin import hash_password, verifies
from dudao.core.enums import Role
from dudao.core.errors import (
    N_,
    FieldProblem,
    Listed,
    Message,
    NotFound,
    PermissionDenied,
    ValidationError,
    field_problem,
)
from dudao.core.permissions import Permission, can, can_manage_account
from dudao.org.models import Unit

ACCOUNT_LOCALES = ("zh_CN", "en")


def username_taken(session: Session, username: str) -> bool:
    """Whether an account has this username in any case: ADMIN beside admin would read as
    the same person in every list and log."""
    name = username.strip().lower()
    return session.scalar(select(User.id).where(func.lower(User.username) == name)) is not None


def _user_snapshot(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "locale": user.locale,
        "active": user.active,
        "must_change_password": user.must_change_password,
    }


def _require_manager(actor: User | None, account: User) -> None:
    if actor is not None and not can_manage_account(actor, account):
        raise PermissionDenied(
            Message(N_("%(actor)s may not change the account %(account)s."),
                    actor=actor.username, account=account.username)
        )  # fmt: skip


def _require_unit(actor: User | None, unit: Unit) -> None:
    if actor is not None and not can(actor, Permission.MANAGE_USERS, unit):
        raise PermissionDenied(
            Message(N_("%(actor)s may not manage roles on unit %(code)s."),
                    actor=actor.username, code=unit.code)
        )  # fmt: skip


def _weak(password: str, username: str, current: str | None = None) -> list[FieldProblem]:
    """The rules the password breaks (`password_problems`), as one problem of its field."""
    problems = password_problems(password, username, current)
    return [field_problem("password", Listed(problems))] if problems else []


def _check_profile(email: str | None, locale: str | None) -> list[Message]:
    problems = []
    if email and ("@" not in email or len(email) > 254 or any(c.isspace() for c in email)):
        problems.append(
            field_problem("email", Message(N_("'%(value)s' is not an e-mail address"), value=email))
        )
    if locale and locale not in ACCOUNT_LOCALES:
        one_of = Message(N_("must be one of %(choices)s"), choices=", ".join(ACCOUNT_LOCALES))
        problems.append(field_problem("locale", one_of))
    return problems


def create_user(
    session: Session,
    actor: User | None,
    username: str,
    display_name: str,
    password: str,
    email: str | None = None,
    locale: str | None = None,
    *,
    temporary: bool = False,
) -> User:
    """An account with the password given; temporary when an administrator chose it, or
    when the system is asked to (`temporary`)."""
    if actor is not None and not can(actor, Permission.MANAGE_USERS):
        raise PermissionDenied(
            Message(N_("%(actor)s may not create accounts."), actor=actor.username)
        )
    username = username.strip()
    email = (email or "").strip() or None
    locale = locale or None
    problems = []
    if not username:
        problems.append(field_problem("username", Message(N_("cannot be empty"))))
    elif len(username) > 64 or any(c.isspace() for c in username):
        problems.append(field_problem("username", Message(N_("at most 64 characters, no spaces"))))
    elif username_taken(session, username):
        taken = Message(N_("'%(value)s' is already taken"), value=username)
        problems.append(field_problem("username", taken))
    problems += _weak(password, username)
    problems += _check_profile(email, locale)
    if problems:
        raise ValidationError(Message(N_("The account cannot be created.")), problems)
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        email=email,
        locale=locale,
        password_hash=hash_password(password),
        must_change_password=temporary or actor is not None,
    )
    session.add(user)
    session.flush()
    record(session, actor, "user.create", "user", user.id, after=_user_snapshot(user))
    return user


def update_user(
    session: Session,
    actor: User | None,
    user: User,
    display_name: str,
    email: str | None,
    locale: str | None,
) -> None:
    """Change the profile fields; the username never changes (audit events name it)."""
    _require_manager(actor, user)
    email = (email or "").strip() or None
    locale = locale or None
    problems = _check_profile(email, locale)
    if problems:
        raise ValidationError(Message(N_("The account cannot be changed.")), problems)
    before = _user_snapshot(user)
    user.display_name = display_name.strip() or user.username
    user.email = email
    user.locale = locale
    after = _user_snapshot(user)
    if after != before:
        record(session, actor, "user.update", "user", user.id, before, after)
    session.flush()


def set_password(
    session: Session, actor: User | None, user: User, password: str, *, temporary: bool = False
) -> None:
    """Give `user` a password chosen for them (a reset), which signs them out everywhere.
    Temporary when another account chose it, or when the system is asked to."""
    if actor is not user:
        _require_manager(actor, user)
    problems = _weak(password, user.username)
    if problems:
        raise ValidationError(Message(N_("The password cannot be used.")), problems)
    user.password_hash = hash_password(password)
    user.must_change_password = temporary or (actor is not None and actor.id != user.id)
    after = {"must_change_password": user.must_change_password}
    record(session, actor, "user.set_password", "user", user.id, after=after)
    session.flush()


def change_own_password(
    session: Session, user: User, current: str, password: str, repeated: str
) -> None:
    """The user's own change: the current password proves it is them, and the new one is
    theirs alone, so it is not temporary. Every problem at once, beside its field."""
    problems = []
    right = bool(current) and verifies(user.password_hash, current)
    if not right:
        said = N_("not your password") if current else N_("enter your current password")
        problems.append(field_problem("current_password", Message(said)))
    problems += _weak(password, user.username, current if right else None)
    if not repeated:
        problems.append(field_problem("confirm", Message(N_("repeat the new password"))))
    elif password != repeated:
        problems.append(field_problem("confirm", Message(N_("not the same as the new password"))))
    if problems:
        raise ValidationError(Message(N_("The password was not changed.")), problems)
    # The flag's change, when there is one: a forced change is told from a chosen one.
    flag = ({"must_change_password": True}, {"must_change_password": False})
    before, after = flag if user.must_change_password else (None, None)
    user.password_hash = hash_password(password)
    user.must_change_password = False
    record(session, user, "user.change_password", "user", user.id, before, after)
    session.flush()


def set_active(session: Session, actor: User | None, user: User, active: bool) -> None:
    """Deactivating keeps the account and its history; the user can no longer sign in,
    and an open session stops working at its next request."""
    _require_manager(actor, user)
    if actor is not None and actor.id == user.id and not active:
        raise ValidationError(
            Message(N_("You cannot deactivate your own account.")),
            [field_problem("active", Message(N_("not your own account")))],
        )
    if user.active == active:
        return
    before = _user_snapshot(user)
    user.active = active
    record(session, actor, "user.update", "user", user.id, before, _user_snapshot(user))
    session.flush()


def grant_role(
    session: Session, actor: User | None, user: User, role: Role, unit: Unit
) -> RoleGrant:
    """Idempotent: granting what the user already has returns the existing grant."""
    _require_unit(actor, unit)
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
        raise NotFound(Message(N_("No role grant with id %(id)s."), id=grant_id))
    _require_unit(actor, grant.unit)
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
