"""Reads of accounts for the administration pages, kept inside the viewer's scope."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

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
