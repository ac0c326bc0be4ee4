"""The publication page (阳光下运行, /public): published draws, inspection result summaries and
the assessment's rankings and tiers, each shown to the roles publication.yaml lists for it,
on the units where the viewer holds such a role.

Only closed periods are published (a period in progress is still moving), and the
satisfaction in a composite comes from the survey aggregation, so a questionnaire
group below its anonymity threshold is never part of what is shown here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from dudao.assessment.queries import ranking, result_periods, result_summary
from dudao.assessment.views import template_helpers
from dudao.core.enums import Role
from dudao.core.permissions import Permission
from dudao.scheduling import draw_queries
from dudao.scheduling.publication import Publication, publication_config
from dudao.web.context import db

bp = Blueprint("publication", __name__, template_folder="templates")
bp.context_processor(template_helpers)
F = TypeVar("F", bound=Callable[..., Any])


def section_paths(user: object, roles: frozenset[Role]) -> list[str]:
    """Subtrees where `user` holds one of `roles` (nested ones dropped)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return []
    paths = sorted({g.unit.path for g in getattr(user, "grants", []) if g.role in roles})
    return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]


def _sections(user: object, config: Publication | None = None) -> dict[str, list[str]]:
    config = config or publication_config()
    return {
        "draws": section_paths(user, config.draws),
        "results": section_paths(user, config.results),
        "rankings": section_paths(user, config.rankings),
    }


def requires_any_section(view: F) -> F:
    """Signed in, and publication.yaml lets the viewer see at least one section."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not any(_sections(current_user).values()):
            abort(403)
        return view(*args, **kwargs)

    wrapped.required_permission = Permission.VIEW_PUBLIC_RESULTS  # type: ignore[attr-defined]
    return login_required(wrapped)  # type: ignore[return-value]


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"sees_public_results": lambda: any(_sections(current_user).values())}


@bp.get("/public")
@requires_any_section
def index() -> str:
    sections = _sections(current_user)
    session = db()
    wide = sorted(set(sections["results"]) | set(sections["rankings"]))
    periods, current = result_periods(session, wide) if wide else ([], "")
    closed = [p for p in periods if p < current]
    period = request.args.get("period")
    period = period if period in closed else (closed[-1] if closed else None)
    draws = draw_queries.published_overlapping(session, sections["draws"])
    results = result_summary(session, sections["results"], period) if period else []
    board = None
    if sections["rankings"] and period:
        board = ranking(session, sections["rankings"], period)
        board = board if board.period == period else None
    return render_template(
        "assessment/public.html", sections=sections, periods=closed, period=period,
        draws=draws, results=results, board=board,
    )  # fmt: skip
