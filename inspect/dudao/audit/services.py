"""Append to and verify the hash-chained audit log.

Each event stores the hash of the event before it and a hash of its own content,
so editing a row, or inserting or deleting one in the middle, breaks the chain.
The chain alone cannot show that its *newest* rows were deleted, so every append
also writes the new head (seq and hash) into the single-row `audit_seal`, and
appends continue from the seal: a deletion stays visible after later appends.

Appends are serialised: on PostgreSQL by a transaction-scoped advisory lock, on
SQLite by taking the database write lock (a no-op UPDATE) before reading the head.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import Any
from uuid import UUID

from sqlalchemy import Row, insert, select, text, update
from sqlalchemy.orm import Session

from dudao.audit.models import AuditEvent, AuditSeal
from dudao.core.database import utcnow

GENESIS_HASH = "0" * 64
SYSTEM_ACTOR = "system"
SEAL_MISMATCH = "audit.seal_mismatch"
_ADVISORY_LOCK_KEY = 0x64756461  # "duda": serialises appends on PostgreSQL
_SEAL = AuditSeal.__table__


def _canonical_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | UUID | PurePath):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"{type(value).__name__} cannot be stored in the audit log")


def _jsonable(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The value exactly as the JSON column gives it back, so the hash survives a reload."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_json_default, allow_nan=False))


def event_hash(event: AuditEvent | Row[Any]) -> str:
    """Hash of the event's content and its predecessor's hash."""
    payload = {
        "seq": event.seq,
        "occurred_at": _canonical_time(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }
    return _hash_of(payload)


#: The same options as json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":")),
#: built once: record_many hashes hundreds of thousands of events.
_HASH_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _hash_of(payload: dict[str, Any]) -> str:
    return hashlib.sha256(_HASH_ENCODER.encode(payload).encode()).hexdigest()


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
# A write statement takes SQLite's write lock even when it changes nothing.
_WRITE_LOCK = update(_SEAL).where(_SEAL.c.id == 1).values(seq=_SEAL.c.seq)


def _lock(session: Session) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(_ADVISORY_LOCK, {"key": _ADVISORY_LOCK_KEY})
    elif dialect == "sqlite":
        session.execute(_WRITE_LOCK)


def _seal(session: Session) -> Row[Any] | None:
    return session.execute(select(_SEAL.c.seq, _SEAL.c.hash).where(_SEAL.c.id == 1)).first()


_EVENTS = AuditEvent.__table__
_NEWEST = select(_EVENTS.c.seq, _EVENTS.c.hash).order_by(_EVENTS.c.seq.desc()).limit(1).subquery()
#: The seal and the newest event in one round trip (every append reads both).
_SEAL_AND_LAST = select(
    select(_SEAL.c.seq).where(_SEAL.c.id == 1).scalar_subquery().label("seal_seq"),
    select(_SEAL.c.hash).where(_SEAL.c.id == 1).scalar_subquery().label("seal_hash"),
    select(_NEWEST.c.seq).scalar_subquery().label("last_seq"),
    select(_NEWEST.c.hash).scalar_subquery().label("last_hash"),
)


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
        entity_id=str(entity_id),
        before=_jsonable(before),
        after=_jsonable(after),
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

    The lock is its own statement: on PostgreSQL a statement reads the snapshot taken
    when it started, so a head read in the statement that waited for the lock could
    be stale.
    """
    _lock(session)
    session.flush()  # earlier pending events of this session must be in the table first
    row = session.execute(_SEAL_AND_LAST).one()
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
    at = _canonical_time(moment)
    actor_id = getattr(actor, "id", None)
    actor_name = getattr(actor, "username", None) or SYSTEM_ACTOR
    # One round trip through JSON for the whole batch: the values as the column returns them.
    values = json.loads(
        json.dumps([[e[3], e[4]] for e in entries], default=_json_default, allow_nan=False)
    )
    rows = []
    for (action, entity_type, entity_id, _b, _a), (before, after) in zip(
        entries, values, strict=True
    ):
        seq += 1
        row = {
            "seq": seq, "occurred_at": at, "actor_id": actor_id, "actor_name": actor_name,
            "action": action, "entity_type": entity_type, "entity_id": str(entity_id),
            "before": before, "after": after, "prev_hash": prev,
        }  # fmt: skip
        row["hash"] = prev = _hash_of(row)
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
        actor_id, actor_name = rows[0]["actor_id"], rows[0]["actor_name"]
        _insert_recordset(session, rows, moment, actor_id, actor_name)
    else:
        _insert_rows(session, rows, moment)
    _write_seal(session, sealed, rows[-1]["seq"], rows[-1]["hash"], moment)
    return len(rows)


