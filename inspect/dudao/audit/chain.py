"""The chain itself: the canonical content and hash of an event, the seal, and verification.

Each event stores the hash of the event before it and a hash of its own content, so
editing a row, or inserting or deleting one in the middle, breaks the chain. The seal
(the single-row `audit_seal`) holds the newest head, so deleting the newest events shows
too. `services` appends; everything here only reads.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from dudao.audit.models import AuditEvent, AuditSeal
from dudao.core.errors import N_, Message

GENESIS_HASH = "0" * 64
#: The action of the event an append writes when the seal and the log disagree.
SEAL_MISMATCH = "audit.seal_mismatch"
_SEAL = AuditSeal.__table__


def canonical_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def json_default(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | UUID | PurePath):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"{type(value).__name__} cannot be stored in the audit log")


def jsonable(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The value exactly as the JSON column gives it back, so the hash survives a reload."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=json_default, allow_nan=False))


def event_hash(event: AuditEvent | Row[Any]) -> str:
    """Hash of the event's content and its predecessor's hash."""
    payload = {
        "seq": event.seq,
        "occurred_at": canonical_time(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }
    return content_hash(payload)


#: The same options as json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":")),
#: built once: record_many hashes hundreds of thousands of events.
_HASH_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(_HASH_ENCODER.encode(payload).encode()).hexdigest()


def _read_seal(session: Session) -> Row[Any] | None:
    """The sealed head (seq, hash), or None before the first event."""
    return session.execute(select(_SEAL.c.seq, _SEAL.c.hash).where(_SEAL.c.id == 1)).first()


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    event_id: int | None
    message: Message

    def as_message(self) -> Message:
        """`event #4 (id 17): content was edited after it was written`, for any reader."""
        if self.event_id:
            return Message(N_("event #%(seq)d (id %(id)d): %(problem)s"),
                           seq=self.seq, id=self.event_id, problem=self.message)  # fmt: skip
        return Message(N_("event #%(seq)d: %(problem)s"), seq=self.seq, problem=self.message)

    def __str__(self) -> str:
        return str(self.as_message())


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
                deleted = Message(N_("missing: event %(span)s deleted"), span=span)
                problems.append(ChainProblem(expected, None, deleted))
            if event.prev_hash != state["hash"]:
                problems.append(
                    ChainProblem(
                        event.seq,
                        event.id,
                        Message(
                            N_(
                                "does not follow the event before it (an event was "
                                "inserted, deleted or re-linked here)"
                            )
                        ),
                    )
                )
            if event_hash(event) != event.hash:
                problems.append(
                    ChainProblem(
                        event.seq, event.id, Message(N_("content was edited after it was written"))
                    )
                )
            if event.action == SEAL_MISMATCH:
                problems.append(
                    ChainProblem(
                        event.seq,
                        event.id,
                        Message(
                            N_(
                                "when this event was written the seal said %(seal)s but the "
                                "log ended at %(end)s: events were added or the seal was "
                                "changed outside Dudao"
                            ),
                            seal=event.before,
                            end=event.after,
                        ),
                    )
                )
            state.update(seq=event.seq, id=event.id, hash=event.hash)


def verify_chain(session: Session, batch_size: int = 5000) -> list[ChainProblem]:
    """Walk the chain in order and name every row that was edited, inserted or deleted."""
    state: dict[str, Any] = {"seq": 0, "id": None, "hash": GENESIS_HASH}
    problems = _walk(session, state, batch_size)
    seal = _read_seal(session)
    # Events committed while we walked move the seal on; walk those too.
    while seal is not None and seal.seq > state["seq"]:
        seen = state["seq"]
        problems += _walk(session, state, batch_size)
        if state["seq"] == seen:
            break
        seal = _read_seal(session)
    last_seq, last_id = state["seq"], state["id"]
    if seal is None:
        if last_seq:
            problems.append(
                ChainProblem(
                    last_seq,
                    last_id,
                    Message(
                        N_(
                            "the seal (audit_seal) is missing: deleted newest events cannot "
                            "be ruled out"
                        )
                    ),
                )
            )
    elif seal.seq > last_seq:
        span = f"#{seal.seq}" if seal.seq == last_seq + 1 else f"#{last_seq + 1}..#{seal.seq}"
        problems.append(
            ChainProblem(
                last_seq + 1,
                None,
                Message(
                    N_("missing: newest event %(span)s deleted (the seal records #%(seq)d)"),
                    span=span,
                    seq=seal.seq,
                ),
            )
        )
    elif seal.seq < last_seq:
        extra = session.execute(
            select(AuditEvent.seq, AuditEvent.id)
            .where(AuditEvent.seq > seal.seq)
            .order_by(AuditEvent.seq)
        ).all()
        problems += [
            ChainProblem(
                row.seq,
                row.id,
                Message(N_("added outside Dudao: the seal ends at #%(seq)d"), seq=seal.seq),
            )
            for row in extra
        ]
    elif seal.hash != state["hash"]:
        problems.append(
            ChainProblem(
                last_seq,
                last_id,
                Message(N_("does not match the seal: the newest event was replaced")),
            )
        )
    return problems


def chain_head(session: Session) -> tuple[int, str]:
    """The sealed head (seq, hash), for writing down outside the database."""
    seal = _read_seal(session)
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
        gone = Message(N_("missing: this event was written down earlier but is gone"))
        return ChainProblem(seq, None, gone)
    if row.hash != expected_hash.strip().lower():
        return ChainProblem(
            seq,
            row.id,
            Message(N_("differs from the hash written down earlier: the log was rewritten")),
        )
    return None
