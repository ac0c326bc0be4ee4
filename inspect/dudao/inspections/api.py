"""The tablets' JSON API under /api/v1 (documented in docs/api.md and docs/openapi.yaml).

Session-cookie authentication; every write carries the CSRF token in the
X-CSRFToken header (GET /api/v1/me gives it). Views only parse, authorise, call a
service and commit once; every error answers JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from dudao.core.errors import DudaoError
from dudao.core.permissions import Permission, can
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.inspections import drafts
from dudao.inspections import submissions as sub_service
from dudao.inspections.api_body import json_body
from dudao.inspections.api_support import (
    ApiError,
    api_requires,
    api_signed_in,
    error_response,
    iso,
    may_see,
    may_work_on,
    review_body,
    submission_body,
    task_body,
    to_response,
)
from dudao.inspections.models import Inspection
from dudao.inspections.reviews import review
from dudao.inspections.submission_models import Finding, Rectification, Submission
from dudao.inspections.sync_queries import assignments, inspection_for_work, unit_ref
from dudao.inspections.work_item import work_item
from dudao.web.context import db
from dudao.workflow.engine import Conflict, available_actions

bp = Blueprint("inspections_api", __name__, url_prefix="/api/v1")
PREFIX = "/api/v1/"


@bp.errorhandler(DudaoError)
@bp.errorhandler(ApiError)
@bp.errorhandler(HTTPException)
def _error(exc: Exception) -> Response:
    db().rollback()
    return to_response(exc)


@bp.errorhandler(Exception)
def _unexpected(exc: Exception) -> Response:
    """A fault of ours still answers in JSON, so a tablet reads it as one and keeps its work;
    the traceback goes to the log."""
    current_app.logger.exception("API request failed: %s %s", request.method, request.path)
    db().rollback()
    said = _("The server failed on this request; nothing of it was stored. Your device keeps "
             "its work: try again later.")  # fmt: skip
    return error_response(500, "server_error", said)


def _not_found_or_page(exc: HTTPException) -> Any:
    """JSON 404/405 for unknown API routes; every other path keeps the HTML error page."""
    if request.path.startswith(PREFIX) or request.path == PREFIX.rstrip("/"):
        return to_response(exc)
    from dudao.web.setup import _error_page

    return _error_page(exc)


bp.app_errorhandler(404)(_not_found_or_page)
bp.app_errorhandler(405)(_not_found_or_page)


def _inspection(inspection_id: int, write: bool = False) -> Inspection:
    return _visible(inspection_for_work(db(), inspection_id), may_work_on if write else may_see)


def _visible(inspection: Any, allowed: Callable[[Any, Any], bool]) -> Any:
    if inspection is None or not allowed(current_user._get_current_object(), inspection):
        raise ApiError(404, "not_found", _("No such inspection."))
    return inspection


def _submission(submission_id: str) -> Submission:
    submission = sub_service.find_submission(db(), str(submission_id))
    if submission is None:
        raise ApiError(404, "not_found", _("No such submission."))
    inspection = db().get(Inspection, submission.inspection_id)
    if inspection is None or not may_see(current_user, inspection):
        raise ApiError(404, "not_found", _("No such submission."))
    return submission


# --- who am I ---------------------------------------------------------------------------------


@bp.get("/me")
@api_signed_in
def me() -> Response:
    return jsonify(
        {
            "id": current_user.id,
            "username": current_user.username,
            "display_name": current_user.display_name,
            "csrf_token": generate_csrf(),
            "max_upload_bytes": current_app.config.get("MAX_CONTENT_LENGTH"),
        }
    )


@bp.get("/assignments")
@api_requires(Permission.INSPECT)
def list_assignments() -> Response:
    return jsonify({"assignments": assignments(db(), current_user.id)})


@bp.get("/definition-versions/<int:version_id>")
@api_signed_in
def definition_version(version_id: int) -> Response:
    """A pinned version's normalised data. Versions are immutable and hold only question
    texts, so any signed-in user may read one and the client may cache it forever."""
    row = (
        db()
        .execute(
            select(DefinitionVersion, FormDefinition.key)
            .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
            .where(DefinitionVersion.id == version_id)
        )
        .first()
    )
    if row is None:
        raise ApiError(404, "not_found", _("No such definition version."))
    version, key = row
    if request.if_none_match.contains_weak(version.content_hash):  # RFC 9110: weak compare
        unchanged = Response(status=304)
        unchanged.set_etag(version.content_hash)
        return unchanged
    response = jsonify(
        {"id": version.id, "definition_key": key, "number": version.number,
         "content_hash": version.content_hash, "data": version.data}
    )  # fmt: skip
    response.set_etag(version.content_hash)
    response.cache_control.private = True
    response.cache_control.max_age = 31536000  # immutable: a change is a new version id
    return response


# --- one inspection ---------------------------------------------------------------------------


@bp.get("/inspections/<int:inspection_id>")
@api_signed_in
def inspection_status(inspection_id: int) -> Response:
    inspection = _inspection(inspection_id)
    session = db()
    latest = sub_service.latest_submission(session, inspection.id)
    findings = (
        session.query(Finding).filter(Finding.submission_pk == latest.id).all() if latest else []
    )
    finding_ids = [f.id for f in findings]
    tasks = session.scalars(
        select(Rectification).where(Rectification.finding_id.in_(finding_ids))
    ).all()
    return jsonify(
        {
            "id": inspection.id, "state": inspection.state, "version": inspection.version,
            "due_date": inspection.due_date.isoformat(),
            "unit": unit_ref(inspection.unit),
            "definition_version_id": inspection.definition_version_id,
            "assigned_to_me": current_user.id in inspection.assignee_ids,
            "actions": [t.action for t in available_actions(current_user, inspection)],
            "latest_submission": submission_body(latest) if latest else None,
            "review": review_body(latest),
            "rectifications": [task_body(t) for t in tasks],
        }
    )  # fmt: skip


@bp.get("/inspections/<int:inspection_id>/draft")
@api_requires(Permission.INSPECT)
def get_draft(inspection_id: int) -> Response:
    inspection = _inspection(inspection_id)
    draft = drafts.draft_of(db(), inspection.id)
    latest = sub_service.latest_submission(db(), inspection.id)
    return jsonify(
        {
            "inspection_id": inspection.id, "state": inspection.state,
            "version": inspection.version,
            "revision": draft.revision if draft else 0,
            "answers": draft.answers if draft else {}, "notes": draft.notes if draft else {},
            "photos": draft.photos if draft else {},
            "updated_at": iso(draft.updated_at) if draft else None,
            "review": review_body(latest),
        }
    )  # fmt: skip


@bp.put("/inspections/<int:inspection_id>/draft")
@api_requires(Permission.INSPECT)
def save_draft(inspection_id: int) -> Response:
    inspection = _inspection(inspection_id, write=True)
    body = json_body()
    wrong = _("base_revision must be the number of the draft revision the answers build on.")
    base = body.number("base_revision", wrong)
    draft = drafts.save_draft(db(), current_user, inspection, body, base)
    db().commit()
    return jsonify(
        {"inspection_id": inspection.id, "revision": draft.revision,
         "updated_at": iso(draft.updated_at)}
    )  # fmt: skip


@bp.post("/inspections/<int:inspection_id>/submissions")
@api_requires(Permission.INSPECT)
def submit(inspection_id: int) -> Response:
    inspection = _visible(work_item(db(), inspection_id), may_work_on)
    body = json_body()
    session = db()
    actor = current_user._get_current_object()  # read often on the way: once, not via the proxy
    try:
        outcome = sub_service.submit(session, actor, inspection, body.get("submission_id"), body)
        session.commit()
    except (IntegrityError, Conflict):
        # Lost a race with a request carrying the same id: replay the winner or refuse.
        session.rollback()
        submission_id = sub_service.normalise_submission_id(body.get("submission_id"))
        digest = sub_service.content_hash(body)
        outcome = sub_service.replay(session, inspection, submission_id, digest)
        if outcome is None:
            raise
    response = jsonify(submission_body(outcome.stored))
    response.status_code = 200 if outcome.replayed else 201
    response.headers["Idempotent-Replayed"] = "true" if outcome.replayed else "false"
    return response


@bp.get("/submissions/<uuid:submission_id>")
@api_signed_in
def submission_status(submission_id: Any) -> Response:
    submission = _submission(submission_id)
    inspection = db().get(Inspection, submission.inspection_id)
    return jsonify(
        {
            **submission_body(submission),
            "review": review_body(submission),
            "inspection": {"id": inspection.id, "state": inspection.state,
                           "version": inspection.version},
        }
    )  # fmt: skip


@bp.post("/submissions/<uuid:submission_id>/review")
@api_requires(Permission.VIEW_OFFICE)
def review_submission(submission_id: Any) -> Response:
    submission = _submission(submission_id)
    inspection = db().get(Inspection, submission.inspection_id)
    if not can(current_user, Permission.VIEW_OFFICE, inspection.unit):
        raise ApiError(404, "not_found", _("No such submission."))
    body = json_body()
    wrong = _("item_comments must be an object of comments keyed by item key.")
    review(
        db(), current_user, inspection, submission, body.text("decision"),
        comment=body.text("comment"), item_comments=body.mapping("item_comments", wrong),
        expected_version=body.number("expected_version"),
    )  # fmt: skip
    db().commit()
    return jsonify(
        {"review": review_body(submission), "inspection": {"state": inspection.state,
                                                           "version": inspection.version}}
    )  # fmt: skip


# Registers the photo, finding and rectification routes on bp.
from dudao.inspections import api_photos, api_tasks  # noqa: E402,F401
