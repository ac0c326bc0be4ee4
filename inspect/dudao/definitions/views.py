"""Admin pages for definitions: list, versions, a version's items, diffs, upload, preview,
retire and restore."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import Session

from dudao.core.errors import NotFound, ValidationError
from dudao.core.permissions import Permission
from dudao.definitions import queries
from dudao.definitions.diff import diff_definitions, dump_yaml, show, text_diff
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.definitions.problems import DefinitionError
from dudao.definitions.readable import passes_when, shown_when
from dudao.definitions.services import StoredVersion
from dudao.definitions.spec import Evidence, ItemType, Kind
from dudao.definitions.upload_form import UploadForm
from dudao.web.access import requires
from dudao.web.context import db
from dudao.web.setup import select_locale

ITEM_TYPES = {
    ItemType.YES_NO: _l("Yes / no"),
    ItemType.SINGLE_CHOICE: _l("Single choice"),
    ItemType.MULTI_CHOICE: _l("Multiple choice"),
    ItemType.SCALE: _l("Scale"),
    ItemType.RATING: _l("Rating 0–10"),
    ItemType.NUMBER: _l("Number"),
    ItemType.TEXT: _l("Text"),
    ItemType.DATE: _l("Date"),
    ItemType.PHOTO: _l("Photos"),
    ItemType.NOTE: _l("Note (display only)"),
}
EVIDENCE = {
    Evidence.NOTE: _l("a note"),
    Evidence.PHOTO: _l("a photo"),
    Evidence.NOTE_OR_PHOTO: _l("a note or a photo"),
    Evidence.NOTE_AND_PHOTO: _l("a note and a photo"),
}

bp = Blueprint(
    "definitions", __name__, template_folder="templates", url_prefix="/admin/definitions"
)


def _definition(definition_id: int) -> FormDefinition:
    found = db().get(FormDefinition, definition_id)
    if found is None:
        abort(404)
    return found


def _version(version_id: int) -> tuple[FormDefinition, DefinitionVersion]:
    version = db().get(DefinitionVersion, version_id)
    if version is None:
        abort(404)
    return _definition(version.definition_id), version


@bp.get("/")
@requires(Permission.VIEW_DEFINITIONS)
def index() -> str:
    return render_template("definitions/index.html", rows=queries.list_definitions(db()))


@bp.get("/<int:definition_id>")
@requires(Permission.VIEW_DEFINITIONS)
def definition(definition_id: int) -> str:
    found = _definition(definition_id)
    return render_template(
        "definitions/definition.html",
        definition=found,
        versions=queries.versions_of(db(), found.id),
    )


@bp.post("/<int:definition_id>/retire")
@requires(Permission.MANAGE_DEFINITIONS)
def retire(definition_id: int) -> Response:
    from dudao.definitions.retiring import retire_definition

    found = _definition(definition_id)
    return _change(found, retire_definition, _("%(key)s is retired.", key=found.key))


@bp.post("/<int:definition_id>/restore")
@requires(Permission.MANAGE_DEFINITIONS)
def restore(definition_id: int) -> Response:
    from dudao.definitions.retiring import restore_definition

    found = _definition(definition_id)
    return _change(found, restore_definition, _("%(key)s is in use again.", key=found.key))


def _change(
    found: FormDefinition, change: Callable[[Session, Any, FormDefinition], None], done: str
) -> Response:
    """Retire or restore, and back to the definition's page saying what happened."""
    try:
        change(db(), current_user, found)
    except ValidationError as exc:
        db().rollback()
        flash(exc.in_language(get_translations()), "error")
    else:
        db().commit()
        flash(done, "success")
    return redirect(url_for(".definition", definition_id=found.id))


@bp.post("/versions/<int:version_id>/current")
@requires(Permission.MANAGE_DEFINITIONS)
def make_current(version_id: int) -> Response:
    """What an upload of an earlier version's content offers instead of doing it."""
    from dudao.definitions.uploading import make_current

    _found, row = _version(version_id)
    stored = make_current(db(), current_user, row)
    db().commit()
    flash(_("Version %(number)s of %(key)s is the current version again.",
            number=row.number, key=stored.definition.key), "success")  # fmt: skip
    if stored.restored:
        flash(_("%(key)s was retired and is in use again.", key=stored.definition.key), "success")
    return redirect(url_for(".version", version_id=row.id))


