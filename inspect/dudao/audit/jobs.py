"""Nightly verification of the audit chain; admins get an alert when it is broken."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.audit.services import ChainProblem, verify_chain
from dudao.auth.models import RoleGrant
from dudao.core.enums import Role
from dudao.core.jobs import job_session
from dudao.notifications.services import notify


def alert_admins(session: Session, problems: list[ChainProblem], day: date) -> int:
    """One alert per admin per day of failure, however often the check runs."""
    admin_ids = set(session.scalars(select(RoleGrant.user_id).where(RoleGrant.role == Role.ADMIN)))
    listed = "\n".join(str(p) for p in problems[:20])
    more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
    return notify(
        session,
        admin_ids,
        key=f"audit-chain-broken:{day.isoformat()}",
        kind="alert",
        title=f"审计日志校验失败 / Audit log verification failed ({len(problems)})",
        body=listed + more,
        link="/audit",
    )


def verify_audit_chain() -> dict[str, int]:
    with job_session() as session:
        problems = verify_chain(session)
        alerted = alert_admins(session, problems, date.today()) if problems else 0
    return {"problems": len(problems), "alerted": alerted}
