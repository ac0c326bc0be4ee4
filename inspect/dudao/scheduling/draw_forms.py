"""The form an office fills to make a draw; the service checks everything again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from dudao.core.enums import UnitLevel
from dudao.scheduling.draw_params import DEFAULT_LEVELS, MAX_COUNT
from dudao.scheduling.forms import FROM_TO, split_names
from dudao.web.fields import CheckboxesField
from dudao.web.labels import label


def _levels() -> list[tuple[str, Any]]:
    return [(level.value, label(level)) for level in UnitLevel]


def _periods() -> list[tuple[str, Any]]:
    return [("month", _l("Month")), ("quarter", _l("Quarter")), ("year", _l("Year"))]


# Labels the form asks with and the draw's page repeats (`described`).
COUNT = _l("Number of units")
LEVELS = _l("Unit levels")
STRATIFY = _l("Stratify by company (proportional allocation)")
WEIGHTING = _l("Weight up units with open flags or poor recent scores")
EXCLUDE = _l("Exclude units inspected in the last N periods (0: none)")
PER_INSPECTION = _l("Inspectors per inspection")
POOL = _l("Only these inspectors (usernames, optional)")
# What the draw's page and the audit log call two of them, without the form's hints
# (user names, optional, 0 for none): they show what was chosen, not how to type it.
EXCLUDED = _l("Exclude units inspected in the last N periods")
INSPECTORS = _l("Inspectors")


class DrawForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    definition = SelectField(_l("Checklist"), validators=[DataRequired()])
    scope = SelectField(_l("Draw from the subtree of"), coerce=int, validators=[DataRequired()])
    levels = CheckboxesField(LEVELS, choices=_levels, default=["branch"])
    count = IntegerField(
        COUNT, validators=[Optional(), NumberRange(min=1, max=MAX_COUNT, message=FROM_TO)]
    )
    fraction = StringField(_l("Or fraction of the units (e.g. 0.2)"), validators=[Optional()])
    stratify = BooleanField(STRATIFY)
    weighting = BooleanField(WEIGHTING)
    exclude_recent_periods = IntegerField(
        EXCLUDE,
        default=0,
        validators=[Optional(), NumberRange(min=0, max=100, message=FROM_TO)],
    )
    period = SelectField(_l("Period"), choices=_periods, default="quarter")
    inspectors_per_inspection = IntegerField(
        PER_INSPECTION,
        default=2,
        validators=[InputRequired(), NumberRange(min=1, max=20, message=FROM_TO)],
    )
    pool = StringField(POOL)
    due_date = DateField(_l("Due date"), validators=[InputRequired()])
    seed = StringField(
        _l("Seed (optional; random if empty)"),
        validators=[Length(max=64)],
        description=_l("A seed typed here is shown as typed on the draw and its public page: "
                       "seeds can be tried out before drawing. Leave it empty unless it is fixed "
                       "in advance, such as a lottery number not yet drawn."),
    )  # fmt: skip

    def params(self) -> dict[str, Any]:
        return {
            "count": self.count.data,
            "fraction": (self.fraction.data or "").strip() or None,
            "levels": list(self.levels.data or []),
            "stratify": bool(self.stratify.data),
            "weighting": bool(self.weighting.data),
            "exclude_recent_periods": self.exclude_recent_periods.data or 0,
            "period": self.period.data,
            "inspectors_per_inspection": self.inspectors_per_inspection.data,
            "pool": split_names(self.pool.data),
        }


def described(params: dict[str, Any], person: Callable[[str], str] = str) -> list[tuple[Any, str]]:
    """A draw's stored parameters as the form asked for them, without the form's hints, for
    its page (the JSON record is the download, for whoever recomputes the draw); `person`
    names the pool's user names (the audit log: by display name)."""
    levels, periods = dict(_levels()), dict(_periods())
    yes, no = _("Yes"), _("No")
    size = params.get("count")
    if size is None:
        size = _("%(fraction)s of the eligible units", fraction=params.get("fraction"))
    chosen = [str(levels.get(level, level)) for level in params.get("levels") or DEFAULT_LEVELS]
    period, recent = params.get("period", "quarter"), params.get("exclude_recent_periods", 0)
    return [
        (COUNT, str(size)),
        (LEVELS, _(", ").join(chosen)),
        (STRATIFY, yes if params.get("stratify") else no),
        (WEIGHTING, yes if params.get("weighting") else no),
        (EXCLUDED, f"{recent} · {periods.get(period, period)}" if recent else _("None excluded")),
        (PER_INSPECTION, str(params.get("inspectors_per_inspection", ""))),
        (INSPECTORS, _(", ").join(person(name) for name in params.get("pool") or [])
         or _("Every inspector of the scope")),
    ]  # fmt: skip
