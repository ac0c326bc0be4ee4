"""Append to the hash-chained audit log (`chain` says what the chain is and verifies it).

The chain alone cannot show that its *newest* rows were deleted, so every append
also writes the new head (seq and hash) into the single-row `audit_seal`, and
appends continue from the seal: a deletion stays visible after later appends.

Appends are serialised by a lock taken where the head is read (`head`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, text, update
from sqlalchemy.orm import Session

from dudao.audit.chain import (
    GENESIS_HASH,
    SEAL_MISMATCH,
    canonical_time,
    content_hash,
    event_hash,
    json_default,
    jsonable,
)
from dudao.audit.head import locked_head
from dudao.audit.models import AuditEvent, AuditSeal
from dudao.core.database import utcnow

SYSTEM_ACTOR = "system"
_SEAL = AuditSeal.__table__
_EVENTS = AuditEvent.__table__


def _entity_id(value: object) -> str:
    """As the column holds it: an id, or a name that may be longer (an imported file's; the
    event's `after` keeps it whole)."""
    return str(value)[: AuditEvent.entity_id.type.length]


def _append(
    session: Session,
    head: tuple[int, str],
    actor: Any,
    action: str,
    entity_type: str,
    entity_id: object,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEvent:
    event = AuditEvent(
        seq=head[0] + 1,
        occurred_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None) or SYSTEM_ACTOR,
        action=action,
        entity_type=entity_type,
        entity_id=_entity_id(entity_id),
        before=jsonable(before),
        after=jsonable(after),
        prev_hash=head[1],
    )
    event.hash = event_hash(event)
    session.add(event)
    return event


def record(
    session: Session,
    actor: Any,
    action: str,
    entity_type: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction; `actor` is a user or None for the system."""
    sealed, head = _head(session)
    event = _append(session, head, actor, action, entity_type, entity_id, before, after)
    session.flush()
    _write_seal(session, sealed, event.seq, event.hash, event.occurred_at)
    return event


def _head(session: Session) -> tuple[bool, tuple[int, str]]:
    """Lock the log and find where the next event goes: (whether a seal row exists, (seq, hash)).

    Earlier pending events of this session go into the table first (its lock, if it
    appended before, is held until the transaction ends).
    """
    session.flush()
    row = locked_head(session)
    sealed = row.seal_seq is not None
    head = (row.seal_seq, row.seal_hash) if sealed else (0, GENESIS_HASH)
    if row.last_seq is not None and (not sealed or row.last_seq > row.seal_seq):
        # Rows exist beyond the seal (or the seal was removed): they were not written
        # through here. Leave a permanent trace in the chain, then carry on after them.
        marker = _append(
            session,
            (row.last_seq, row.last_hash),
            None,
            SEAL_MISMATCH,
            "audit_seal",
            1,
            {"seq": row.seal_seq, "hash": row.seal_hash} if sealed else None,
            {"seq": row.last_seq, "hash": row.last_hash},
        )
        session.flush()
        head = (marker.seq, marker.hash)
    return sealed, head


_NEW_SEAL = insert(_SEAL).values(id=1)
_MOVE_SEAL = update(_SEAL).where(_SEAL.c.id == 1)


def _write_seal(session: Session, sealed: bool, seq: int, hash_: str, moment: datetime) -> None:
    session.execute(
        _MOVE_SEAL if sealed else _NEW_SEAL, {"seq": seq, "hash": hash_, "sealed_at": moment}
    )


#: One event for record_many and record_batch: (action, entity_type, entity_id, before, after).
Entry = tuple[str, str, object, dict[str, Any] | None, dict[str, Any] | None]


def _chained(
    session: Session, actor: Any, entries: list[Entry]
) -> tuple[bool, list[dict[str, Any]], datetime]:
    """Lock the log and build the next events as rows, each hashed onto the one before."""
    sealed, (seq, prev) = _head(session)
    moment = utcnow()
    at = canonical_time(moment)
    actor_id = getattr(actor, "id", None)
    actor_name = getattr(actor, "username", None) or SYSTEM_ACTOR
    # One round trip through JSON for the whole batch: the values as the column returns them.
    values = json.loads(
        json.dumps([[e[3], e[4]] for e in entries], default=json_default, allow_nan=False)
    )
    rows = []
    for (action, entity_type, entity_id, _b, _a), (before, after) in zip(
        entries, values, strict=True
    ):
        seq += 1
        row = {
            "seq": seq, "occurred_at": at, "actor_id": actor_id, "actor_name": actor_name,
            "action": action, "entity_type": entity_type, "entity_id": _entity_id(entity_id),
            "before": before, "after": after, "prev_hash": prev,
        }  # fmt: skip
        row["hash"] = prev = content_hash(row)
        rows.append(row)
    return sealed, rows, moment


def record_many(session: Session, actor: Any, entries: Iterable[Entry]) -> int:
    """Append many events under one lock with one multi-row INSERT; returns how many.

    The same chain and seal as `record`, for jobs that change thousands of rows at
    once (materialising a year of inspections); no ORM objects are built.
    """
    entries = list(entries)
    if not entries:
        return 0
    sealed, rows, moment = _chained(session, actor, entries)
    if session.get_bind().dialect.name == "postgresql":
        _insert_recordset(session, rows, moment)
    else:
        _insert_rows(session, rows, moment)
    _write_seal(session, sealed, rows[-1]["seq"], rows[-1]["hash"], moment)
    return len(rows)


EVENT_COLUMNS = (
    "seq", "occurred_at", "actor_id", "actor_name", "action", "entity_type", "entity_id",
    "before", "after", "prev_hash", "hash",
)  # fmt: skip
_INSERT_RETURNING = insert(_EVENTS).returning(_EVENTS.c.id, sort_by_parameter_order=True)


def record_batch(session: Session, actor: Any, entries: Iterable[Entry]) -> list[int]:
    """Append a few events (one lock, one INSERT ... RETURNING and the seal's update, one
    statement on PostgreSQL) and return their ids in order: for a request that writes
    several events at once, such as the two workflow steps of a submission, and wants the
    lock for as short a time as it can.
    """
    entries = list(entries)
    if not entries:
        return []
    sealed, rows, moment = _chained(session, actor, entries)
    if session.get_bind().dialect.name == "postgresql":
        sealing = {"seal_seq": rows[-1]["seq"], "seal_hash": rows[-1]["hash"]}
        inserted = session.execute(_RECORDSET_SEALED, {**_recordset(rows, moment), **sealing})
        return [row.id for row in sorted(inserted, key=lambda row: row.seq)]
    ids = list(session.scalars(_INSERT_RETURNING, [{**row, "occurred_at": moment} for row in rows]))
    _write_seal(session, sealed, rows[-1]["seq"], rows[-1]["hash"], moment)
    return ids


def _insert_rows(session: Session, rows: list[dict[str, Any]], moment: datetime) -> None:
    """SQLite: executemany on the driver's cursor (in the session's transaction), with the
    shared timestamp converted once by the column's own type; no per-row SQLAlchemy work."""
    dialect = session.get_bind().dialect
    convert = AuditEvent.__table__.c.occurred_at.type.bind_processor(dialect)
    at = convert(moment) if convert else moment

    def as_json(value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    cursor = session.connection().connection.driver_connection.cursor()
    try:
        cursor.executemany(
            f"INSERT INTO audit_event ({', '.join(EVENT_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})",
            [
                (r["seq"], at, r["actor_id"], r["actor_name"], r["action"], r["entity_type"],
                 r["entity_id"], as_json(r["before"]), as_json(r["after"]), r["prev_hash"],
                 r["hash"])
                for r in rows
            ],
        )  # fmt: skip
    finally:
        cursor.close()


_RECORDSET_INSERT = (
    "INSERT INTO audit_event (seq, occurred_at, actor_id, actor_name, action, entity_type,"
    " entity_id, before, after, prev_hash, hash)"
    " SELECT seq, CAST(:at AS timestamptz), CAST(:actor_id AS integer), CAST(:actor_name AS text),"
    " action, entity_type, entity_id, before, after, prev_hash, hash"
    " FROM json_to_recordset(CAST(:rows AS json)) AS t(seq integer, action text,"
    " entity_type text, entity_id text, before json, after json, prev_hash text, hash text)"
)
_RECORDSET_EVENTS = text(_RECORDSET_INSERT)
#: PostgreSQL, a request's few events: inserted, and the seal moved (or made), in one statement.
_RECORDSET_SEALED = text(
    "WITH seal AS (INSERT INTO audit_seal (id, seq, hash, sealed_at)"
    " VALUES (1, :seal_seq, :seal_hash, CAST(:at AS timestamptz)) ON CONFLICT (id) DO UPDATE"
    " SET seq = excluded.seq, hash = excluded.hash, sealed_at = excluded.sealed_at) "
    f"{_RECORDSET_INSERT} RETURNING id, seq"
)
_EVENT_FIELDS = (
    "seq", "action", "entity_type", "entity_id", "before", "after", "prev_hash", "hash",
)  # fmt: skip


def _recordset(rows: list[dict[str, Any]], moment: datetime) -> dict[str, Any]:
    """The parameters of a recordset INSERT of `rows` (all of one actor) at `moment`."""
    fields = [{name: row[name] for name in _EVENT_FIELDS} for row in rows]
    return {
        "at": moment, "actor_id": rows[0]["actor_id"], "actor_name": rows[0]["actor_name"],
        "rows": json.dumps(fields, ensure_ascii=False),
    }  # fmt: skip


def _insert_recordset(session: Session, rows: list[dict[str, Any]], moment: datetime) -> None:
    """PostgreSQL: the events travel as one JSON document per 20,000 and are inserted by
    one INSERT ... SELECT FROM json_to_recordset (a statement per row is far slower)."""
    for start in range(0, len(rows), 20_000):
        session.execute(_RECORDSET_EVENTS, _recordset(rows[start : start + 20_000], moment))
