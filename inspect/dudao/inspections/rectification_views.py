"""Rectification pages (整改): the tasks a viewer works on, one task with its finding and
history, the owner unit's answer with photo evidence, and the workflow actions (verify,
reopen, cancel) — every change through rectifications.act and so the workflow engine."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from dudao.audit.models import AuditEvent
from dudao.core.errors import PermissionDenied
from dudao.core.permissions import Permission, can, scope_paths
from dudao.definitions.answers import EVIDENCE_PHOTOS_MAX
from dudao.inspections import photos as photo_service
from dudao.inspections import rectification_queries as queries
from dudao.inspections import rectifications as rect_service
from dudao.inspections.api_support import may_see, may_see_task
from dudao.inspections.forms import AnswerForm
from dudao.inspections.models import Inspection
from dudao.inspections.queries import users_by_id
from dudao.inspections.rectifications import ANSWER_ACTIONS
from dudao.inspections.submission_models import Photo, Rectification
from dudao.inspections.submissions import FieldErrors
from dudao.inspections.views import describe
from dudao.scheduling.recurrence import org_today
from dudao.web.access import requires
from dudao.web.context import db, runtime
from dudao.web.setup import select_locale
from dudao.web.uploads import MB, UploadLimits, accepts_uploads
from dudao.workflow import engine
from dudao.workflow.actions import ActionForm, act_from_form
from dudao.workflow.registry import get_workflow
from dudao.workflow.spec import Workflow

bp = Blueprint("rectifications", __name__, template_folder="templates")

#: An answer's photos as a phone takes them, several in one request (a tablet sends its
#: photos one at a time through the API): as many as an item's evidence, 10 MB each.
EVIDENCE = UploadLimits(
    EVIDENCE_PHOTOS_MAX, 10 * MB, photo_service.SUFFIXES, photo_service.UNSUPPORTED
)

Page = str | tuple[str, int]


def _task(rectification_id: int) -> Rectification:
    """The task, or 404 for anyone who may see neither it (as for the API) nor the page of
    its inspection (which shows its findings and tasks)."""
    task = db().get(Rectification, rectification_id)
    inspection = db().get(Inspection, task.finding.inspection_id) if task else None
    if task is None or inspection is None:
        abort(404)
    if not (
        may_see_task(current_user, task, inspection)
        or can(current_user, Permission.VIEW_UNITS, inspection.unit)
    ):
        abort(404)
    return task


@bp.get("/rectifications")
@requires(Permission.VIEW_UNITS)
def index() -> str:
    today = org_today(db())
    groups = queries.task_list(
        db(), current_user.id, scope_paths(current_user, Permission.LEAD_UNIT),
        scope_paths(current_user, Permission.VIEW_OFFICE), today, select_locale(),
    )  # fmt: skip
    return render_template(
        "rectifications/list.html", groups=groups, today=today,
        workflow=get_workflow("rectification"), locale=select_locale(),
        verified_shown=queries.VERIFIED_SHOWN,
    )  # fmt: skip


def history_line(event: AuditEvent, workflow: Workflow, people: dict) -> str:
    if event.action == "rectification.open":
        return _("Opened")
    return describe(event, workflow, people)


def _render(
    task: Rectification,
    forms: dict[str, ActionForm] | None = None,
    status: int = 200,
    answer: AnswerForm | None = None,
    kept: list[str] | None = None,
) -> Page:
    workflow = get_workflow(task.workflow)
    actions = engine.available_actions(current_user, task)
    may_check = rect_service.may_check(db(), current_user, task)
    answering = rect_service.answers_among(actions)
    shown = [
        t for t in actions
        if t.action not in ANSWER_ACTIONS and (t.action not in rect_service.CHECKS or may_check)
    ]  # fmt: skip
    forms = forms or {}
    for transition in shown:
        forms.setdefault(
            transition.action,
            ActionForm(formdata=None, action=transition.action, expected_version=task.version),
        )
    if answering and answer is None:
        answer = AnswerForm(formdata=None, expected_version=task.version)
    detail = queries.task_detail(db(), task, select_locale())
    events = queries.task_history(db(), task.id)
    people = users_by_id(db(), {e.actor_id for e in events if e.actor_id})
    # Only while the workflow still waits for the owner's answer (not once cancelled).
    owner_answers = any(t.action in ANSWER_ACTIONS for t in workflow.transitions_from(task.state))
    reopened = _unanswered_reopening(events) if owner_answers else None
    return render_template(
        "rectifications/show.html", detail=detail, task=task, workflow=workflow,
        actions=shown, forms=forms, answer=answer if answering else None, kept=kept or [],
        events=events, people=people, history_line=history_line, today=org_today(db()),
        reopened=reopened, limits=EVIDENCE, locale=select_locale(),
        photos_visible=may_see(current_user, db().get(Inspection, task.finding.inspection_id)),
    ), status  # fmt: skip


def _unanswered_reopening(events: list[AuditEvent]) -> AuditEvent | None:
    """The reopening the owner has not answered yet, whose reason they read first (not only
    in the history); a timer's step (overdue) may have come after it."""
    for event in reversed(events):
        if event.action == "rectification.submit":
            return None
        if event.action == "rectification.reopen":
            return event
    return None


