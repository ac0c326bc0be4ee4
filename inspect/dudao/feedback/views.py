"""Named feedback pages: representatives submit and read answers; the office handles.

Representatives (give_feedback) write opinions and suggestions about units in their
scope and see only their own items (/feedback/mine...); the office (view_office)
records report meetings and research notes, and handles every item about its
subtree through the `feedback` workflow (/feedback...). Anything else is a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HttpResponse

from dudao.core.errors import PermissionDenied, shown
from dudao.core.permissions import Permission, scope_paths
from dudao.feedback import queries, services
from dudao.feedback.forms import FeedbackForm
from dudao.feedback.models import (
    CATEGORIES,
    CATEGORY_LABELS,
    KIND_LABELS,
    STATE_LABELS,
    FeedbackAttachment,
    FeedbackItem,
    FeedbackKind,
    category_label,
)
from dudao.org.models import Unit
from dudao.org.queries import in_tree_order, within
from dudao.web.access import get_on, requires
from dudao.web.context import db, runtime
from dudao.web.downloads import send_named
from dudao.web.setup import select_locale, unit_choices
from dudao.web.uploads import UploadLimits, accepts_uploads
from dudao.workflow.engine import FIELD_MAX, Conflict, TransitionRefused, available_actions

bp = Blueprint("feedback", __name__, url_prefix="/feedback", template_folder="templates")

ATTACHMENTS = UploadLimits(
    services.MAX_ATTACHMENTS,
    services.MAX_ATTACHMENT_BYTES,
    services.ALLOWED_SUFFIXES,
    services.UNSUPPORTED,
)


Page = str | tuple[str, int] | HttpResponse


def _office_item(feedback_id: int) -> FeedbackItem:
    """An item about a unit in the office's subtree, or 404."""
    return get_on(Permission.VIEW_OFFICE, FeedbackItem, feedback_id)


def _own_item(feedback_id: int) -> FeedbackItem:
    """The signed-in author's own item, or 404."""
    item = db().get(FeedbackItem, feedback_id)
    if item is None or item.author_id != current_user.id:
        abort(404)
    return item


def _labels() -> dict[str, object]:
    return {"kinds": KIND_LABELS, "categories": CATEGORY_LABELS, "states": STATE_LABELS}


@bp.get("")
@requires(Permission.VIEW_OFFICE)
def queue() -> str:
    items = queries.in_scope(db(), scope_paths(current_user, Permission.VIEW_OFFICE))
    return render_template("feedback/index.html", items=items, office=True, **_labels())


@bp.get("/mine")
@requires(Permission.GIVE_FEEDBACK)
def mine() -> str:
    items = queries.by_author(db(), current_user.id)
    return render_template("feedback/index.html", items=items, office=False, **_labels())


def _form(kinds: list[FeedbackKind], permission: Permission) -> FeedbackForm:
    english = select_locale().startswith("en")
    form = FeedbackForm()
    form.kind.choices = [(str(k), KIND_LABELS[k][english]) for k in kinds]
    form.category.choices = [(c, category_label(c, english)) for c in CATEGORIES]
    units = db().scalars(
        select(Unit).where(within(scope_paths(current_user, permission)), Unit.active.is_(True))
    )
    form.unit.choices = unit_choices(in_tree_order(units))
    return form


def _submit(form: FeedbackForm, done: str) -> Page:
    refused: set[str | None] = set()
    if form.validate_on_submit():
        unit = db().get(Unit, form.unit.data)
        uploads = [
            services.Upload(f.filename or "file", f.read(), f.mimetype or "")
            for f in request.files.getlist(form.attachments.name) if f and f.filename
        ]  # fmt: skip
        try:
            item = services.submit_feedback(
                db(), current_user, unit=unit, kind=FeedbackKind(form.kind.data),
                category=form.category.data or "", title=form.title.data or "",
                body=form.body.data or "", uploads=uploads,
                data_dir=runtime().settings.data_dir,
            )  # fmt: skip
        except services.Refused as exc:
            form.attachments.errors = [_(text, **params) for text, params in exc.located]
            refused = {params.get("file") for _text, params in exc.located}
        else:
            db().commit()
            flash(_("Saved. The answer will appear on this page."), "success")
            return redirect(url_for(done, feedback_id=item.id))
    # A browser keeps no file: the good ones are gone too, and are named to choose again.
    chosen = [f.filename for f in request.files.getlist(form.attachments.name)
              if f.filename and f.filename not in refused]  # fmt: skip
    if form.errors and chosen:
        form.attachments.errors = [
            *form.attachments.errors,
            # TRANSLATORS: joins file names in a sentence ("a.pdf, b.txt"; 、in Chinese).
            _("Not saved, so the files you chose (%(names)s) were not kept: choose them again.",
              names=_(", ").join(chosen)),
        ]  # fmt: skip
    status = 422 if form.errors else 200
    return render_template("feedback/new.html", form=form, limits=ATTACHMENTS.attributes()), status


