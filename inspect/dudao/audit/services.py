"""Append to and verify the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dudao.audit.models import AuditEvent
from dudao.core.database import utcnow

GENESIS_HASH = "0" * 64
SYSTEM_ACTOR = "system"
_ADVISORY_LOCK_KEY = 0x64756461  # "duda": serialises appends on PostgreSQL


def _canonical_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(event: AuditEvent) -> str:
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
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


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
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        occurred_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None) or SYSTEM_ACTOR,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=before,
        after=after,
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    event_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"event #{self.seq}" + (f" (id {self.event_id})" if self.event_id else "")
        return f"{where}: {self.message}"


def verify_chain(session: Session, batch_size: int = 5000) -> list[ChainProblem]:
    """Walk the chain in order and name every row that was edited, inserted or deleted."""
    problems: list[ChainProblem] = []
    expected_seq, prev_hash = 1, GENESIS_HASH
    last_seq = 0
    while True:
        batch = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.seq > last_seq)
            .order_by(AuditEvent.seq)
            .limit(batch_size)
        ).all()
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq:
                problems.append(
                    ChainProblem(
                        expected_seq,
                        None,
                        f"missing: events {expected_seq}..{event.seq - 1} were deleted",
                    )
                )
            if event.prev_hash != prev_hash:
                problems.append(
                    ChainProblem(
                        event.seq,
                        event.id,
                        "does not follow the event before it "
                        "(an event was inserted, deleted or re-linked)",
                    )
                )
            if event_hash(event) != event.hash:
                problems.append(
                    ChainProblem(event.seq, event.id, "content was edited after it was written")
                )
            expected_seq, prev_hash, last_seq = event.seq + 1, event.hash, event.seq
    return problems
