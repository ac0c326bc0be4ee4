"""Browsing the org tree within the viewer's scope, and keeping it (MANAGE_UNITS)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from dudao.core.enums import UnitLevel
from dudao.core.errors import ValidationError
from dudao.core.permissions import Permission, scope_paths
from dudao.org import import_kept, queries, services
from dudao.org.forms import (
    ActiveForm,
    ChildUnitForm,
    ImportForm,
    ImportKeptForm,
    MoveUnitForm,
    UnitForm,
)
from dudao.org.import_template import template_bytes, template_name
from dudao.org.importing import ImportReport, import_org_chart
from dudao.org.models import Unit
from dudao.org.rules import LEVELS, lowest
from dudao.web.access import require_on, requires
from dudao.web.context import db, runtime
from dudao.web.downloads import SPREADSHEET_TYPES, disposition
from dudao.web.form_errors import place_problems
from dudao.web.setup import select_locale, unit_name

bp = Blueprint("org", __name__, template_folder="templates")

Page = str | tuple[str, int] | Response


def _unit(unit_id: int, permission: Permission) -> Unit:
    """The unit, or 404 when it does not exist or lies outside the viewer's scope."""
    found = db().get(Unit, unit_id)
    require_on(permission, found)
    assert found is not None
    return found


def _inside_scope(unit: Unit | None, permission: Permission) -> Unit | None:
    paths = scope_paths(current_user, permission)
    return unit if unit is not None and any(unit.path.startswith(p) for p in paths) else None


@bp.get("/units")
@requires(Permission.VIEW_UNITS)
def units() -> str:
    roots = queries.scope_roots(db(), scope_paths(current_user, Permission.VIEW_UNITS))
    return render_template("org/units.html", unit=None, children=roots, trail=[])


@bp.get("/units/<int:unit_id>")
@requires(Permission.VIEW_UNITS)
def unit(unit_id: int) -> str:
    found = _unit(unit_id, Permission.VIEW_UNITS)
    paths = scope_paths(current_user, Permission.VIEW_UNITS)
    return render_template(
        "org/units.html",
        unit=found,
        children=queries.children(db(), found, paths),
        takes_units=found.active and not lowest(found.level),
        inactive_parent=found.parent if found.parent and not found.parent.active else None,
        trail=[
            a for a in queries.ancestors(db(), found) if any(a.path.startswith(p) for p in paths)
        ],
    )


def _level_below(level: UnitLevel) -> UnitLevel:
    """The level a new child usually has: the next one down (not asked of the lowest)."""
    return LEVELS[LEVELS.index(level) + 1]


@bp.route("/units/<int:unit_id>/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_UNITS)
def create_child(unit_id: int) -> Page:
    parent = _unit(unit_id, Permission.MANAGE_UNITS)
    if lowest(parent.level) or not parent.active:
        flash(
            _("%(name)s is inactive; reactivate it before adding units below it.",
              name=unit_name(parent))
            if not parent.active
            else _("A party branch is the lowest level: no unit can be added below it."),
            "error",
        )  # fmt: skip
        return redirect(url_for("org.unit", unit_id=unit_id))
    form = ChildUnitForm()
    if not form.is_submitted():
        form.level.data = _level_below(parent.level).value
    if form.validate_on_submit():
        code = (form.code.data or "").strip()
        if queries.by_code(db(), code) is not None:
            form.code.errors = [_("The code %(code)s is already used by another unit.", code=code)]
        else:
            try:
                child = services.create_unit(
                    db(), current_user, code, parent=parent, **form.values()
                )
            except ValidationError as exc:
                db().rollback()
                place_problems(exc, {"level": form.level}, rest=form.level)
            else:
                db().commit()
                flash(_("Unit %(name)s created.", name=unit_name(child)), "success")
                return redirect(url_for("org.unit", unit_id=child.id))
    status = 422 if form.errors else 200
    return render_template("org/unit_form.html", form=form, unit=parent, mode="create"), status


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_UNITS)
def edit(unit_id: int) -> Page:
    found = _unit(unit_id, Permission.MANAGE_UNITS)
    form = UnitForm(obj=found)
    if not form.is_submitted():
        form.level.data = found.level.value
    if form.validate_on_submit():
        try:
            services.update_unit(db(), current_user, found, **form.values())
        except ValidationError as exc:
            db().rollback()
            place_problems(exc, form, rest=form.level)
        else:
            db().commit()
            flash(_("Saved."), "success")
            return redirect(url_for("org.unit", unit_id=found.id))
    status = 422 if form.errors else 200
    return render_template("org/unit_form.html", form=form, unit=found, mode="edit"), status


