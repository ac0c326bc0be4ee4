"""Reads of accounts for the administration pages, kept inside the viewer's scope."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import Session, joinedload

from dudao.auth.models import RoleGrant, User
from dudao.org.models import Unit
from dudao.org.queries import within


def accounts_in_scope(
    session: Session, paths: Sequence[str], search: str = "", limit: int | None = None
) -> Sequence[User]:
    """Accounts with a grant on a unit inside `paths`, or with no grant at all.

    The same rule as `can_see_account`, as one query (grants load in one more).
    """
    if not paths:
        return []
    granted_inside = exists().where(
        RoleGrant.user_id == User.id, RoleGrant.unit_id == Unit.id, within(paths)
    )
    no_grant = ~exists().where(RoleGrant.user_id == User.id)
    statement = select(User).where(or_(granted_inside, no_grant)).order_by(User.username)
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        statement = statement.where(
            or_(
                User.username.ilike(pattern, escape="\\"),
                User.display_name.ilike(pattern, escape="\\"),
            )
        )
    if limit is not None:
        statement = statement.limit(limit)
    return session.scalars(statement).all()


#: Every request runs this: the grants (and their units) come in the same query, and the
#: statement is built once.
_USER_WITH_GRANTS = select(User).options(joinedload(User.grants)).where(User.id == bindparam("id"))


def user_for_session(session: Session, session_id: str) -> User | None:
    """The active account a session cookie names (see `User.get_id`); None when the account
    is gone, deactivated, or its password changed since the cookie was issued."""
    user_id, _sep, fingerprint = session_id.partition("-")
    if not user_id.isdigit() or not fingerprint:
        return None
    user = session.execute(_USER_WITH_GRANTS, {"id": int(user_id)}).unique().scalar_one_or_none()
    if user is None or not user.active or user.session_fingerprint != fingerprint:
        return None
    return user
