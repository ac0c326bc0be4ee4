"""Shared by the audit log tests: the audit events as stored, oldest first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.audit.models import AuditEvent


def audit_events(session: Session) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
