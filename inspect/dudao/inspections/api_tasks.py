"""The API's findings and rectification endpoints (same blueprint as api.py)."""

from __future__ import annotations

from datetime import date

from flask import Response, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from dudao.core.permissions import Permission, can
from dudao.inspections import rectifications as rect_service
from dudao.inspections.api import bp
from dudao.inspections.api_body import json_body
from dudao.inspections.api_photos import stored_upload
from dudao.inspections.api_support import (
    ApiError,
    api_requires,
    api_signed_in,
    may_see_task,
    may_work_on,
    task_body,
)
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Finding, Rectification
from dudao.org.models import Unit
from dudao.web.context import db


@bp.post("/findings/<int:finding_id>/rectifications")
@api_signed_in
def open_rectification(finding_id: int) -> Response:
    finding = db().get(Finding, finding_id)
    inspection = db().get(Inspection, finding.inspection_id) if finding else None
    if inspection is None or not may_work_on(current_user, inspection):
        raise ApiError(404, "not_found", _("No such finding."))
    body = json_body()
    owner = db().query(Unit).filter(Unit.code == body.text("owner_unit")).first()
    if owner is None:
        owner_error = {"owner_unit": _("no unit with this code")}
        raise ApiError(422, "invalid", _("Name the owner unit by its code."), owner_error)
    try:
        deadline = date.fromisoformat(body.text("deadline"))
    except ValueError:
        wrong = _("Give the deadline as a date, YYYY-MM-DD.")
        raise ApiError(422, "invalid", wrong, {"deadline": wrong}) from None
    task = rect_service.open_rectification(
        db(), current_user, finding, owner, deadline, body.text("description"),
        verifier_id=current_user.id if body.flag("verify_myself") else None,
    )  # fmt: skip
    db().commit()
    response = jsonify(task_body(task))
    response.status_code = 201
    return response


def _task(rectification_id: int) -> Rectification:
    task = db().get(Rectification, rectification_id)
    if task is None:
        raise ApiError(404, "not_found", _("No such rectification."))
    inspection = db().get(Inspection, task.finding.inspection_id)
    if not may_see_task(current_user, task, inspection):
        raise ApiError(404, "not_found", _("No such rectification."))
    return task


@bp.post("/rectifications/<int:rectification_id>/photos")
@api_requires(Permission.LEAD_UNIT)
def upload_evidence(rectification_id: int) -> Response:
    """The owner unit's lead adds evidence photos while the task waits for their answer."""
    task = _task(rectification_id)
    if not can(current_user, Permission.LEAD_UNIT, task.unit):
        raise ApiError(403, "forbidden", _("Only the owner unit's leads add evidence."))
    if not rect_service.awaits_answer(current_user, task):
        raise ApiError(409, "wrong_state", _("This task cannot be answered now."))
    inspection = db().get(Inspection, task.finding.inspection_id)
    return stored_upload(inspection, task.finding.item_key)


@bp.get("/rectifications/<int:rectification_id>")
@api_signed_in
def rectification(rectification_id: int) -> Response:
    return jsonify(task_body(_task(rectification_id)))


@bp.post("/rectifications/<int:rectification_id>/actions")
@api_signed_in
def rectification_action(rectification_id: int) -> Response:
    task = _task(rectification_id)
    body = json_body()
    photo_ids = body.texts("photo_ids", _("photo_ids must be a list of photo ids."))
    rect_service.act(
        db(), current_user, task, body.text("action"), body.text("comment"), photo_ids,
        expected_version=body.number("expected_version"),
    )  # fmt: skip
    db().commit()
    return jsonify(task_body(task))
