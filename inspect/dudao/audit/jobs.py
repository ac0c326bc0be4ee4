"""Nightly verification of the audit chain; admins get an alert when it is broken.

Idempotent: it only reads the chain and sends a notification keyed by the day,
so running it twice (a retry, a second cron, a worker killed half-way) sends
each admin one alert per day at most.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.audit.chain import ChainProblem, chain_head, verify_chain
from dudao.audit.queries import reads_whole_log, top_units
from dudao.auth.models import RoleGrant, User
from dudao.core.enums import Role
from dudao.core.jobs import job_session
from dudao.notifications.services import notify
from dudao.scheduling.recurrence import org_today

log = logging.getLogger(__name__)

ALERT_KIND = "alert"
SHOWN_PROBLEMS = 20


def alert_key(day: date) -> str:
    return f"audit-chain-broken:{day.isoformat()}"


def alert_admins(session: Session, problems: list[ChainProblem], day: date) -> int:
    """One alert per active admin per day of failure, however often the check runs: the
    admins who read the whole log (`queries.reads_whole_log`), where the alert links to."""
    granted = select(RoleGrant.user_id).where(RoleGrant.role == Role.ADMIN)
    admins = session.scalars(select(User).where(User.id.in_(granted), User.active.is_(True)))
    tops = top_units(session)
    admin_ids = {user.id for user in admins if reads_whole_log(session, user, tops)}
    listed = "\n".join(str(p) for p in problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    return notify(
        session,
        admin_ids,
        key=alert_key(day),
        kind=ALERT_KIND,
        title=f"审计日志校验失败 / Audit log verification failed ({len(problems)})",
        body=listed + (f"\n… and {more} more (run `dudao audit verify`)" if more > 0 else ""),
        link="/audit",
    )


def verify_audit_chain() -> dict[str, int]:
    """Check the whole chain; on failure alert the admins (the day is the organisation's)."""
    with job_session() as session:
        problems = verify_chain(session)
        alerted = alert_admins(session, problems, org_today(session)) if problems else 0
        seq, digest = chain_head(session)
    # The worker's log lives outside the database: a head to check later with
    # `dudao audit verify --expect SEQ:HASH` even if someone re-seals the whole table.
    log.info("Audit chain head %s:%s, %d problem(s).", seq, digest, len(problems))
    return {"problems": len(problems), "alerted": alerted}
