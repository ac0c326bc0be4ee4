"""Where the audit log's next event goes, read under the lock that serialises appends.

On PostgreSQL the lock is the seal row's own: one `SELECT ... FOR UPDATE` both waits for
it and reads the head, because a statement that waited for a row lock reads that row
as its holder committed it. (Its read of the newest event may be older than the seal
then, never newer, so it cannot raise a false "rows beyond the seal".) While there is
no seal row — a new log, or a seal someone removed — a transaction-scoped advisory
lock serialises appends instead, and the seal is looked for again once it is held.
On SQLite a no-op UPDATE takes the database's write lock before the head is read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select, text, update
from sqlalchemy.orm import Session

from dudao.audit.models import AuditEvent, AuditSeal

_EVENTS = AuditEvent.__table__
_SEAL = AuditSeal.__table__
_ADVISORY_LOCK_KEY = 0x64756461  # "duda"
_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
# A write statement takes SQLite's write lock even when it changes nothing.
_WRITE_LOCK = update(_SEAL).where(_SEAL.c.id == 1).values(seq=_SEAL.c.seq)

_NEWEST = select(_EVENTS.c.seq, _EVENTS.c.hash).order_by(_EVENTS.c.seq.desc()).limit(1).subquery()
_LAST_SEQ = select(_NEWEST.c.seq).scalar_subquery().label("last_seq")
_LAST_HASH = select(_NEWEST.c.hash).scalar_subquery().label("last_hash")
#: The seal and the newest event in one round trip (every append reads both).
_SEAL_AND_LAST = select(
    select(_SEAL.c.seq).where(_SEAL.c.id == 1).scalar_subquery().label("seal_seq"),
    select(_SEAL.c.hash).where(_SEAL.c.id == 1).scalar_subquery().label("seal_hash"),
    _LAST_SEQ,
    _LAST_HASH,
)
#: PostgreSQL: the same, from the seal row locked for the append (no row: no seal).
_LOCKED_SEAL_AND_LAST = (
    select(_SEAL.c.seq.label("seal_seq"), _SEAL.c.hash.label("seal_hash"), _LAST_SEQ, _LAST_HASH)
    .where(_SEAL.c.id == 1)
    .with_for_update(of=_SEAL)
)


def locked_head(session: Session) -> Row[Any]:
    """Lock the log for this transaction; the seal's and the newest event's seq and hash
    (`seal_seq`, `seal_hash`, `last_seq`, `last_hash`, None where there is none)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        row = session.execute(_LOCKED_SEAL_AND_LAST).one_or_none()
        if row is None:
            session.execute(_ADVISORY_LOCK, {"key": _ADVISORY_LOCK_KEY})
            row = session.execute(_LOCKED_SEAL_AND_LAST).one_or_none()
        if row is not None:
            return row
    elif dialect == "sqlite":
        session.execute(_WRITE_LOCK)
    return session.execute(_SEAL_AND_LAST).one()
