"""The analytics pages' shared filters from the URL: unit code, month range, grain, checklist.

A unit code outside the viewer's scope reads like an unknown code (as on the flag queue);
bad months are reported by field and the default range is used instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from dudao.analytics.periods import GRAINS, MONTH, Range, default_range, month_end, parse_month
from dudao.analytics.queries import Filters
from dudao.core.permissions import Permission, can, scope_paths
from dudao.org.models import Unit
from dudao.org.queries import ancestors, by_code, children, scope_roots
from dudao.scheduling.recurrence import org_today
from dudao.web.context import db

MAX_MONTHS = 60


@dataclass
class Picked:
    """What the page shows (filters None when the unit code is unknown) and the form's values."""

    paths: list[str]
    filters: Filters | None
    unit_code: str
    range: Range
    errors: list[str] = field(default_factory=list)
    trail: list[Unit] = field(default_factory=list)  # ancestors inside the scope
    below: list[Unit] = field(default_factory=list)  # children, to drill down

    def args(self, **changes: Any) -> dict[str, Any]:
        """The URL arguments of the current view, with `changes` (for links between pages)."""
        values = {"unit": self.unit_code, "from": self.range.month_from,
                  "to": self.range.month_to, "grain": self.range.grain}  # fmt: skip
        for name in ("definition", "rows", "baseline"):
            if request.args.get(name):
                values[name] = request.args[name]
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def _range(errors: list[str]) -> Range:
    grain = request.args.get("grain", MONTH)
    grain = grain if grain in GRAINS else MONTH
    fallback = default_range(org_today(db()), grain)
    raw_from, raw_to = request.args.get("from", ""), request.args.get("to", "")
    first, last = parse_month(raw_from), parse_month(raw_to)
    if raw_from and first is None:
        errors.append(_("From: give a month as YYYY-MM."))
    if raw_to and last is None:
        errors.append(_("Until: give a month as YYYY-MM."))
    first, last = first or fallback.first, month_end(last) if last else fallback.last
    if first > last:
        errors.append(_("Until must not be before From; the default range is shown."))
        return fallback
    if (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
        errors.append(_("Choose at most %(n)d months.", n=MAX_MONTHS))
        return fallback
    return Range(first, last, grain)


def pick(definition: str = "") -> Picked:
    """The request's filters; `definition` is the default checklist when none is chosen."""
    paths = scope_paths(current_user, Permission.VIEW_RESULTS)
    errors: list[str] = []
    period = _range(errors)
    code = (request.args.get("unit") or "").strip()
    if code:
        unit = by_code(db(), code)
        if unit is not None and not can(current_user, Permission.VIEW_RESULTS, unit):
            unit = None  # outside the scope reads like an unknown code
        if unit is None:
            errors.append(_("No unit with the code %(code)s in the part you supervise.", code=code))
    else:
        roots = scope_roots(db(), paths)
        unit = roots[0] if roots else None
        code = unit.code if unit else ""
    if unit is None:
        return Picked(paths, None, code, period, errors)
    chosen = (request.args.get("definition") or "").strip() or definition
    trail = [u for u in ancestors(db(), unit) if can(current_user, Permission.VIEW_RESULTS, u)]
    return Picked(
        paths, Filters(unit, period, chosen), code, period, errors, trail,
        list(children(db(), unit, paths)),
    )  # fmt: skip
