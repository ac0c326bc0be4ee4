"""A preview of the built-in sample definitions: the renderer seen and exercised, nothing saved."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from dudao.core.permissions import Permission
from dudao.definitions.formbuilder import build_form
from dudao.definitions.items import plain_number
from dudao.definitions.samples import SAMPLES
from dudao.definitions.scoring import satisfaction_index, score
from dudao.definitions.spec import Kind
from dudao.web.access import requires
from dudao.web.setup import select_locale

bp = Blueprint(
    "definitions_preview", __name__, template_folder="templates", url_prefix="/definitions/preview"
)
bp.add_app_template_filter(plain_number, "plain_number")


@bp.route("/sample", methods=["GET", "POST"], defaults={"kind": "checklist"})
@bp.route("/sample/<kind>", methods=["GET", "POST"])
@requires(Permission.VIEW_DEFINITIONS)
def sample(kind: str) -> tuple[str, int] | str:
    """GET shows the form; POST validates it and shows the score instead of saving."""
    if kind not in SAMPLES:
        abort(404)
    definition = SAMPLES[kind]()
    form = build_form(definition, select_locale())
    result = index = None
    status = 200
    valid = request.method == "POST" and form.validate_on_submit()
    if request.method == "POST":
        if valid:
            if definition.kind == Kind.CHECKLIST:
                result = score(definition, form.clean_answers, form.clean_notes, form.clean_photos)
            else:
                index = satisfaction_index(definition, form.clean_answers)
        else:
            status = 422
    page = render_template(
        "definitions/preview_sample.html",
        definition=definition,
        form=form,
        result=result,
        index=index,
        valid=valid,
        kinds=list(SAMPLES),
        kind=kind,
    )
    return page, status
