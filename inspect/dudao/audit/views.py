"""The audit log, newest first."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from dudao.audit.models import AuditEvent
from dudao.core.permissions import Permission
from dudao.web.access import requires
from dudao.web.context import db

bp = Blueprint("audit", __name__, template_folder="templates")


@bp.get("/audit")
@requires(Permission.VIEW_AUDIT)
def events() -> str:
    rows = db().scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(200)).all()
    return render_template("audit/events.html", events=rows)
