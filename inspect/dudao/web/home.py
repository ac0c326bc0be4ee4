"""What waits for the signed-in person, one line on each home-page card it concerns.

The home page is the first thing after signing in; it says where work is waiting
(returned checklists, overdue tasks, flags nobody has looked at) so nobody has to open
every list to find out. Each count comes from the feature's own queries.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from flask_babel import ngettext
from sqlalchemy.orm import Session

from dudao.core.permissions import Permission, can, scope_paths
from dudao.inspections.queries import count_late, mine_counts
from dudao.inspections.rectification_queries import task_counts
from dudao.triage.queries import count_new


def attention(session: Session, user: Any, today: date) -> dict[str, list[tuple[str, str]]]:
    """Per card endpoint, only where something waits: each count with the address of the
    list of just those (the overdue inspections, the tasks to verify), not the whole list."""
    notes = {}
    if can(user, Permission.INSPECT):
        groups, mine = mine_counts(session, user.id, today), url_for("inspections.mine")
        returned, overdue, due = groups["returned"], groups["overdue"], groups["today"]
        notes["inspections.mine"] = [
            (returned, ngettext("%(num)d returned", "%(num)d returned", returned),
             f"{mine}#returned"),
            (overdue, ngettext("%(num)d overdue", "%(num)d overdue", overdue), f"{mine}#overdue"),
            (due, ngettext("%(num)d due today", "%(num)d due today", due), f"{mine}#today"),
        ]  # fmt: skip
    results = scope_paths(user, Permission.VIEW_RESULTS)
    if results:
        late = count_late(session, results, today)
        notes["inspections.office"] = [
            (late, ngettext("%(num)d overdue", "%(num)d overdue", late),
             url_for("inspections.office", overdue=1)),
        ]  # fmt: skip
    lead, office = (scope_paths(user, p) for p in (Permission.LEAD_UNIT, Permission.VIEW_OFFICE))
    if lead or office or can(user, Permission.INSPECT):  # an inspector verifies their findings
        tasks = task_counts(session, user.id, lead, office, today)
        listed = url_for("rectifications.index")
        late, to_answer, answered = tasks["overdue"], tasks["open"], tasks["answered"]
        notes["rectifications.index"] = [
            (late, ngettext("%(num)d overdue", "%(num)d overdue", late), f"{listed}#overdue"),
            (to_answer, ngettext("%(num)d to answer", "%(num)d to answer", to_answer),
             f"{listed}#open"),
            (answered, ngettext("%(num)d to verify", "%(num)d to verify", answered),
             f"{listed}#answered"),
        ]  # fmt: skip
    if office:
        new = count_new(session, office)
        notes["triage.queue"] = [
            (new, ngettext("%(num)d new", "%(num)d new", new), url_for("triage.queue", state="new"))
        ]  # fmt: skip
    waiting = {e: [(str(t), url) for n, t, url in parts if n] for e, parts in notes.items()}
    return {endpoint: parts for endpoint, parts in waiting.items() if parts}
