"""Accounts and role grants; a grant gives a role on one unit's whole subtree."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dudao.core.database import Base, UTCDateTime, utcnow
from dudao.core.enums import Role
from dudao.org.models import Unit


def fingerprint(password_hash: str) -> str:
    """What a session cookie holds of the password hash (so a new password signs out)."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class Account:
    """Flask-Login's protocol, for the `User` and for the `SignedIn` account a request reads
    (kept here so the model needs no Flask import). Needs `id`, `active`, `grants` and
    `session_fingerprint`."""

    __slots__ = ()
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active  # type: ignore[attr-defined]

    def get_id(self) -> str:
        """What the session and remember-me cookies hold: the id plus a fingerprint of the
        password hash, so a password change signs the account out everywhere."""
        return f"{self.id}-{self.session_fingerprint}"  # type: ignore[attr-defined]

    @property
    def roles(self) -> set[Role]:
        return {grant.role for grant in self.grants}  # type: ignore[attr-defined]


class User(Account, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    #: Set when someone else chose the password (an administrator): the user must choose
    #: their own at the next sign-in before any other page opens.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def session_fingerprint(self) -> str:
        return fingerprint(self.password_hash)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RoleGrant(Base):
    __tablename__ = "role_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants")
    unit: Mapped[Unit] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id"),)
