"""Pioneer posts (党员先锋岗): a branch's unit lead registers, edits and retires the posts
of the branches in their scope. The office reads them under /targets/pioneer-posts."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from dudao.core.errors import ValidationError
from dudao.core.permissions import Permission, scope_paths
from dudao.org.models import Unit
from dudao.scheduling.draw_services import org_today
from dudao.targets import queries, services
from dudao.targets.forms import PioneerPostForm, RetireForm
from dudao.targets.models import PioneerPost
from dudao.web.access import require_on, requires
from dudao.web.context import db

bp = Blueprint("pioneer_posts", __name__, url_prefix="/pioneer-posts", template_folder="templates")

Page = str | tuple[str, int] | Response


def _paths() -> list[str]:
    return scope_paths(current_user, Permission.LEAD_UNIT)


def _post(post_id: int) -> PioneerPost:
    """A post of a branch in the lead's scope, or 404."""
    post = db().get(PioneerPost, post_id)
    require_on(Permission.LEAD_UNIT, post.unit if post else None)
    assert post is not None
    return post


@bp.get("")
@requires(Permission.LEAD_UNIT)
def index() -> str:
    retired = request.args.get("retired") == "1"
    found = queries.posts(db(), _paths(), retired=retired)
    return render_template("targets/posts.html", posts=found, retired=retired, editable=True,
                           under=None)  # fmt: skip


def _form(post: PioneerPost | None = None) -> PioneerPostForm:
    form = PioneerPostForm(obj=post)
    if post is not None and request.method == "GET":
        form.unit.data, form.version.data = post.unit_id, str(post.version)
    form.unit.choices = [(u.id, f"{u.code} {u.name}") for u in queries.branches(db(), _paths())]
    form.today = org_today(db())
    return form


def _fields(form: PioneerPostForm) -> services.PostFields:
    return services.PostFields(
        unit=db().get(Unit, form.unit.data), name=form.name.data or "",
        member_count=form.member_count.data, responsible=form.responsible.data or "",
        established_on=form.established_on.data, description=form.description.data or "",
    )  # fmt: skip


def _saved(message: str) -> Response:
    db().commit()
    flash(message, "success")
    return redirect(url_for("pioneer_posts.index"))


def _refused(form: PioneerPostForm | RetireForm, exc: ValidationError) -> None:
    db().rollback()
    if isinstance(exc, services.Stale):
        form.version.errors = [_("Someone else changed this post meanwhile; reload the page.")]
    else:
        form.form_errors.append(str(exc))


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.LEAD_UNIT)
def create() -> Page:
    form = _form()
    if form.validate_on_submit():
        try:
            services.register_post(db(), current_user, _fields(form), form.today)
        except ValidationError as exc:
            _refused(form, exc)
        else:
            return _saved(_("The pioneer post is registered."))
    return render_template("targets/post_form.html", form=form, post=None), (
        422 if form.errors else 200
    )


@bp.route("/<int:post_id>/edit", methods=["GET", "POST"])
@requires(Permission.LEAD_UNIT)
def edit(post_id: int) -> Page:
    post = _post(post_id)
    form = _form(post)
    if form.validate_on_submit():
        try:
            services.update_post(
                db(), current_user, post, _fields(form),
                expected_version=int(form.version.data or 0), today=form.today,
            )  # fmt: skip
        except ValidationError as exc:
            _refused(form, exc)
        else:
            return _saved(_("The pioneer post is saved."))
    return render_template("targets/post_form.html", form=form, post=post), (
        422 if form.errors else 200
    )


@bp.route("/<int:post_id>/retire", methods=["GET", "POST"])
@requires(Permission.LEAD_UNIT)
def retire(post_id: int) -> Page:
    """A retired post stays on record and stops counting towards the target."""
    post = _post(post_id)
    form = RetireForm()
    if request.method == "GET":
        form.version.data = str(post.version)
    form.today, form.established_on = org_today(db()), post.established_on
    if post.retired_on is None and form.validate_on_submit():
        try:
            services.retire_post(
                db(), current_user, post, retired_on=form.retired_on.data,
                reason=form.reason.data or "", expected_version=int(form.version.data or 0),
                today=form.today,
            )  # fmt: skip
        except ValidationError as exc:
            _refused(form, exc)
        else:
            return _saved(_("The pioneer post is retired."))
    return render_template("targets/post_retire.html", form=form, post=post), (
        422 if form.errors else 200
    )
