"""Each user's notification centre: filter by kind, open the subject, mark read."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from dudao.notifications.models import Notification
from dudao.notifications.queries import PAGE, batches, unread_by_kind
from dudao.notifications.queries import inbox as inbox_query
from dudao.notifications.services import KINDS, mark_read
from dudao.notifications.titles import title_in
from dudao.web.access import signed_in
from dudao.web.context import db
from dudao.web.setup import select_locale
from dudao.web.urls import safe_next

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.get("/notifications")
@signed_in
def inbox() -> str:
    kind = request.args.get("kind") or None
    kind = kind if kind in KINDS else None
    unread_only = request.args.get("unread") == "1"
    items = inbox_query(db(), current_user.id, kind, unread_only)
    return render_template(
        "notifications/inbox.html",
        runs=batches(items),
        truncated=len(items) == PAGE,
        counts=unread_by_kind(db(), current_user.id),
        kinds=KINDS,
        kind=kind,
        unread_only=unread_only,
        title=lambda n: title_in(n, select_locale()),
    )


@bp.post("/notifications/read")
@signed_in
def read_all() -> Response:
    """Mark the notifications named by the form's `id` fields (one, or a batch's), or with
    none, all of the user's, as read."""
    ids = [int(one) for one in request.form.getlist("id") if one.isdigit()]
    mark_read(db(), current_user.id, ids or None)
    db().commit()
    return redirect(safe_next(request.form.get("next"), url_for("notifications.inbox")))


@bp.get("/notifications/<int:notification_id>")
@signed_in
def open_one(notification_id: int) -> Response:
    """Follow a notification's link: read, as the reader is looking at what it was about."""
    notification = db().get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id or not notification.link:
        abort(404)
    mark_read(db(), current_user.id, [notification.id])
    db().commit()
    return redirect(safe_next(notification.link, url_for("notifications.inbox")))
