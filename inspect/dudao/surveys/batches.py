"""Moving pending answers into `survey_response` in shuffled batches (docs/anonymity.md).

A batch is all pending answers of one campaign, moved in one transaction of its
own once at least `BATCH_MIN` have arrived or the campaign is over. Every row of
a batch therefore shares one PostgreSQL transaction id (xmin), gets a fresh
random UUID, and is inserted in a random order, so neither the transaction id,
the physical order nor a sequence says which answer came when. The pending rows
are deleted in the same transaction; on PostgreSQL a VACUUM afterwards clears
their dead tuples from the table's pages.
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from dudao.core.database import utcnow
from dudao.surveys.models import Campaign, PendingResponse, Response

log = logging.getLogger(__name__)

#: A batch is never smaller than this while the campaign is still open.
BATCH_MIN = 10

_random = random.SystemRandom()


@dataclass
class BatchReport:
    batches: int = 0
    moved: int = 0


def _due(session: Session, minimum: int, campaign_id: int | None) -> list[int]:
    """Campaigns with pending answers that are ready: enough of them, or the campaign is over."""
    query = select(PendingResponse.campaign_id, func.count()).group_by(PendingResponse.campaign_id)
    if campaign_id is not None:
        query = query.where(PendingResponse.campaign_id == campaign_id)
    counts = dict(session.execute(query).all())
    if not counts:
        return []
    now = utcnow()
    campaigns = session.scalars(select(Campaign).where(Campaign.id.in_(list(counts))))
    return sorted(c.id for c in campaigns if counts[c.id] >= minimum or c.is_over(now))


def move_batch(session: Session, campaign_id: int, minimum: int = BATCH_MIN) -> int:
    """Move one campaign's pending answers in one shuffled batch; returns how many (0: not yet).

    Rows another worker is moving are skipped (FOR UPDATE SKIP LOCKED), so two
    workers never move one answer twice. The caller commits.
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return 0
    query = select(PendingResponse.id, PendingResponse.unit_id, PendingResponse.answers).where(
        PendingResponse.campaign_id == campaign_id
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.execute(query).all()
    if not rows or (len(rows) < minimum and not campaign.is_over(utcnow())):
        return 0
    _random.shuffle(rows)
    session.execute(
        insert(Response),
        [
            {
                "id": str(uuid.uuid4()),
                "campaign_id": campaign_id,
                "unit_id": unit_id,
                "period_label": campaign.period_label,
                "answers": answers,
            }
            for _id, unit_id, answers in rows
        ],
    )
    deleted = session.execute(
        delete(PendingResponse).where(PendingResponse.id.in_([row[0] for row in rows]))
    )
    if deleted.rowcount != len(rows):  # type: ignore[attr-defined]
        raise RuntimeError("pending answers changed during their batch; it is rolled back")
    return len(rows)


def move_all(
    factory: sessionmaker[Session], campaign_id: int | None = None, minimum: int = BATCH_MIN
) -> BatchReport:
    """Every due campaign, each batch in its own transaction; then VACUUM on PostgreSQL."""
    report = BatchReport()
    with factory() as session:
        due = _due(session, minimum, campaign_id)
    for cid in due:
        with factory() as session, session.begin():
            moved = move_batch(session, cid, minimum)
        if moved:
            report.batches += 1
            report.moved += moved
    if report.moved:
        _vacuum(factory)
    return report


def _vacuum(factory: sessionmaker[Session]) -> None:
    """Remove the deleted pending rows' dead tuples (best effort; autovacuum does it later)."""
    engine = factory.kw.get("bind")
    if engine is None or engine.dialect.name != "postgresql":
        return
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM survey_pending_response"))
    except Exception:  # pragma: no cover - a missing privilege must not fail the batch
        log.warning("VACUUM survey_pending_response failed; autovacuum will clear it")
