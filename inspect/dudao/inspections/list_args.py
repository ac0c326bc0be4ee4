"""The office's inspections list filter from URL arguments, checked as the flag queue's
(web/url_args.py): `state=zzz` or `origin=foo` listed nothing, and a date that is none
was dropped, while the form said "any". Bad values are left out and named beside their
fields; a unit outside the viewer's part reads like an unknown code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from dudao.core.permissions import Permission
from dudao.inspections import queries
from dudao.inspections.models import InspectionOrigin
from dudao.web.url_args import choice, day, unit_in_reach
from dudao.workflow.registry import get_workflow

NAMES = ("state", "unit", "origin", "due_from", "due_to", "subtree", "definition", "counted",
         "failed", "overdue")  # fmt: skip


@dataclass
class ListArgs:
    filters: queries.Filters
    unit_code: str  # as typed, to show it again
    errors: dict[str, str] = field(default_factory=dict)


def read(args: MultiDict[str, str], today: date) -> ListArgs:
    typed = {name: (args.get(name) or "").strip() for name in NAMES}
    errors: dict[str, str] = {}
    unit = unit_in_reach(typed["unit"], Permission.VIEW_RESULTS, errors)
    states = [s.key for s in get_workflow("inspection").states]
    due_from = day(typed["due_from"], errors, "due_from")
    due_to = day(typed["due_to"], errors, "due_to")
    if due_from and due_to and due_to < due_from:
        errors["due_to"] = _("“Due until” must not be before “Due from”.")
        due_from = due_to = None
    filters = queries.Filters(
        state=choice(typed["state"], states, errors, "state"),
        unit=unit,
        origin=choice(typed["origin"], list(InspectionOrigin), errors, "origin"),
        due_from=due_from,
        due_to=due_to,
        page=args.get("page", 1, type=int) or 1,
        subtree=typed["subtree"] != "0",
        definition=typed["definition"],
        counted=typed["counted"] == "1",
        failed=typed["failed"],
        overdue_on=today if choice(typed["overdue"], ("1",), errors, "overdue") else None,
    )
    return ListArgs(filters, typed["unit"], errors)
