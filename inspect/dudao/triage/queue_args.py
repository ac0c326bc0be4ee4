"""The flag queue's filter from URL arguments, checked: a value the queue does not know
(`state=bogus`, `period_from=2026-13`, `assignee=abc`) would otherwise narrow the queue to
nothing, or be dropped, without a word. Each bad argument is left out of the filter and
named beside its field, as the analytics pages do with their months (docs/triage.md); a
saved filter must have none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from dudao.auth.models import User
from dudao.core.permissions import Permission
from dudao.trends.config import SEVERITIES
from dudao.triage import evidence_labels as labels
from dudao.triage import queries
from dudao.triage.saved_filters import QUERY_KEYS
from dudao.web.context import db
from dudao.web.url_args import choice, unit_in_reach
from dudao.workflow.registry import get_workflow

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass
class QueueArgs:
    """The filter the queue shows, the arguments as typed (to show them again), the
    message per bad argument, and the person an assignee id names."""

    filters: queries.Filters
    typed: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    assignee: User | None = None


def rules() -> list[str]:
    """The rules the filter offers: those with a label and those flags carry."""
    return sorted(set(labels.RULE_LABELS) | set(queries.rules_in_use(db())))


def _month(value: str, errors: dict[str, str], name: str) -> str:
    if value and not MONTH.match(value):
        errors[name] = _("Give a month as YYYY-MM, e.g. 2026-03.")
        return ""
    return value


def read(args: MultiDict[str, str]) -> QueueArgs:
    """The queue's filter from `args`; bad arguments are left out and named in `errors`."""
    typed = {name: (args.get(name) or "").strip() for name in QUERY_KEYS}
    errors: dict[str, str] = {}
    unit = unit_in_reach(typed["unit"], Permission.VIEW_OFFICE, errors)
    states = [s.key for s in get_workflow("flag_triage").states]
    period_from = _month(typed["period_from"], errors, "period_from")
    period_to = _month(typed["period_to"], errors, "period_to")
    if period_from and period_to and period_to < period_from:
        errors["period_to"] = _("“Detected until” must not be before “Detected from”.")
        period_from = period_to = ""  # the months as a whole are wrong
    assignee, person = typed["assignee"], None
    if assignee.isdigit():
        person = queries.users_by_id(db(), {int(assignee)}).get(int(assignee))
    if assignee and assignee not in ("me", "none") and person is None:
        errors["assignee"] = _("No such person; pick one from the list.")
        assignee = ""
    filters = queries.Filters(
        state=choice(typed["state"], states, errors, "state"),
        severity=choice(typed["severity"], SEVERITIES, errors, "severity"),
        rule=choice(typed["rule"], rules(), errors, "rule"),
        unit=unit,
        period_from=period_from,
        period_to=period_to,
        assignee=assignee,
        detected=choice(typed["detected"], ("yes", "no"), errors, "detected"),
        viewer_id=current_user.id,
        sort=choice(typed["sort"], queries.SORTS, errors, "sort") or "newest",
        page=args.get("page", 1, type=int) or 1,
    )
    return QueueArgs(filters, typed, errors, person)