@bp.route("/new", methods=["GET", "POST"])
@accepts_uploads(ATTACHMENTS)
@requires(Permission.GIVE_FEEDBACK)
def create() -> Page:
    """A representative's opinion or suggestion about a unit in their scope."""
    return _submit(_form([FeedbackKind.OPINION], Permission.GIVE_FEEDBACK), "feedback.my_item")


@bp.route("/record", methods=["GET", "POST"])
@accepts_uploads(ATTACHMENTS)
@requires(Permission.VIEW_OFFICE)
def record() -> Page:
    """The office's record of a report meeting or a research visit."""
    form = _form([FeedbackKind.REPORT_MEETING, FeedbackKind.RESEARCH], Permission.VIEW_OFFICE)
    return _submit(form, "feedback.show")


def _office_page(
    item: FeedbackItem, status: int = 200, typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None, unsent: str = "",
) -> Page:  # fmt: skip
    """The office's page of an item: `typed` keeps an action's text in its form, `errors`
    says beside it what is wrong, `unsent` shows text whose action is no longer possible."""
    actions = available_actions(current_user, item)
    return render_template(
        "feedback/show.html", item=item, actions=actions, office=True, typed=typed or {},
        errors=errors or {}, unsent=unsent, max_length=FIELD_MAX, **_labels(),
    ), status  # fmt: skip


@bp.get("/<int:feedback_id>")
@requires(Permission.VIEW_OFFICE)
def show(feedback_id: int) -> Page:
    return _office_page(_office_item(feedback_id))


@bp.get("/mine/<int:feedback_id>")
@requires(Permission.GIVE_FEEDBACK)
def my_item(feedback_id: int) -> str:
    item = _own_item(feedback_id)
    return render_template("feedback/show.html", item=item, actions=[], office=False,
                           **_labels())  # fmt: skip


@bp.post("/<int:feedback_id>/action")
@requires(Permission.VIEW_OFFICE)
def action(feedback_id: int) -> Page:
    item = _office_item(feedback_id)
    name, comment = request.form.get("action", ""), request.form.get("comment", "")
    try:
        services.handle(
            db(), current_user, item, name,
            expected_version=request.form.get("version", type=int) or -1, comment=comment,
        )  # fmt: skip
    except PermissionDenied:
        db().rollback()
        abort(403)
    except (Conflict, TransitionRefused) as exc:
        db().rollback()
        return _refused(_office_item(feedback_id), name, comment, exc)
    db().commit()
    flash(_("Done."), "success")
    return redirect(url_for("feedback.show", feedback_id=item.id))


def _refused(
    item: FeedbackItem, name: str, comment: str, exc: Conflict | TransitionRefused
) -> Page:
    """The item as it is now, and nothing typed lost: the text stays in its action's form
    while that action is still possible, else it is shown apart, to copy."""
    possible = name in {t.action for t in available_actions(current_user, item)}
    typed, unsent = ({name: comment}, "") if possible else ({}, comment.strip())
    if isinstance(exc, Conflict):
        if not comment.strip():
            flash(_("Someone else changed this item meanwhile. Here it is as it is now."), "error")
        elif possible:
            flash(_("Someone else changed this item meanwhile. Here it is as it is now; your "
                    "text is kept below and can still be sent."), "error")  # fmt: skip
        else:
            flash(_("Someone else changed this item meanwhile. Here it is as it is now: that "
                    "step is no longer possible, so your text is kept below, not sent."),
                  "error")  # fmt: skip
        return _office_page(item, 409, typed, unsent=unsent)
    problem = next((p for p in exc.problems if getattr(p, "field", None) == "comment"), None)
    if problem is None:
        flash(_("This step is not possible now. Here is the item as it is."), "error")
        return _office_page(item, 409, typed, unsent=unsent)
    if problem.problem == "required":
        said = _("Write the answer or comment first.")
    else:  # too long: the engine's words
        said = shown(problem.problem, get_translations())
    flash(said, "error")
    return _office_page(item, 422, typed, {name: said}, unsent)


def _file(item: FeedbackItem, attachment_id: str) -> HttpResponse:
    found = db().get(FeedbackAttachment, attachment_id)
    if found is None or found.item_id != item.id:
        abort(404)
    return send_named(runtime().settings.data_dir / found.path, found.filename, found.content_type)


@bp.get("/<int:feedback_id>/files/<attachment_id>")
@requires(Permission.VIEW_OFFICE)
def attachment(feedback_id: int, attachment_id: str) -> HttpResponse:
    return _file(_office_item(feedback_id), attachment_id)


@bp.get("/mine/<int:feedback_id>/files/<attachment_id>")
@requires(Permission.GIVE_FEEDBACK)
def my_attachment(feedback_id: int, attachment_id: str) -> HttpResponse:
    return _file(_own_item(feedback_id), attachment_id)
