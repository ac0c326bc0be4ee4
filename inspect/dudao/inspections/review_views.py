"""The office's review on the inspection page (approve, or return with a comment overall and
per item) and opening a rectification task from a finding; routes on the inspections blueprint.

Both re-render the page with everything typed kept and the message beside its field when
they are refused; nothing changes then.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from dudao.core.errors import PermissionDenied
from dudao.core.permissions import Permission
from dudao.inspections import rectifications as rect_service
from dudao.inspections.forms import ReviewForm
from dudao.inspections.models import Inspection
from dudao.inspections.review_page import rectification_form
from dudao.inspections.reviews import review
from dudao.inspections.submission_models import Finding
from dudao.inspections.submissions import FieldErrors, SubmissionConflict, latest_submission
from dudao.inspections.views import Page, _inspection, _render, bp
from dudao.org.models import Unit
from dudao.scheduling.recurrence import org_today
from dudao.web.access import get_on, requires
from dudao.web.context import db
from dudao.workflow import engine

COMMENT_PREFIX = "c_"
CHANGED = _l("This inspection was changed by someone else meanwhile. Here it is as it is now; "
            "check it and try again.")  # fmt: skip
NOT_OPENED = _l("The task was not opened: see what to correct under the finding.")


def _item_comments() -> dict[str, str]:
    return {
        key[len(COMMENT_PREFIX) :]: value
        for key, value in request.form.items()
        if key.startswith(COMMENT_PREFIX)
    }


@bp.post("/inspections/<int:inspection_id>/review")
@requires(Permission.VIEW_OFFICE)
def review_submission(inspection_id: int) -> Page:
    inspection = get_on(Permission.VIEW_OFFICE, Inspection, inspection_id)
    form = ReviewForm()
    comments = _item_comments()

    def again(status: int, item_errors: dict[str, str] | None = None) -> Page:
        fresh = db().get(Inspection, inspection_id)
        return _render(
            fresh, status=status, review_form=form, item_comments=comments,
            item_errors=item_errors,
        )  # fmt: skip

    if not form.validate():
        if form.decision.errors or form.expected_version.errors:
            abort(400)
        return again(422)
    submission = latest_submission(db(), inspection.id)
    if submission is None:
        flash(_("There is no submission to review."), "error")
        return again(409)
    try:
        review(
            db(), current_user, inspection, submission, form.decision.data,
            comment=form.comment.data or "", item_comments=comments,
            expected_version=form.expected_version.data,
        )  # fmt: skip
    except PermissionDenied:
        db().rollback()
        abort(403)
    except engine.Conflict:
        db().rollback()
        flash(str(CHANGED), "error")
        return again(409)
    except SubmissionConflict as exc:
        db().rollback()
        flash(exc.in_language(get_translations()), "error")
        return again(409)
    except FieldErrors as exc:
        db().rollback()
        flash(exc.in_language(get_translations()), "error")
        fields = exc.fields_in(get_translations())
        fields.pop("item_comments", None)
        return again(422, fields)
    except engine.TransitionRefused as exc:
        db().rollback()
        if exc.names("comment"):
            form.comment.errors = [_("Say why it is returned: the inspector reads this first.")]
            flash(_("Not returned yet: the comment is missing."), "error")
        else:
            flash(_("Not done: %(reason)s", reason=exc.in_language(get_translations())), "error")
        return again(422)
    db().commit()
    if form.decision.data == "return":
        flash(_("Returned to the inspector with your comments."), "success")
    else:
        flash(_("Approved."), "success")
    return redirect(url_for("inspections.show", inspection_id=inspection.id))


@bp.post("/inspections/<int:inspection_id>/findings/<int:finding_id>/rectification")
@requires(Permission.VIEW_UNITS)
def open_rectification(inspection_id: int, finding_id: int) -> Page:
    """An inspector or the office opens the corrective task for a finding."""
    inspection = _inspection(inspection_id)
    finding = db().get(Finding, finding_id)
    if finding is None or finding.inspection_id != inspection.id:
        abort(404)
    if not rect_service.may_open(current_user, finding, inspection):
        abort(403)
    today = org_today(db())
    form = rectification_form(finding.id, inspection.unit, today, formdata=request.form)

    def again(status: int, message: str = str(NOT_OPENED)) -> Page:
        # The page opens at its top, far above the form under the finding: say so there.
        flash(message, "error")
        return _render(db().get(Inspection, inspection_id), status=status,
                       task_forms={finding_id: form})  # fmt: skip

    if not form.validate():
        return again(422)
    owner = db().get(Unit, form.owner_unit.data)
    assert owner is not None  # one of the choices
    try:
        task = rect_service.open_rectification(
            db(), current_user, finding, owner, form.deadline.data, form.description.data or ""
        )
    except PermissionDenied:
        db().rollback()
        abort(403)
    except FieldErrors as exc:
        db().rollback()
        for name, message in exc.fields_in(get_translations()).items():
            getattr(form, name).errors = [message]
        return again(422)
    except SubmissionConflict as exc:
        db().rollback()
        return again(409, exc.in_language(get_translations()))
    db().commit()
    flash(_("Rectification task opened; the unit's leads are told."), "success")
    return redirect(url_for("rectifications.show", rectification_id=task.id))