@bp.get("/rectifications/<int:rectification_id>")
@requires(Permission.VIEW_UNITS)
def show(rectification_id: int) -> Page:
    return _render(_task(rectification_id))


@bp.post("/rectifications/<int:rectification_id>/act")
@requires(Permission.VIEW_UNITS)
def act(rectification_id: int) -> object:
    task = _task(rectification_id)

    def perform(form: ActionForm) -> None:
        text = form.reason.data if form.action.data == "cancel" else form.comment.data
        rect_service.act(
            db(), current_user, task, form.action.data, text or "",
            expected_version=form.expected_version.data,
        )  # fmt: skip

    return act_from_form(
        task,
        lambda forms, status: _render(db().get(Rectification, rectification_id), forms, status),
        url_for("rectifications.show", rectification_id=task.id),
        _("This task was changed by someone else meanwhile. Here it is as it is now; check "
          "it and try again."),
        lambda state: _("Done. The task is now: %(state)s", state=state),
        perform=perform,
    )  # fmt: skip


def _kept_photos(task: Rectification) -> list[str]:
    """Evidence photos an earlier, refused attempt already stored for this task's item."""
    wanted = list(dict.fromkeys(request.form.getlist("kept")))
    if not wanted:
        return []
    found = set(
        db().scalars(
            select(Photo.id).where(
                Photo.id.in_(wanted),
                Photo.inspection_id == task.finding.inspection_id,
                Photo.item_key == task.finding.item_key,
            )
        )
    )
    return [photo_id for photo_id in wanted if photo_id in found]


def _store_uploads(task: Rectification, field: str, kept: list[str]) -> tuple[list[str], list[str]]:
    """Store each uploaded photo at once (committed, so a refused answer keeps it): the kept
    photo ids with the new ones, and what was wrong with the others, by file name."""
    inspection = db().get(Inspection, task.finding.inspection_id)
    settings = runtime().settings
    uploads = [upload for upload in request.files.getlist(field) if upload and upload.filename]
    if len(uploads) > EVIDENCE.files:
        return kept, [_("Choose at most %(n)s files.", n=EVIDENCE.files)]
    problems = []
    for upload in uploads:
        data = upload.read()
        if len(data) > EVIDENCE.file_bytes:
            problems.append(_("%(file)s is larger than %(size)s MB: choose a smaller file.",
                              file=upload.filename, size=EVIDENCE.file_mb))  # fmt: skip
            continue
        try:
            photo, _created = photo_service.store_photo(
                db(), current_user, inspection, task.finding.item_key, data,
                settings.data_dir, settings.tz,
            )  # fmt: skip
        except FieldErrors as exc:
            db().rollback()
            problems.append(f"{upload.filename}: {exc.in_language(get_translations())}")
            continue
        db().commit()
        kept = [*kept, photo.id] if photo.id not in kept else kept
    return kept, problems


@bp.post("/rectifications/<int:rectification_id>/answer")
@accepts_uploads(EVIDENCE)
@requires(Permission.LEAD_UNIT)
def answer(rectification_id: int) -> object:
    """The owner unit's lead answers: what was done (required) and photos as evidence.

    Photos that pass the checks are stored at once (as the API's upload does), so when the
    answer is refused they come back as kept and the lead need not choose them again."""
    task = _task(rectification_id)
    if not can(current_user, Permission.LEAD_UNIT, task.unit):
        abort(403)
    if not rect_service.awaits_answer(current_user, task):
        flash(_("This task cannot be answered now."), "error")
        return _render(task, status=409)
    form = AnswerForm()
    kept = _kept_photos(task)
    if not form.validate():
        if form.expected_version.errors:
            abort(400)
        return _render(task, status=422, answer=form, kept=kept)
    kept, problems = _store_uploads(task, form.photos.name, kept)
    task = db().get(Rectification, rectification_id)
    if problems:
        form.photos.errors = problems
        return _render(task, status=422, answer=form, kept=kept)
    try:
        rect_service.act(
            db(), current_user, task, "submit", form.response.data or "", kept,
            expected_version=form.expected_version.data,
        )  # fmt: skip
    except PermissionDenied:
        db().rollback()
        abort(403)
    except engine.Conflict:
        db().rollback()
        flash(_("This task was changed by someone else meanwhile. Here it is as it is now; "
                "your answer is kept below."), "error")  # fmt: skip
        fresh = db().get(Rectification, rectification_id)
        form.expected_version.data = fresh.version
        return _render(fresh, status=409, answer=form, kept=kept)
    except engine.TransitionRefused as exc:
        db().rollback()
        if exc.names("comment"):
            form.response.errors = [_("Say what was done: the verifier reads this first.")]
        else:
            flash(_("Not done: %(reason)s", reason=exc.in_language(get_translations())), "error")
        fresh = db().get(Rectification, rectification_id)
        return _render(fresh, status=422, answer=form, kept=kept)
    db().commit()
    flash(_("Answer sent for verification."), "success")
    return redirect(url_for("rectifications.show", rectification_id=task.id))