_INSERT_RETURNING = insert(_EVENTS).returning(_EVENTS.c.id, sort_by_parameter_order=True)


def record_batch(session: Session, actor: Any, entries: Iterable[Entry]) -> list[int]:
    """Append a few events (one lock, one INSERT ... RETURNING, one seal update) and return
    their ids in order: for a request that writes several events at once, such as the
    two workflow steps of a submission, and wants the lock for as short a time as it can.
    """
    entries = list(entries)
    if not entries:
        return []
    sealed, rows, moment = _chained(session, actor, entries)
    ids = list(session.scalars(_INSERT_RETURNING, [{**row, "occurred_at": moment} for row in rows]))
    _write_seal(session, sealed, rows[-1]["seq"], rows[-1]["hash"], moment)
    return ids


_EVENT_COLUMNS = (
    "seq", "occurred_at", "actor_id", "actor_name", "action", "entity_type", "entity_id",
    "before", "after", "prev_hash", "hash",
)  # fmt: skip


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
            f"INSERT INTO audit_event ({', '.join(_EVENT_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in _EVENT_COLUMNS)})",
            [
                (r["seq"], at, r["actor_id"], r["actor_name"], r["action"], r["entity_type"],
                 r["entity_id"], as_json(r["before"]), as_json(r["after"]), r["prev_hash"],
                 r["hash"])
                for r in rows
            ],
        )  # fmt: skip
    finally:
        cursor.close()


_RECORDSET_EVENTS = text(
    "INSERT INTO audit_event (seq, occurred_at, actor_id, actor_name, action, entity_type,"
    " entity_id, before, after, prev_hash, hash)"
    " SELECT seq, CAST(:at AS timestamptz), CAST(:actor_id AS integer), CAST(:actor_name AS text),"
    " action, entity_type, entity_id, before, after, prev_hash, hash"
    " FROM json_to_recordset(CAST(:rows AS json)) AS t(seq integer, action text,"
    " entity_type text, entity_id text, before json, after json, prev_hash text, hash text)"
)
_EVENT_FIELDS = (
    "seq",
    "action",
    "entity_type",
    "entity_id",
    "before",
    "after",
    "prev_hash",
    "hash",
)


def _insert_recordset(
    session: Session, rows: list[dict[str, Any]], moment: datetime, actor_id: Any, actor: str
) -> None:
    """PostgreSQL: the events travel as one JSON document per 20,000 and are inserted by
    one INSERT ... SELECT FROM json_to_recordset (a statement per row is far slower)."""
    for start in range(0, len(rows), 20_000):
        chunk = [
            {name: row[name] for name in _EVENT_FIELDS} for row in rows[start : start + 20_000]
        ]
        session.execute(
            _RECORDSET_EVENTS,
            {"at": moment, "actor_id": actor_id, "actor_name": actor,
             "rows": json.dumps(chunk, ensure_ascii=False)},
        )  # fmt: skip


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    event_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"event #{self.seq}" + (f" (id {self.event_id})" if self.event_id else "")
        return f"{where}: {self.message}"