@bp.route("/units/<int:unit_id>/move", methods=["GET", "POST"])
@requires(Permission.MANAGE_UNITS)
def move(unit_id: int) -> Page:
    found = _unit(unit_id, Permission.MANAGE_UNITS)
    form = MoveUnitForm()
    if form.validate_on_submit():
        code = (form.parent_code.data or "").strip()
        # A parent outside the manager's scope is answered like an unknown code.
        new_parent = _inside_scope(queries.by_code(db(), code), Permission.MANAGE_UNITS)
        if new_parent is None:
            form.parent_code.errors = [
                _("No unit with the code %(code)s in the part you manage.", code=code)
            ]
        else:
            try:
                services.move_unit(db(), current_user, found, new_parent)
            except ValidationError as exc:
                db().rollback()
                place_problems(exc, {"parent": form.parent_code}, rest=form.parent_code)
            else:
                db().commit()
                flash(_("Moved."), "success")
                return redirect(url_for("org.unit", unit_id=unit_id))
    status = 422 if form.errors else 200
    return render_template("org/unit_form.html", form=form, unit=found, mode="move"), status


@bp.post("/units/<int:unit_id>/active")
@requires(Permission.MANAGE_UNITS)
def set_active(unit_id: int) -> Page:
    """Deactivate or reactivate. A unit with active units below it is deactivated only
    with them, after a page that names them and asks to confirm; a unit whose units below
    were deactivated with it is reactivated after a page that names them and asks whether
    they come back too (`with_subtree` "1") or it alone ("0")."""
    found = _unit(unit_id, Permission.MANAGE_UNITS)
    form = ActiveForm()
    if form.validate_on_submit():
        active, with_subtree = form.active.data == "1", form.with_subtree.data == "1"
        if active and not form.with_subtree.data and services.reactivation_refused(found) is None:
            together = queries.deactivated_with(db(), found)
            if together:
                return render_template("org/reactivate.html", unit=found, together=together)
        try:
            changed = services.set_unit_active(
                db(), current_user, found, active, with_subtree=with_subtree
            )
        except ValidationError as exc:
            db().rollback()
            if active:
                flash(exc.in_language(get_translations()), "error")
                return redirect(url_for("org.unit", unit_id=unit_id))
            below = queries.in_tree_order(queries.active_below(db(), found))
            return render_template("org/deactivate.html", unit=found, below=below), 200
        db().commit()
        flash(_switched(found, len(changed) - 1), "success")
    return redirect(url_for("org.unit", unit_id=unit_id))


def _switched(unit: Unit, below: int) -> str:
    """What a deactivation or reactivation did, naming how many units below came back."""
    if not unit.active:
        return _("Deactivated.")
    if below > 0:
        return ngettext(
            "Reactivated %(name)s and the %(num)d unit below it.",
            "Reactivated %(name)s and the %(num)d units below it.",
            below,
            name=unit_name(unit),
        )
    return _("Reactivated.")


@bp.route("/units/import", methods=["GET", "POST"])
@requires(Permission.MANAGE_UNITS)
def import_chart() -> Page:
    """Import a chosen file, or check it only; a file found correct is kept, and the page
    offers to import it without choosing it again (`import_kept`)."""
    form = ImportForm()
    report, confirm = None, None
    if form.validate_on_submit():
        upload = form.file.data
        data, name = upload.read(), upload.filename or ""
        report = _import(data, name, dry_run=bool(form.dry_run.data))
        if report.ok and report.dry_run:
            token = import_kept.keep(runtime().settings.data_dir, current_user.id, data)
            confirm = ImportKeptForm(kept=token, filename=name)
    return _import_page(form, report, confirm)


@bp.post("/units/import/kept")
@requires(Permission.MANAGE_UNITS)
def import_kept_file() -> Page:
    """Import the file the uploader's dry run found correct; it is checked again first."""
    kept_form = ImportKeptForm()
    data_dir = runtime().settings.data_dir
    data = None
    if kept_form.validate_on_submit():
        data = import_kept.kept(data_dir, current_user.id, kept_form.kept.data or "")
    if data is None:
        flash(_("The checked file is no longer kept (a file is kept for a day and only until "
                "it is imported). Choose it again."), "error")  # fmt: skip
        return redirect(url_for("org.import_chart"))
    report = _import(data, kept_form.filename.data or "", dry_run=False)
    if report.ok:
        import_kept.forget(data_dir, current_user.id, kept_form.kept.data or "")
    return _import_page(ImportForm(formdata=None), report, None)


@bp.get("/units/import/template.<any(csv, xlsx):suffix>")
@requires(Permission.MANAGE_UNITS)
def import_template(suffix: str) -> Response:
    """A file to fill in, headed as the import reads it, in the page's language."""
    locale = select_locale()
    return Response(
        template_bytes(suffix, locale),
        mimetype=SPREADSHEET_TYPES[suffix],
        headers={"Content-Disposition": disposition(template_name(suffix, locale))},
    )


def _import(data: bytes, filename: str, *, dry_run: bool) -> ImportReport:
    report = import_org_chart(
        db(),
        current_user,
        data,
        filename,
        dry_run=dry_run,
        scope=scope_paths(current_user, Permission.MANAGE_UNITS),
    )
    if report.ok and not report.dry_run:
        db().commit()
    else:
        db().rollback()
    return report


def _import_page(
    form: ImportForm, report: ImportReport | None, confirm: ImportKeptForm | None
) -> Page:
    status = 422 if form.errors or (report is not None and not report.ok) else 200
    page = render_template("org/import.html", form=form, report=report, confirm=confirm)
    return page, status
