"""What waits for the signed-in person, one line on each home-page card it concerns.

The home page is the first thing after signing in; it says where work is waiting
(returned checklists, overdue tasks, flags nobody has looked at) so nobody has to open
every list to find out. Each count comes from the feature's own queries.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import ngettext
from sqlalchemy.orm import Session

from dudao.core.permissions import Permission, can, scope_paths
from dudao.inspections.queries import count_late, mine_counts
from dudao.inspections.rectification_queries import task_counts
from dudao.triage.queries import count_new


def attention(session: Session, user: Any, today: date) -> dict[str, str]:
    """A short line per card endpoint, only where something waits."""
    notes = {}
    if can(user, Permission.INSPECT):
        groups = mine_counts(session, user.id, today)
        returned, overdue, due = groups["returned"], groups["overdue"], groups["today"]
        notes["inspections.mine"] = _line(
            returned and ngettext("%(num)d returned", "%(num)d returned", returned),
            overdue and ngettext("%(num)d overdue", "%(num)d overdue", overdue),
            due and ngettext("%(num)d due today", "%(num)d due today", due),
        )
    results = scope_paths(user, Permission.VIEW_RESULTS)
    if results:
        late_work = count_late(session, results, today)
        notes["inspections.office"] = _line(
            late_work and ngettext("%(num)d overdue", "%(num)d overdue", late_work)
        )
    lead, office = (scope_paths(user, p) for p in (Permission.LEAD_UNIT, Permission.VIEW_OFFICE))
    if lead or office or can(user, Permission.INSPECT):  # an inspector verifies their findings
        tasks = task_counts(session, user.id, lead, office, today)
        late, to_answer, answered = tasks["overdue"], tasks["open"], tasks["answered"]
        notes["rectifications.index"] = _line(
            late and ngettext("%(num)d overdue", "%(num)d overdue", late),
            to_answer and ngettext("%(num)d to answer", "%(num)d to answer", to_answer),
            answered and ngettext("%(num)d to verify", "%(num)d to verify", answered),
        )
    if office:
        new = count_new(session, office)
        notes["triage.queue"] = _line(new and ngettext("%(num)d new", "%(num)d new", new))
    return {endpoint: line for endpoint, line in notes.items() if line}


def _line(*parts: object) -> str:
    return " · ".join(str(part) for part in parts if part)
