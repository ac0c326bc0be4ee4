"""Assessment pages: the ranking with tiers and moves per period, and a unit's score explained.

Both stay inside the viewer's VIEW_ASSESSMENT scope (office and unit leads): ranks
count among the units shown, and a unit outside the scope answers 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user

from dudao.assessment import periods
from dudao.assessment.config import COMPONENTS, AssessmentConfigError
from dudao.assessment.queries import explain, ranking
from dudao.core.permissions import Permission, scope_paths
from dudao.org.models import Unit
from dudao.org.queries import by_code, suggest
from dudao.reports.charts import monthly_chart, to_svg
from dudao.reports.fonts import register_font
from dudao.web.access import require_on, requires
from dudao.web.context import db, runtime
from dudao.web.setup import select_locale, unit_name

bp = Blueprint("assessment", __name__, template_folder="templates")

COMPONENT_LABELS = {
    "inspection": lazy_gettext("Inspection score"),
    "rectification": lazy_gettext(
        "On-time submission rate (submitted for verification by the deadline)"
    ),
    "satisfaction": lazy_gettext("Satisfaction"),
}
#: The ranking's column headings: the page's introduction says what "on time" means.
COMPONENT_HEADINGS = COMPONENT_LABELS | {"rectification": lazy_gettext("On-time submission rate")}
MOVES = ("up", "down")


def template_helpers() -> dict[str, Any]:
    """Period and component labels, and the locale, for the assessment's templates."""
    locale = str(select_locale())
    return {
        "period_label": lambda key: periods.label(key, locale) if key else "",
        "component_label": lambda key: str(COMPONENT_LABELS[key]),
        "component_heading": lambda key: str(COMPONENT_HEADINGS[key]),
        "components": COMPONENTS,
        "locale": locale,
    }


bp.context_processor(template_helpers)


def config_error(exc: AssessmentConfigError) -> tuple[str, int]:
    """A broken workflows/assessment.yaml: the located problems, for whoever can fix them."""
    return render_template("assessment/config_error.html", problems=exc.problems), 500


bp.register_error_handler(AssessmentConfigError, config_error)


def _scope(errors: dict[str, str]) -> tuple[list[str], Unit | None, str]:
    """The viewer's paths, narrowed to the subtree of `?unit=`: a code inside them, or a part
    of a code or name that only one unit inside them holds (the field's suggestions offer
    both). Anything else is named in `errors` and the whole scope is shown."""
    paths = scope_paths(current_user, Permission.VIEW_ASSESSMENT)
    text = request.args.get("unit", "").strip()
    if not text:
        return paths, None, text
    unit = by_code(db(), text)
    found = [unit] if unit is not None else suggest(db(), text, paths)
    inside = [u for u in found if any(u.path.startswith(p) for p in paths)]
    if len(inside) == 1:
        return [inside[0].path], inside[0], inside[0].code
    if len(inside) > 1:
        errors["unit"] = _("“%(text)s” is part of several units' codes or names; pick one from "
                           "the suggestions.", text=text)  # fmt: skip
    else:
        errors["unit"] = _("No unit in the part you can see has a code or name with "
                           "“%(text)s”.", text=text)  # fmt: skip
    return paths, None, text


def _check_period(shown: str | None, errors: dict[str, str]) -> None:
    """The period asked for, named beside its field when the page shows another (a key with
    no assessment data, e.g. 1999Q1 or 2026Q9, falls back to the default period)."""
    asked = request.args.get("period") or ""
    if asked and asked != shown:
        errors["period"] = _("No assessment for “%(value)s”: pick a period from the list.",
                             value=asked)  # fmt: skip


@bp.get("/assessment")
@requires(Permission.VIEW_ASSESSMENT)
def index() -> str:
    errors: dict[str, str] = {}
    paths, unit, code = _scope(errors)
    result = ranking(db(), paths, request.args.get("period") or None)
    _check_period(result.period, errors)
    move = request.args.get("move")
    rows = [s for s in result.rows if s.move == move] if move in MOVES else result.rows
    return render_template(
        "assessment/ranking.html", result=result, rows=rows, move=move if move in MOVES else "",
        config=result.assessment.config, unit=unit, unit_code=code, errors=errors,
    )  # fmt: skip


@bp.get("/assessment/units/<int:unit_id>")
@requires(Permission.VIEW_ASSESSMENT)
def unit_page(unit_id: int) -> str:
    unit = db().get(Unit, unit_id)
    require_on(Permission.VIEW_ASSESSMENT, unit)
    assert unit is not None
    paths = scope_paths(current_user, Permission.VIEW_ASSESSMENT)
    result = explain(db(), paths, unit, request.args.get("period") or None)
    errors: dict[str, str] = {}
    _check_period(result.ranking.period, errors)
    # Opened from a ranking narrowed to a subtree: the rank there too, so the two agree.
    _paths, within, _code = _scope({})  # a code it does not know: the rank among all only
    under = within if within is not None and unit.path.startswith(within.path) else None
    score = result.score
    place = result.ranking.place(score, under.path) if under and score and score.assessed else None
    locale = str(select_locale())
    points = [(periods.axis_label(s.period, locale), s.composite, s.inspections)
              for s in result.history]  # fmt: skip
    font = register_font(runtime().settings.pdf_font)
    chart = to_svg(monthly_chart(points, font, ""), _("Composite over periods")) if points else ""
    return render_template(
        "assessment/unit.html", unit=unit, x=result, config=result.ranking.assessment.config,
        title=_("Assessment of %(unit)s", unit=unit_name(unit)), chart=chart, under=under,
        place=place, errors=errors,
    )  # fmt: skip
