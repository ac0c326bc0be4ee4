"""Filter values read from URL arguments, checked: a list filtered by a value it does not
know narrows to nothing, or drops the value, without a word, while its form shows "any".
Each reader leaves a bad value out and names it in `errors` under its field's name, for
the page to say beside the field (the flag queue, the inspections list)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from flask_babel import gettext as _
from flask_login import current_user

from dudao.core.permissions import Permission, can
from dudao.org.models import Unit
from dudao.org.queries import by_code
from dudao.web.context import db


def choice(value: str, choices: Collection[str], errors: dict[str, str], name: str) -> str:
    if value and value not in choices:
        errors[name] = _("“%(value)s” is not one of the choices; pick one from the list.",
                         value=value)  # fmt: skip
        return ""
    return value


def day(value: str, errors: dict[str, str], name: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        errors[name] = _("Give a date as YYYY-MM-DD, e.g. 2026-03-31.")
        return None


def unit_in_reach(code: str, permission: Permission, errors: dict[str, str]) -> Unit | None:
    """The unit a code names where the viewer holds `permission`; one outside reads like an
    unknown code (named under the field "unit")."""
    unit = by_code(db(), code) if code else None
    if unit is not None and not can(current_user, permission, unit):
        unit = None
    if code and unit is None:
        errors["unit"] = _("No unit with the code %(code)s in the part you supervise.", code=code)
    return unit
