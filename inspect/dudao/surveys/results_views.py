"""Campaign results: one page and its CSV, XLSX and JSON forms, all from `aggregate`."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_babel import get_translations
from flask_babel import gettext as _
from werkzeug.wrappers import Response as HttpResponse

from dudao.core.permissions import Permission
from dudao.reports.campaign_data import value_label
from dudao.surveys import export
from dudao.surveys.aggregate import FILTERABLE, FilterRefused, Report, aggregate
from dudao.surveys.folding import unit_rows
from dudao.surveys.models import Campaign
from dudao.surveys.views import campaign_in_scope
from dudao.web.access import requires
from dudao.web.context import db
from dudao.web.downloads import disposition
from dudao.web.setup import select_locale

bp = Blueprint("survey_results", __name__, url_prefix="/surveys", template_folder="templates")


def _report(campaign: Campaign) -> Report:
    unit = request.args.get("unit", type=int)
    return aggregate(
        db(),
        campaign,
        root_unit_id=unit,
        filter_item=request.args.get("item") or None,
        filter_value=request.args.get("value") or None,
        locale=select_locale(),
    )


@bp.get("/<int:campaign_id>/results")
@requires(Permission.MANAGE_SURVEYS)
def results(campaign_id: int) -> str | tuple[str, int]:
    campaign = campaign_in_scope(campaign_id)
    try:
        report = _report(campaign)
    except FilterRefused as exc:
        # Only a refused filter needs the unfiltered figures as well (one aggregation each).
        full = aggregate(db(), campaign, locale=select_locale())
        return _results_page(campaign, full, exc.in_language(get_translations())), 422
    return _results_page(campaign, report, None)


def _results_page(campaign: Campaign, report: Report, refused: str | None) -> str:
    return render_template(
        "surveys/results.html",
        campaign=campaign,
        report=report,
        filters=[i for i in report.definition.items if i.type in FILTERABLE],
        refused=refused,
        rows=unit_rows(report.groups),
        reasons=REASONS,
        locale=select_locale(),
        value_label=value_label,
    )


@bp.get("/<int:campaign_id>/results.<any(csv, xlsx, json):fmt>")
@requires(Permission.MANAGE_SURVEYS)
def results_export(campaign_id: int, fmt: str) -> HttpResponse | tuple[HttpResponse, int]:
    campaign = campaign_in_scope(campaign_id)
    try:
        report = _report(campaign)
    except FilterRefused as exc:
        response = jsonify(error="filter_refused", message=exc.in_language(get_translations()))
        return response, 422
    name = f"campaign-{campaign.id}-results.{fmt}"
    named = {"Content-Disposition": disposition(name)}
    locale = "en" if select_locale().startswith("en") else "zh"
    if fmt == "csv":
        return HttpResponse(export.to_csv(report, locale), mimetype="text/csv", headers=named)
    if fmt == "xlsx":
        return HttpResponse(
            export.to_xlsx(report, locale),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers=named,
        )
    response = jsonify(export.to_json(report))
    response.headers.update(named)  # a download like the others, not a page in the tab
    return response


#: Why a group is hidden, as the pages say it ("top": the campaign's scope, which has no
#: unit above it for its answers to count in).
REASONS = {
    "top": lambda k: _("Fewer than %(k)s answers: hidden.", k=k),
    "small": lambda k: _(
        "Fewer than %(k)s answers: hidden; its answers count in the figures of the unit above.", k=k
    ),
    "within": lambda k: _("Hidden because the unit above it is hidden."),
    "complementary": lambda k: _(
        "Hidden so that a hidden neighbouring group cannot be worked out by subtraction."
    ),
}
