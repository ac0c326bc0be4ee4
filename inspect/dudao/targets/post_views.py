"""Pioneer posts (党员先锋岗): a branch's unit lead registers, edits and retires the posts
of the branches in their scope. The office reads them under /targets/pioneer-posts."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from dudao.core.errors import ValidationError
from dudao.core.permissions import Permission, scope_paths
from dudao.org.models import Unit
from dudao.scheduling.recurrence import org_today
from dudao.targets import queries, services
from dudao.targets.forms import PioneerPostForm, RetireForm
from dudao.targets.models import PioneerPost
from dudao.web.access import get_on, requires
from dudao.web.context import db
from dudao.web.setup import unit_choices

bp = Blueprint("pioneer_posts", __name__, url_prefix="/pioneer-posts", template_folder="templates")

Page = str | tuple[str, int] | Response


def _paths() -> list[str]:
    return scope_paths(current_user, Permission.LEAD_UNIT)


def _post(post_id: int) -> PioneerPost:
    """A post of a branch in the lead's scope, or 404."""
    return get_on(Permission.LEAD_UNIT, PioneerPost, post_id)


@bp.get("")
@requires(Permission.LEAD_UNIT)
def index() -> str:
    retired = request.args.get("retired") == "1"
    found = queries.posts(db(), _paths(), retired=retired, page=request.args.get("page", 1, int))
    return render_template("targets/posts.html", result=found, retired=retired, editable=True,
                           under=None)  # fmt: skip


def _form(post: PioneerPost | None = None) -> PioneerPostForm:
    form = PioneerPostForm(obj=post)
    if post is not None and request.method == "GET":
        form.unit.data, form.version.data = post.unit_id, str(post.version)
    form.unit.choices = unit_choices(queries.branches(db(), _paths()))
    form.today = org_today(db())
    return form


def _fields(form: PioneerPostForm) -> services.PostFields:
    return services.PostFields(
        unit=db().get(Unit, form.unit.data), name=form.name.data or "",
        member_count=form.member_count.data, responsible=form.responsible.data or "",
        established_on=form.established_on.data, description=form.description.data or "",
    )  # fmt: skip


def _page(
    form: PioneerPostForm | RetireForm, template: str, post: PioneerPost | None,
    save: Callable[[], object], done: str, *, open_: bool = True,
) -> Page:  # fmt: skip
    """Validate, save and go back to the list; else the form again, each error beside its
    field (or at the top for a stale page), and nothing saved."""
    if open_ and form.validate_on_submit():
        try:
            save()
        except ValidationError as exc:
            db().rollback()
            if isinstance(exc, services.Stale):
                message = _("Someone else changed this post meanwhile; reload the page.")
                form.version.errors = [message]
            else:
                form.form_errors.append(exc.in_language(get_translations()))
        else:
            db().commit()
            flash(done, "success")
            return redirect(url_for("pioneer_posts.index"))
    return render_template(template, form=form, post=post), 422 if form.errors else 200


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.LEAD_UNIT)
def create() -> Page:
    form = _form()
    return _page(
        form, "targets/post_form.html", None,
        lambda: services.register_post(db(), current_user, _fields(form), form.today),
        _("The pioneer post is registered."),
    )  # fmt: skip


@bp.route("/<int:post_id>/edit", methods=["GET", "POST"])
@requires(Permission.LEAD_UNIT)
def edit(post_id: int) -> Page:
    post = _post(post_id)
    form = _form(post)
    return _page(
        form, "targets/post_form.html", post,
        lambda: services.update_post(db(), current_user, post, _fields(form),
                                     expected_version=form.version.data, today=form.today),
        _("The pioneer post is saved."),
    )  # fmt: skip


@bp.route("/<int:post_id>/retire", methods=["GET", "POST"])
@requires(Permission.LEAD_UNIT)
def retire(post_id: int) -> Page:
    """A retired post stays on record and stops counting towards the target."""
    post = _post(post_id)
    form = RetireForm()
    if request.method == "GET":
        form.version.data = str(post.version)
    form.today, form.established_on = org_today(db()), post.established_on
    return _page(
        form, "targets/post_retire.html", post,
        lambda: services.retire_post(
            db(), current_user, post, retired_on=form.retired_on.data,
            reason=form.reason.data or "", expected_version=form.version.data, today=form.today,
        ),
        _("The pioneer post is retired."), open_=post.retired_on is None,
    )  # fmt: skip
