"""The office's ad hoc inspections (动态检查): one unit, or a subtree's units, at once."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from dudao.core.errors import DudaoError, NotFound, Plural, ValidationError, name_list
from dudao.inspections.models import Inspection
from dudao.org.models import Unit
from dudao.scheduling import queries
from dudao.scheduling.ad_hoc import create_ad_hoc
from dudao.scheduling.forms import AdHocForm, split_names
from dudao.scheduling.views import MANAGE, Page, checklist_choices, unit_in_scope
from dudao.web.access import requires
from dudao.web.context import db
from dudao.web.form_errors import place_problems

bp = Blueprint("ad_hoc", __name__, template_folder="templates")

#: An ad hoc inspection of a subtree making more inspections than this asks first.
CONFIRM_ABOVE = 5


def _place_problems(form: AdHocForm, exc: DudaoError) -> None:
    """Each problem of the service beside its field; one that names no field of the form
    goes beside the unit."""
    fields = {
        "inspector": form.inspectors,
        "reason": form.reason,
        "definition": form.definition_key,
        "unit": form.unit_code,
        "due": form.due,
        "levels": form.levels,
    }
    place_problems(exc, fields, rest=form.unit_code)


def _say_unassigned(created: list[Inspection], *, named: bool) -> None:
    """Inspectors were named, yet a unit may be their own part (回避): say which got none."""
    left = [inspection.unit.code for inspection in created if not inspection.assignments]
    if named and left:
        shown = left[:10] + (["…"] if len(left) > 10 else [])
        said = Plural("%(num)d of them has no inspector, as those named may not inspect it "
                      "(回避): %(units)s. Assign inspectors on its page.",
                      "%(num)d of them have no inspector, as those named may not inspect them "
                      "(回避): %(units)s. Assign inspectors on their pages.",
                      num=len(left), units=name_list(shown))  # fmt: skip
        flash(said.in_language(get_translations()), "warning")


@bp.route("/schedules/ad-hoc", methods=["GET", "POST"])
@requires(MANAGE)
def create() -> Page:
    form = AdHocForm(definitions=checklist_choices())
    unconfirmed = 0
    if form.validate_on_submit():
        root = unit_in_scope(form.unit_code.data or "")
        if root is None:
            form.unit_code.errors = [_("No unit with this code in the part you manage.")]
        elif not (unconfirmed := _unconfirmed_many(form, root)):  # else the page asks first
            try:
                created = create_ad_hoc(
                    db(), current_user, root, form.definition_key.data, form.due.data,
                    form.reason.data, subtree=form.subtree.data, levels=form.levels.data or [],
                    inspectors=split_names(form.inspectors.data),
                )  # fmt: skip
            except (ValidationError, NotFound) as exc:
                db().rollback()
                _place_problems(form, exc)
            else:
                db().commit()
                made = ngettext("%(num)d ad hoc inspection created.",
                                "%(num)d ad hoc inspections created.", len(created))  # fmt: skip
                flash(made, "success")
                _say_unassigned(created, named=bool(split_names(form.inspectors.data)))
                return redirect(url_for("scheduling.index"))
    status = 422 if form.errors else 200
    return render_template("scheduling/ad_hoc.html", form=form, confirm=unconfirmed), status


def _unconfirmed_many(form: AdHocForm, root: Unit) -> int:
    """How many inspections a subtree's ad hoc makes, when more than CONFIRM_ABOVE and the
    office has not confirmed that very number (a box ticked on the group's root would
    otherwise make hundreds at once); else 0."""
    if not form.subtree.data:
        return 0
    count = len(queries.target_units(db(), root, list(form.levels.data or [])))
    confirmed = request.form.get("confirm") == str(count)
    return count if count > CONFIRM_ABOVE and not confirmed else 0
