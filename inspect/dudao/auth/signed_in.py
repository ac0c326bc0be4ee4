"""The signed-in account as a request sees it, read from its session cookie.

Every request reads it, so it is plain values from one Core statement (the account, its
grants and their units), not ORM objects: loading those cost a tablet's submission
more than any one of its writes (docs/api.md, Performance). It has what requests use of
the account: `can` and `roles_on` read the grants, pages the names and the language,
services the id and user name of the actor they audit. A service that changes the
account itself loads the `User` (the administration pages do).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from dudao.auth.models import Account, RoleGrant, User, fingerprint
from dudao.core.enums import Role
from dudao.org.models import Unit, name_in

_USER, _GRANT, _UNIT = User.__table__, RoleGrant.__table__, Unit.__table__
#: The account and each grant with its unit: one row per grant (one with NULLs for none).
_SIGNED_IN = (
    select(
        _USER.c.id, _USER.c.username, _USER.c.display_name, _USER.c.locale, _USER.c.active,
        _USER.c.password_hash, _USER.c.must_change_password, _GRANT.c.id.label("grant_id"),
        _GRANT.c.role,
        _UNIT.c.id.label("unit_id"), _UNIT.c.code, _UNIT.c.name, _UNIT.c.name_en, _UNIT.c.path,
        _UNIT.c.active.label("unit_active"),
    )
    .select_from(_USER.outerjoin(_GRANT).outerjoin(_UNIT, _UNIT.c.id == _GRANT.c.unit_id))
    .where(_USER.c.id == bindparam("id"))
    .order_by(_GRANT.c.id)
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class GrantedUnit:
    id: int
    code: str
    name: str
    name_en: str | None
    path: str
    active: bool

    def name_in(self, locale: str) -> str:
        return name_in(self.name, self.name_en, locale)


@dataclass(frozen=True, slots=True)
class Grant:
    id: int
    role: Role
    unit: GrantedUnit


@dataclass(frozen=True, slots=True)
class SignedIn(Account):
    """What Flask-Login's `current_user` is after sign-in."""

    id: int
    username: str
    display_name: str
    locale: str | None
    active: bool
    session_fingerprint: str
    grants: tuple[Grant, ...]
    #: Only the password change opens until it is done (auth.account_views.password_first).
    must_change_password: bool


def signed_in(session: Session, session_id: str) -> SignedIn | None:
    """The active account a session cookie names (see `User.get_id`); None when the account
    is gone, deactivated, or its password changed since the cookie was issued."""
    user_id, _sep, cookie_fingerprint = session_id.partition("-")
    if not user_id.isdigit() or not cookie_fingerprint:
        return None
    rows = session.execute(_SIGNED_IN, {"id": int(user_id)}).all()
    if not rows or not rows[0].active:
        return None
    account = rows[0]
    own = fingerprint(account.password_hash)
    if own != cookie_fingerprint:
        return None
    grants = tuple(_grant(row) for row in rows if row.grant_id is not None)
    return SignedIn(
        account.id,
        account.username,
        account.display_name,
        account.locale,
        True,
        own,
        grants,
        account.must_change_password,
    )


def _grant(row: Row) -> Grant:
    unit = GrantedUnit(row.unit_id, row.code, row.name, row.name_en, row.path, row.unit_active)
    return Grant(row.grant_id, row.role, unit)
