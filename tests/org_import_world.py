"""Shared by the org chart import tests: a CSV file's bytes, counts, an import run or refused."""

from __future__ import annotations

from sqlalchemy import func, select

from dudao.audit.models import AuditEvent
from dudao.org.importing import import_org_chart
from dudao.org.models import Unit

HEADER = "code,name,parent,level"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def counts(session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(Unit)),
        session.scalar(select(func.count()).select_from(AuditEvent)),
    )


def run(session, data: bytes, filename: str = "org.csv", **kwargs):
    report = import_org_chart(session, None, data, filename, **kwargs)
    if report.ok and not kwargs.get("dry_run"):
        session.commit()
    else:
        session.rollback()
    return report


def rejected(session, data: bytes, filename: str = "org.csv", **kwargs):
    """Import `data`, assert it was refused and that nothing changed; return the problems."""
    before = counts(session)
    report = run(session, data, filename, **kwargs)
    assert not report.ok
    assert report.created == report.updated == report.moved == 0
    assert counts(session) == before
    return [(p.row, p.column, p.message) for p in report.errors]
