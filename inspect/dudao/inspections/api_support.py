"""The JSON API's plumbing: JSON errors, sign-in and permission checks, serialisers.

Every error is `{"error": code, "message": text, "fields": {key: message}}` with the
HTTP status that says what kind of problem it is (see docs/api.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, jsonify, request
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from dudao.core.errors import (
    LIST_SEPARATOR,
    N_,
    DudaoError,
    Language,
    NotFound,
    PermissionDenied,
    ValidationError,
    by_field,
)
from dudao.core.permissions import Permission, can
from dudao.inspections.models import Inspection
from dudao.inspections.photos import PhotoRejected
from dudao.inspections.submission_models import Rectification, Submission
from dudao.inspections.submission_store import NewSubmission
from dudao.inspections.submissions import FieldErrors, SubmissionConflict
from dudao.inspections.sync_queries import unit_ref
from dudao.workflow.engine import Conflict, TransitionRefused, UnknownAction, available_actions

F = TypeVar("F", bound=Callable[..., Any])

HTTP_CODES = {
    400: "bad_request", 401: "not_signed_in", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid",
    429: "too_many_requests", 500: "server_error",
}  # fmt: skip
#: What an HTTP error raised outside Dudao's own checks (Werkzeug's, Flask-WTF's) says, in
#: the reader's language instead of the library's English description.
HTTP_MESSAGES = {
    400: N_("The request could not be understood. Reload the page and try again."),
    401: N_("You are signed out; sign in again."),
    403: N_("You do not have permission for this."),
    404: N_("No such object or address, or it is outside your part of the organisation."),
    405: N_("This address does not accept the method %(method)s."),
    413: N_("The upload is too large."),
    429: N_("Too many attempts. Please wait a minute and try again."),
    500: N_("Something went wrong on our side. It has been logged; please try again in a moment."),
}


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def error_response(status: int, code: str, message: str, fields: dict | None = None) -> Response:
    response = jsonify({"error": code, "message": message, "fields": fields or {}})
    response.status_code = status
    return response


def _invalid(
    status: int, code: str, text: str, problems: list[Any], language: Language
) -> Response:
    """A refusal whose problems name their fields in `fields`; those naming none follow
    the message, so that none is lost."""
    fields, others = by_field(problems, language)
    separator = language.gettext(LIST_SEPARATOR)
    message = " ".join([text, separator.join(others)]) if others else text
    return error_response(
        status, code, message, {name: separator.join(texts) for name, texts in fields.items()}
    )


def to_response(exc: Exception) -> Response:
    """The JSON answer for any error a view or service raises, in the reader's language."""
    if isinstance(exc, ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.fields)
    if isinstance(exc, CSRFError):
        refused = _("The page's security token (CSRF) is missing or from an earlier session; "
                    "reload the page and try again.")  # fmt: skip
        return error_response(400, "csrf_failed", refused)
    if isinstance(exc, HTTPException):
        status = exc.code or 500
        said = HTTP_MESSAGES.get(status) or N_("The request could not be completed.")
        return error_response(
            status, HTTP_CODES.get(status, "error"), _(said, method=request.method)
        )
    assert isinstance(exc, DudaoError)
    language = get_translations()
    text = exc.in_language(language)
    if isinstance(exc, FieldErrors):  # PhotoRejected among them, with a code of its own
        fields = exc.fields_in(language)
        code = exc.code if isinstance(exc, PhotoRejected) else "invalid"
        return error_response(413 if code == "image_too_large" else 422, code, text, fields)
    if isinstance(exc, SubmissionConflict):
        return error_response(409, exc.code, text)
    if isinstance(exc, Conflict):
        return error_response(409, "changed_meanwhile", text)
    if isinstance(exc, TransitionRefused):
        if exc.names("action") and not isinstance(exc, UnknownAction):
            return _invalid(409, "wrong_state", text, exc.problems, language)
        return _invalid(422, "invalid", text, exc.problems, language)
    if isinstance(exc, ValidationError):
        return _invalid(422, "invalid", text, exc.problems, language)
    if isinstance(exc, PermissionDenied):
        return error_response(403, "forbidden", text)
    if isinstance(exc, NotFound):
        return error_response(404, "not_found", text)
    return error_response(400, "bad_request", text)


def _mark(view: F, permission: object, check: Callable[[Any], bool]) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_user._get_current_object()
        if not user.is_authenticated:
            raise ApiError(401, "not_signed_in", _("You are signed out; sign in again."))
        if not check(user):
            raise ApiError(403, "forbidden", _("Your roles do not allow this."))
        return view(*args, **kwargs)

    wrapped.required_permission = permission  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def api_requires(permission: Permission) -> Callable[[F], F]:
    """Like web.access.requires, but answers 401/403 in JSON instead of redirecting."""
    return lambda view: _mark(view, permission, lambda user: can(user, permission))


def api_signed_in(view: F) -> F:
    return _mark(view, "signed_in", lambda _user: True)


def may_see(user: Any, inspection: Inspection) -> bool:
    """Assignees, the office over the unit and the unit's leads see an inspection."""
    return (
        getattr(user, "id", None) in inspection.assignee_ids
        or can(user, Permission.VIEW_OFFICE, inspection.unit)
        or can(user, Permission.LEAD_UNIT, inspection.unit)
    )


def may_see_task(user: Any, task: Rectification, inspection: Inspection) -> bool:
    """Who sees an inspection sees its tasks; so do the owner unit's leads and office."""
    return (
        may_see(user, inspection)
        or can(user, Permission.LEAD_UNIT, task.unit)
        or can(user, Permission.VIEW_OFFICE, task.unit)
    )


def may_work_on(user: Any, inspection: Inspection) -> bool:
    """Who reaches the write endpoints; the service then says why an inspector may not."""
    return may_see(user, inspection) or can(user, Permission.INSPECT, inspection.unit)


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def submission_body(submission: Submission | NewSubmission) -> dict[str, Any]:
    """What submit answers; built only from stored, immutable columns, so a replay is identical."""
    return {
        "submission_id": submission.submission_id,
        "inspection_id": submission.inspection_id,
        "definition_version_id": submission.definition_version_id,
        "content_hash": submission.content_hash,
        "submitted_at": iso(submission.submitted_at),
        "score": submission.result,
        "passed": submission.passed,
        "grade": submission.grade,
        "findings": [
            {"id": f.id, "item_key": f.item_key, "critical": f.critical}
            for f in submission.findings
        ],
    }


def review_body(submission: Submission | None) -> dict[str, Any] | None:
    if submission is None:
        return None
    return {
        "submission_id": submission.submission_id,
        "state": submission.review_state,
        "comment": submission.review_comment,
        "item_comments": submission.item_comments or {},
        "reviewed_at": iso(submission.reviewed_at),
    }


def task_body(task: Rectification) -> dict[str, Any]:
    return {
        "id": task.id, "finding_id": task.finding_id, "item_key": task.finding.item_key,
        "owner_unit": unit_ref(task.unit),
        "state": task.state, "version": task.version, "deadline": task.deadline.isoformat(),
        "description": task.description, "response": task.response,
        "evidence_photo_ids": task.evidence_photo_ids or [], "verifier_id": task.verifier_id,
        "actions": [t.action for t in available_actions(current_user, task)],
    }  # fmt: skip
