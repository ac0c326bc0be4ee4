"""Draw pages: the office makes and publishes draws (MANAGE_DRAWS); the publication page
(阳光下运行) shows published draws and their results to the roles publication.yaml lists."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from dudao.core.enums import Role
from dudao.core.errors import DudaoError, FieldProblem, ValidationError
from dudao.core.permissions import Permission, scope_paths
from dudao.definitions.models import FormDefinition
from dudao.definitions.queries import titles
from dudao.org.models import Unit
from dudao.org.queries import in_tree_order, within
from dudao.scheduling import draw_queries
from dudao.scheduling.draw_forms import DrawForm, described
from dudao.scheduling.draw_params import DrawRefused
from dudao.scheduling.draw_services import create_draw, draw_problems, publish_draw, record_refused
from dudao.scheduling.draw_verification import Verification, verify_draw
from dudao.scheduling.draws import canonical_json
from dudao.scheduling.models import SpotCheckDraw
from dudao.scheduling.publication import publication_roles
from dudao.web.access import require_on, requires
from dudao.web.context import db
from dudao.web.form_errors import place_problems
from dudao.web.setup import select_locale, sentences, unit_choices
from dudao.workflow.registry import get_workflow

bp = Blueprint("draws", __name__, template_folder="templates")
F = TypeVar("F", bound=Callable[..., Any])
Page = str | tuple[str, int] | Response


def publication_paths(user: object, roles: frozenset[Role] | None = None) -> list[str]:
    """Subtrees where `user` holds one of `roles` (default: the roles publication.yaml lets
    see published draws)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return []
    roles = publication_roles() if roles is None else roles
    return sorted({g.unit.path for g in getattr(user, "grants", []) if g.role in roles})


def requires_paths(paths_of: Callable[[object], list[str]]) -> Callable[[F], F]:
    """Like @requires(VIEW_PUBLIC_RESULTS), with the roles taken from publication.yaml:
    signed in, and `paths_of(user)` is not empty."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not paths_of(current_user):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = Permission.VIEW_PUBLIC_RESULTS  # type: ignore[attr-defined]
        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


requires_publication = requires_paths(publication_paths)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"sees_publication": lambda: bool(publication_paths(current_user))}


def _scope_of(draw: SpotCheckDraw) -> Unit | None:
    return db().get(Unit, draw.inputs["scope"]["id"])


def _managed(draw_id: int) -> SpotCheckDraw:
    draw = db().get(SpotCheckDraw, draw_id)
    require_on(Permission.MANAGE_DRAWS, _scope_of(draw) if draw else None)
    assert draw is not None
    return draw


def _published(draw_id: int) -> SpotCheckDraw:
    draw = db().get(SpotCheckDraw, draw_id)
    if draw is None or not draw.published:
        abort(404)
    scope = draw.inputs["scope"]["path"]
    paths = publication_paths(current_user)
    if not any(scope.startswith(p) or p.startswith(scope) for p in paths):
        abort(404)
    return draw


@bp.get("/draws")
@requires(Permission.MANAGE_DRAWS)
def index() -> str:
    paths = scope_paths(current_user, Permission.MANAGE_DRAWS)
    return render_template("draws/index.html", draws=draw_queries.draws_inside(db(), paths))


def _fill_choices(form: DrawForm) -> None:
    paths = scope_paths(current_user, Permission.MANAGE_DRAWS)
    units = db().scalars(
        select(Unit).where(within(paths), Unit.active.is_(True), Unit.level != "branch")
    )
    form.scope.choices = unit_choices(in_tree_order(units))
    checklists = db().scalars(
        select(FormDefinition)
        .where(FormDefinition.kind == "checklist", FormDefinition.retired.is_(False))
        .order_by(FormDefinition.key)
    )
    locale = str(get_locale() or "zh_CN")
    form.definition.choices = [(d.key, f"{d.title(locale)} ({d.key})") for d in checklists]


def _chosen_scope(form: DrawForm) -> Unit | None:
    """The unit the form names, once the form has read it (a choice it offers)."""
    if form.scope.errors or not form.scope.data:
        return None
    scope = db().get(Unit, form.scope.data)
    require_on(Permission.MANAGE_DRAWS, scope)
    return scope


def _place(form: DrawForm, problems: list[Any]) -> str | None:
    """The service's problems beside their fields, but for a field the form already says
    is wrong (a title it requires, a count out of range: said once); the rest as one text,
    its sentences joined as the page's language joins them."""
    left = [
        problem
        for problem in problems
        if not isinstance(problem, FieldProblem)
        or problem.field not in form
        or not form[problem.field].errors
    ]
    return sentences(*place_problems(ValidationError("", left), form)) if left else None


