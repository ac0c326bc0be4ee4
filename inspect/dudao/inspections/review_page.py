"""What the inspection page shows of the latest submission: its items with the office's
comment beside each, the review form for the office, and a rectification form per finding."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from flask_login import current_user

from dudao.inspections.forms import RectificationForm, ReviewForm
from dudao.inspections.models import Inspection
from dudao.inspections.rectifications import may_open
from dudao.inspections.review_queries import SubmissionView, submission_view
from dudao.inspections.submission_models import ReviewState
from dudao.org.models import Unit
from dudao.org.queries import ancestors
from dudao.web.context import db
from dudao.web.setup import select_locale, unit_choices
from dudao.workflow.registry import get_workflow
from dudao.workflow.spec import Transition

REVIEW_ACTIONS = {"approve", "return"}
DEADLINE_DAYS = 30


def owner_choices(unit: Unit) -> list[tuple[int, str]]:
    """The inspected unit first, then each unit above it (the owner may be any of them)."""
    units = [unit, *reversed(ancestors(db(), unit))]
    return unit_choices(units)


def rectification_form(
    finding_id: int, unit: Unit, today: date, formdata: Any = None
) -> RectificationForm:
    # CSRFProtect checks the page's own csrf_token field; a prefixed form would rename it.
    form = RectificationForm(
        formdata=formdata, prefix=f"f{finding_id}", meta={"csrf": False},
        data=None if formdata is not None else
        {"owner_unit": unit.id, "deadline": today + timedelta(days=DEADLINE_DAYS)},
    )  # fmt: skip
    form.owner_unit.choices = owner_choices(unit)
    return form


def reviewing(view: SubmissionView | None, actions: Sequence[Transition]) -> bool:
    """The office reviews the latest submission here when it waits for a decision."""
    return bool(view and view.pending and REVIEW_ACTIONS & {t.action for t in actions})


def review_context(
    inspection: Inspection,
    actions: Sequence[Transition],
    today: date,
    review_form: ReviewForm | None = None,
    item_comments: dict[str, str] | None = None,
    item_errors: dict[str, str] | None = None,
    task_forms: dict[int, RectificationForm] | None = None,
) -> dict[str, Any]:
    """Template variables for the page; posted forms and comments are passed back unchanged,
    so a refused review or task loses nothing the office typed."""
    view = submission_view(db(), inspection, select_locale())
    review = reviewing(view, actions)
    if review and review_form is None:
        review_form = ReviewForm(formdata=None, expected_version=inspection.version)
    task_forms = dict(task_forms or {})
    approved = view is not None and view.submission.review_state == ReviewState.APPROVED
    if approved:
        finals = {s.key for s in get_workflow("rectification").states if s.final}
        for found in view.findings:  # type: ignore[union-attr]
            if (
                found.finding.id not in task_forms
                and all(t.state in finals for t in found.tasks)
                and may_open(current_user, found.finding, inspection)
            ):
                task_forms[found.finding.id] = rectification_form(
                    found.finding.id, inspection.unit, today
                )
    comments = item_comments
    if comments is None:
        comments = dict(view.submission.item_comments or {}) if view else {}
    return {
        "review": view,
        "review_form": review_form if review else None,
        "item_comments": comments,
        "item_errors": item_errors or {},
        "task_forms": task_forms,
        "rect_workflow": get_workflow("rectification"),
    }
