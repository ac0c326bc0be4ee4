"""The publication page (阳光下运行, /public): published draws, inspection result summaries and
the assessment's rankings and tiers, each shown to the roles publication.yaml lists for it,
on the units where the viewer holds such a role.

Only closed periods are published (a period in progress is still moving), and the
satisfaction in a composite comes from the survey aggregation, so a questionnaire
group below its anonymity threshold is never part of what is shown here.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_login import current_user

from dudao.assessment.config import AssessmentConfigError
from dudao.assessment.queries import ranking, result_cells, result_periods, result_summary
from dudao.assessment.views import config_error, template_helpers
from dudao.scheduling import draw_queries
from dudao.scheduling.draw_views import publication_paths, requires_paths
from dudao.scheduling.publication import Publication, publication_config
from dudao.web.context import db

bp = Blueprint("publication", __name__, template_folder="templates")
bp.context_processor(template_helpers)
bp.register_error_handler(AssessmentConfigError, config_error)


def _outermost(paths: list[str]) -> list[str]:
    """Drop the subtrees inside another one, so no part is counted twice."""
    return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]


def _sections(user: object, config: Publication | None = None) -> dict[str, list[str]]:
    """Per section of the page, the subtrees where `user` holds one of its roles."""
    config = config or publication_config()
    return {
        "draws": _outermost(publication_paths(user, config.draws)),
        "results": _outermost(publication_paths(user, config.results)),
        "rankings": _outermost(publication_paths(user, config.rankings)),
    }


def _any_section(user: object) -> list[str]:
    return [path for paths in _sections(user).values() for path in paths]


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"sees_public_results": lambda: bool(_any_section(current_user))}


@bp.get("/public")
@requires_paths(_any_section)
def index() -> str:
    sections = _sections(current_user)
    session = db()
    wide = sorted(set(sections["results"]) | set(sections["rankings"]))
    cells = result_cells(session, wide) if wide else {}
    periods, current = result_periods(session, cells)
    closed = [p for p in periods if p < current]
    period = request.args.get("period")
    period = period if period in closed else (closed[-1] if closed else None)
    draws = draw_queries.published_overlapping(session, sections["draws"])
    results = result_summary(session, sections["results"], period, cells) if period else []
    board = None
    if sections["rankings"] and period:
        board = ranking(session, sections["rankings"], period)
        board = board if board.period == period else None
    return render_template(
        "assessment/public.html", sections=sections, periods=closed, period=period,
        draws=draws, results=results, board=board,
    )  # fmt: skip