@bp.get("/versions/<int:version_id>")
@requires(Permission.VIEW_DEFINITIONS)
def version(version_id: int) -> str:
    found, row = _version(version_id)
    spec, locale = queries.pinned(db(), row.id), select_locale()
    return render_template(
        "definitions/version.html",
        definition=found,
        version=row,
        spec=spec,
        show=show,
        shown_when=lambda condition: shown_when(condition, spec, locale),
        passes_when=lambda item: passes_when(item, locale),
        item_types=ITEM_TYPES,
        evidence=EVIDENCE,
        locale=locale,
    )


@bp.get("/versions/<int:version_id>/source")
@requires(Permission.VIEW_DEFINITIONS)
def source(version_id: int) -> Response:
    found, row = _version(version_id)
    return Response(
        dump_yaml(row.data),
        mimetype="text/plain",
        headers={
            "Content-Disposition": f'inline; filename="{found.key}.v{row.number}.yaml"',
        },
    )


@bp.get("/<int:definition_id>/diff")
@requires(Permission.VIEW_DEFINITIONS)
def diff(definition_id: int) -> str:
    found = _definition(definition_id)
    latest = found.current_number
    old_number = request.args.get("from", type=int) or max(latest - 1, 1)
    new_number = request.args.get("to", type=int) or latest
    try:
        old = queries.version_by_number(db(), found.id, old_number)
        new = queries.version_by_number(db(), found.id, new_number)
    except NotFound:
        abort(404)
    return render_template(
        "definitions/diff.html",
        definition=found,
        old=old,
        new=new,
        numbers=[row.version.number for row in queries.versions_of(db(), found.id)],
        changes=diff_definitions(queries.pinned(db(), old.id), queries.pinned(db(), new.id)),
        lines=text_diff(old.data, new.data, f"v{old.number}", f"v{new.number}"),
    )


@bp.route("/upload", methods=["GET", "POST"])
@requires(Permission.MANAGE_DEFINITIONS)
def upload() -> Response | tuple[str, int] | str:
    from dudao.definitions.uploading import EarlierVersion, upload_version
    from dudao.definitions.xlsform import XLSFormError
    from dudao.definitions.xlsform.upload import upload_workbook

    form = UploadForm()
    problems: list[object] = []
    refused = earlier = None
    kept = None  # the file whose text is now in the textarea; False: a workbook to choose again
    if form.validate_on_submit() and (source := form.source()) is not None:
        content, filename = source
        try:
            if isinstance(content, bytes):
                stored = upload_workbook(db(), current_user, content, filename, form.kind.data)
            else:
                stored = upload_version(db(), current_user, content, filename)
        except XLSFormError as exc:  # the workbook's rows, not a file's lines
            db().rollback()
            refused, kept = exc, False
        except EarlierVersion as exc:  # asks first, offering to make that version current
            db().rollback()
            earlier = exc
            kept = filename if form.keep(content, filename) else None
        except DefinitionError as exc:
            db().rollback()
            problems = list(exc.problems)
            kept = filename if form.keep(content, filename) else False
        else:
            db().commit()
            _say_saved(stored)
            return redirect(url_for(".version", version_id=stored.version.id))
    status = 422 if request.method == "POST" else 200
    page = render_template(
        "definitions/upload.html", form=form, problems=problems, refused=refused, kept=kept,
        earlier=earlier,
    )  # fmt: skip
    return page, status


def _say_saved(stored: StoredVersion) -> None:
    number, key = stored.version.number, stored.definition.key
    if stored.created:
        flash(_("Saved as version %(number)s of %(key)s.", number=number, key=key), "success")
    else:
        flash(_("This content already is version %(number)s of %(key)s, the current one.",
                number=number, key=key), "info")  # fmt: skip
    if stored.restored:
        flash(_("%(key)s was retired and is in use again.", key=key), "success")


@bp.route("/versions/<int:version_id>/preview", methods=["GET", "POST"])
@requires(Permission.VIEW_DEFINITIONS)
def preview(version_id: int) -> tuple[str, int]:
    """The version as a live form; a submitted preview is validated and scored, never saved."""
    from dudao.definitions.formbuilder import build_form
    from dudao.definitions.scoring import satisfaction_index, score

    found, row = _version(version_id)
    spec = queries.pinned(db(), row.id)
    locale = select_locale()
    form = build_form(spec, locale)
    result = index = None
    valid = request.method == "POST" and form.validate_on_submit()
    if valid and spec.kind == Kind.CHECKLIST:
        result = score(spec, form.clean_answers, form.clean_notes, form.clean_photos)
    elif valid:
        index = satisfaction_index(spec, form.clean_answers)
    page = render_template(
        "definitions/preview.html",
        definition=found,
        version=row,
        spec=spec,
        form=form,
        result=result,
        index=index,
        valid=valid,
        locale=locale,
    )
    return page, 422 if request.method == "POST" and not valid else 200