def _walk(session: Session, state: dict[str, Any], batch_size: int) -> list[ChainProblem]:
    """Check every event after `state["seq"]` against its predecessor; move `state` on.

    Reads plain rows, not ORM objects, so a long log does not fill the session.
    """
    problems: list[ChainProblem] = []
    columns = AuditEvent.__table__.c
    while True:
        batch = session.execute(
            select(*columns)
            .where(columns.seq > state["seq"])
            .order_by(columns.seq)
            .limit(batch_size)
        ).all()
        if not batch:
            return problems
        for event in batch:
            expected = state["seq"] + 1
            if event.seq != expected:
                span = (
                    f"#{expected}"
                    if event.seq == expected + 1
                    else f"#{expected}..#{event.seq - 1}"
                )
                problems.append(ChainProblem(expected, None, f"missing: event {span} deleted"))
            if event.prev_hash != state["hash"]:
                problems.append(
                    ChainProblem(
                        event.seq,
                        event.id,
                        "does not follow the event before it "
                        "(an event was inserted, deleted or re-linked here)",
                    )
                )
            if event_hash(event) != event.hash:
                problems.append(
                    ChainProblem(event.seq, event.id, "content was edited after it was written")
                )
            if event.action == SEAL_MISMATCH:
                problems.append(
                    ChainProblem(
                        event.seq,
                        event.id,
                        f"when this event was written the seal said {event.before} but the log "
                        f"ended at {event.after}: events were added or the seal was changed "
                        "outside Dudao",
                    )
                )
            state.update(seq=event.seq, id=event.id, hash=event.hash)


def verify_chain(session: Session, batch_size: int = 5000) -> list[ChainProblem]:
    """Walk the chain in order and name every row that was edited, inserted or deleted."""
    state: dict[str, Any] = {"seq": 0, "id": None, "hash": GENESIS_HASH}
    problems = _walk(session, state, batch_size)
    seal = _seal(session)
    # Events committed while we walked move the seal on; walk those too.
    while seal is not None and seal.seq > state["seq"]:
        seen = state["seq"]
        problems += _walk(session, state, batch_size)
        if state["seq"] == seen:
            break
        seal = _seal(session)
    last_seq, last_id = state["seq"], state["id"]
    if seal is None:
        if last_seq:
            problems.append(
                ChainProblem(
                    last_seq,
                    last_id,
                    "the seal (audit_seal) is missing: deleted newest events cannot be ruled out",
                )
            )
    elif seal.seq > last_seq:
        span = f"#{seal.seq}" if seal.seq == last_seq + 1 else f"#{last_seq + 1}..#{seal.seq}"
        problems.append(
            ChainProblem(
                last_seq + 1,
                None,
                f"missing: newest event {span} deleted (the seal records #{seal.seq})",
            )
        )
    elif seal.seq < last_seq:
        extra = session.execute(
            select(AuditEvent.seq, AuditEvent.id)
            .where(AuditEvent.seq > seal.seq)
            .order_by(AuditEvent.seq)
        ).all()
        problems += [
            ChainProblem(row.seq, row.id, f"added outside Dudao: the seal ends at #{seal.seq}")
            for row in extra
        ]
    elif seal.hash != state["hash"]:
        problems.append(
            ChainProblem(
                last_seq, last_id, "does not match the seal: the newest event was replaced"
            )
        )
    return problems


def chain_head(session: Session) -> tuple[int, str]:
    """The sealed head (seq, hash), for writing down outside the database."""
    seal = _seal(session)
    return (seal.seq, seal.hash) if seal else (0, GENESIS_HASH)


def check_anchor(session: Session, seq: int, expected_hash: str) -> ChainProblem | None:
    """Compare event `seq` with a head written down earlier outside the database.

    Someone able to rewrite the whole table can also rewrite the seal; a head kept
    elsewhere (printed by `dudao audit verify`) still catches that.
    """
    row = session.execute(
        select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.seq == seq)
    ).first()
    if row is None:
        return ChainProblem(seq, None, "missing: this event was written down earlier but is gone")
    if row.hash != expected_hash.strip().lower():
        return ChainProblem(
            seq, row.id, "differs from the hash written down earlier: the log was rewritten"
        )
    return None
