"""Each user's notification inbox."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from dudao.notifications.models import Notification
from dudao.notifications.services import mark_read
from dudao.web.access import signed_in
from dudao.web.context import db

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.get("/notifications")
@signed_in
def inbox() -> str:
    items = (
        db()
        .scalars(
            select(Notification)
            .where(Notification.user_id == current_user.id)
            .order_by(Notification.created_at.desc())
            .limit(200)
        )
        .all()
    )
    return render_template("notifications/inbox.html", items=items)


@bp.post("/notifications/read")
@signed_in
def read_all() -> Response:
    mark_read(db(), current_user.id)
    db().commit()
    return redirect(url_for("notifications.inbox"))