@bp.route("/draws/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_DRAWS)
def create() -> Page:
    form = DrawForm()
    _fill_choices(form)
    problem = refused = None
    if form.is_submitted():
        valid, scope = form.validate(), _chosen_scope(form)
        title, key, due = form.title.data or "", form.definition.data or "", form.due_date.data
        params = form.params()
        if not valid or scope is None:  # what the form could read is checked too: all at once
            found = draw_problems(db(), title, key, scope, params, due, form.seed.data)
            problem = _place(form, found)
        else:
            try:
                draw = create_draw(db(), current_user, title, key, scope, params, due,
                                   seed=form.seed.data or None)  # fmt: skip
            except DudaoError as exc:
                db().rollback()
                problem = _place(form, getattr(exc, "problems", None) or [exc.message])
                if isinstance(exc, DrawRefused):  # drawn, then refused: on record
                    record_refused(db(), current_user, exc)
                    db().commit()
                    refused = exc.attempt["seed"]
            else:
                db().commit()
                flash(ngettext("Draw made: %(num)d inspection assigned.",
                               "Draw made: %(num)d inspections assigned.",
                               len(draw.result["selected"])), "success")  # fmt: skip
                return redirect(url_for("draws.show", draw_id=draw.id))
    status = 422 if form.errors or problem else 200
    page = render_template("draws/new.html", form=form, problem=problem, refused=refused)
    return page, status


def _verification(draw: SpotCheckDraw) -> Verification | None:
    return verify_draw(db(), draw.id) if request.args.get("verify") else None


def _page(draw: SpotCheckDraw, public: bool) -> str:
    workflow = get_workflow(draw.workflow)
    english = str(get_locale() or "zh_CN").startswith("en")

    def state_label(state: str) -> str:
        text = workflow.state(state).label
        return text.en if english and text.en else text.zh

    return render_template(
        "draws/show.html", draw=draw, scope=_scope_of(draw), public=public,
        rows=draw_queries.drawn_rows(db(), draw), verification=_verification(draw),
        done_states=draw_queries.DONE_STATES, state_label=state_label,
        parameters=described(draw.params), companies=draw_queries.strata(db(), draw),
        checklist=titles(db(), [draw.definition_key], select_locale()).get(draw.definition_key),
    )  # fmt: skip


@bp.get("/draws/<int:draw_id>")
@requires(Permission.MANAGE_DRAWS)
def show(draw_id: int) -> str:
    return _page(_managed(draw_id), public=False)


@bp.post("/draws/<int:draw_id>/publish")
@requires(Permission.MANAGE_DRAWS)
def publish(draw_id: int) -> Response:
    draw = _managed(draw_id)
    if publish_draw(db(), current_user, draw):
        db().commit()
        flash(_("The draw is published."), "success")
    return redirect(url_for("draws.show", draw_id=draw.id))


def _export(draw: SpotCheckDraw) -> Response:
    """Everything needed to recompute the draw elsewhere, as canonical JSON (docs/draws.md)."""
    record = {
        "id": draw.id, "title": draw.title, "algorithm": draw.algorithm, "seed": draw.seed,
        "params": draw.params, "inputs": draw.inputs, "result": draw.result,
        "result_hash": draw.result_hash,
    }  # fmt: skip
    response = Response(canonical_json(record), mimetype="application/json")
    response.headers["Content-Disposition"] = f"attachment; filename=draw-{draw.id}.json"
    return response


@bp.get("/draws/<int:draw_id>/draw.json")
@requires(Permission.MANAGE_DRAWS)
def export(draw_id: int) -> Response:
    return _export(_managed(draw_id))


@bp.get("/public/draws/<int:draw_id>/draw.json")
@requires_publication
def public_export(draw_id: int) -> Response:
    return _export(_published(draw_id))


@bp.get("/public/draws")
@requires_publication
def publication() -> str:
    paths = publication_paths(current_user)
    draws = draw_queries.published_overlapping(db(), paths)
    return render_template("draws/publication.html", draws=draws)


@bp.get("/public/draws/<int:draw_id>")
@requires_publication
def public_show(draw_id: int) -> str:
    return _page(_published(draw_id), public=True)
