"""Report pages: ask for a report, watch its progress, download it; exports; the summary.

A report request is visible to whoever may see its scope unit: for an inspection
report, the inspection's viewers (VIEW_UNITS on its unit, or its assignees), and the
one with the photos only to those its page shows them to (`may_see`: assignees, the
office, the unit's leads; the others ask for, and share, one without them); for
batches and summaries, the office on the unit (VIEW_OFFICE). Outside that: 404.
Every report page needs VIEW_UNITS somewhere (inspectors, unit leads, office).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from dudao.assessment.periods import key_of_date
from dudao.core.errors import DudaoError
from dudao.core.permissions import Permission, can, scope_paths
from dudao.inspections.api_support import may_see
from dudao.inspections.models import Inspection
from dudao.org.models import Unit
from dudao.org.queries import by_code, scope_roots, within
from dudao.reports import exports
from dudao.reports.export_files import encode
from dudao.reports.models import ReportKind, ReportRequest, ReportState
from dudao.reports.services import enqueue_report, parse_quarter, request_report
from dudao.scheduling.recurrence import org_today
from dudao.web.access import BadArgument, require_on, requires
from dudao.web.context import db, runtime
from dudao.web.downloads import SPREADSHEET_TYPES, disposition, send_named
from dudao.web.setup import select_locale

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")


def _may_see_inspection(inspection: Inspection | None) -> bool:
    return inspection is not None and (
        current_user.id in inspection.assignee_ids
        or can(current_user, Permission.VIEW_UNITS, inspection.unit)
    )


def _visible(report: ReportRequest | None) -> ReportRequest:
    if report is None:
        abort(404)
    if report.kind == ReportKind.INSPECTION:
        inspection = db().get(Inspection, int(report.params["inspection_id"]))
        if not _may_see_inspection(inspection):
            abort(404)
        # The report with the photos: only for whom the inspection page shows them.
        if report.params.get("photos", True) and not may_see(current_user, inspection):
            abort(404)
    elif report.kind == ReportKind.CAMPAIGN:
        require_on(Permission.MANAGE_SURVEYS, report.unit)
    else:
        require_on(Permission.VIEW_OFFICE, report.unit)
    return report


def _locale() -> str:
    """The reader's language as reports name it: "en" or "zh"."""
    return "en" if str(select_locale() or "").startswith("en") else "zh"


def _start(kind: str, params: dict) -> Response | tuple[str, int]:
    session = db()
    try:
        report, _new = request_report(session, current_user, kind, params)
    except DudaoError as exc:
        session.rollback()
        return _index_page(exc.in_language(get_translations())), 422
    session.commit()
    enqueue_report(runtime().settings, report)
    return redirect(url_for("reports.show", request_id=report.id))


@bp.get("")
@requires(Permission.VIEW_OFFICE)
def index() -> str:
    return _index_page()


def _index_page(error: str = "", unit_error: str = "") -> str:
    """The page, with a refused request's problem and what was typed kept in the form."""
    paths = scope_paths(current_user, Permission.VIEW_OFFICE)
    recent = db().scalars(
        select(ReportRequest)
        .join(Unit, Unit.id == ReportRequest.unit_id)
        .where(ReportRequest.kind != ReportKind.INSPECTION)
        .where(within(paths))
        .order_by(ReportRequest.id.desc())
        .limit(20)
    )
    labels = {
        "inspections": _("Inspections"), "answers": _("Answers, item by item"),
        "findings": _("Findings"), "rectifications": _("Rectification tasks"),
        "flags": _("Trend flags"), "survey_results": _("Questionnaire results"),
    }  # fmt: skip
    datasets = [(name, labels.get(name, name)) for name in exports.DATASETS]
    datasets.append(("all", _("All of these (XLSX, one sheet each)")))
    typed = {name: request.form.get(name, "") for name in ("unit", "quarter")}
    return render_template(
        "reports/index.html", recent=list(recent), datasets=datasets,
        error=error, unit_error=unit_error, typed=typed,
        quarterly=typed if request.method == "POST" else _usual_choice(paths),
    )  # fmt: skip


def _usual_choice(paths: list[str]) -> dict[str, str]:
    """The quarterly form's first values: the viewer's own part of the tree, when it is one
    unit, and the quarter of today (the exports keep theirs empty: empty means all)."""
    roots = scope_roots(db(), paths)
    unit = roots[0].code if len(roots) == 1 else ""
    return {"unit": unit, "quarter": key_of_date(org_today(db()), "quarter")}


@bp.post("/inspection/<int:inspection_id>")
@requires(Permission.VIEW_UNITS)
def inspection_report(inspection_id: int) -> Response:
    inspection = db().get(Inspection, inspection_id)
    if not _may_see_inspection(inspection):
        abort(404)
    params = {"inspection_id": inspection_id, "locale": _locale()}
    return _start(ReportKind.INSPECTION, {**params, "photos": may_see(current_user, inspection)})


def _office_unit(code: str = "") -> tuple[Unit | None, str]:
    """The unit `code` or else the form names, or None and why: a code outside the viewer's
    part of the tree reads like an unknown one."""
    code = code or (request.form.get("unit") or request.args.get("unit") or "").strip()
    unit = by_code(db(), code)
    if unit is None or not can(current_user, Permission.VIEW_OFFICE, unit):
        return None, _("No unit with the code %(code)s in the part you supervise.", code=code)
    return unit, ""


def _start_for_unit(kind: str) -> Response | tuple[str, int]:
    unit, unknown = _office_unit()
    if unit is None:  # 404, as for any unit outside the viewer's part, with the form kept
        return _index_page(unit_error=unknown), 404
    quarter = request.form.get("quarter")
    return _start(kind, {"unit": unit.code, "quarter": quarter, "locale": _locale()})


@bp.post("/batch")
@requires(Permission.VIEW_OFFICE)
def batch() -> Response | tuple[str, int]:
    return _start_for_unit(ReportKind.BATCH)


@bp.get("/summary")
@requires(Permission.VIEW_OFFICE)
def summary_page() -> tuple[str, int]:
    """The period summary on a page: the same figures and chart drawings as the PDF."""
    from dudao.reports import charts
    from dudao.reports.fonts import register_font
    from dudao.reports.summary import load_summary

    code = (request.args.get("unit") or "").strip()
    quarter = (request.args.get("quarter") or "").strip()
    if not request.args:
        usual = _usual_choice(scope_paths(current_user, Permission.VIEW_OFFICE))
        code, quarter = usual["unit"], usual["quarter"]
    data, svgs, error, unit = None, {}, "", None
    if code and quarter:
        unit, error = _office_unit(code)
        try:
            period = parse_quarter(quarter)
        except DudaoError as exc:
            error = error or exc.in_language(get_translations())
        if unit is not None and not error:
            data = load_summary(db(), unit, period, runtime().settings.tz, _locale())
            font = register_font(runtime().settings.pdf_font)
            grades, monthly = _("Grade distribution"), _("Monthly average score, per cent")
            svgs = {  # titled in the reader's language, drawn and for screen readers
                "grades": charts.to_svg(charts.grade_chart(data.grades, font, grades), grades),
                "monthly": charts.to_svg(charts.monthly_chart(data.monthly, font, monthly),
                                         monthly),
                "failures": charts.to_svg(charts.failure_chart(data.failures, font, ""),
                                          _("Failures by item (top 10)")),
                "sections": [[charts.to_svg(d, section.title) for d in section.charts]
                             for section in data.sections],
            }  # fmt: skip
    page = render_template("reports/summary.html", summary=data, svgs=svgs, error=error,
                           unit_code=code, quarter=quarter)  # fmt: skip
    return page, 404 if code and quarter and unit is None else 200


@bp.post("/summary")
@requires(Permission.VIEW_OFFICE)
def summary() -> Response | tuple[str, int]:
    return _start_for_unit(ReportKind.SUMMARY)


@bp.post("/campaign/<int:campaign_id>")
@requires(Permission.MANAGE_SURVEYS)
def campaign_report(campaign_id: int) -> Response:
    """The questionnaire campaign report, for whoever may see the campaign's results."""
    from dudao.surveys.views import campaign_in_scope

    campaign = campaign_in_scope(campaign_id)
    return _start(ReportKind.CAMPAIGN, {"campaign_id": campaign.id, "locale": _locale()})


@bp.get("/<int:request_id>")
@requires(Permission.VIEW_UNITS)
def show(request_id: int) -> str:
    report = _visible(db().get(ReportRequest, request_id))
    return render_template("reports/show.html", report=report, ReportState=ReportState)


@bp.get("/<int:request_id>/status")
@requires(Permission.VIEW_UNITS)
def status(request_id: int) -> Response:
    report = _visible(db().get(ReportRequest, request_id))
    done = report.state == ReportState.DONE
    return jsonify(
        state=report.state, done=report.progress_done, total=report.progress_total,
        percent=report.percent, error=report.error if report.state == ReportState.FAILED else None,
        download=url_for("reports.download", request_id=report.id) if done else None,
    )  # fmt: skip


@bp.get("/<int:request_id>/download")
@requires(Permission.VIEW_UNITS)
def download(request_id: int) -> Response:
    report = _visible(db().get(ReportRequest, request_id))
    if report.state != ReportState.DONE or not report.file_path:
        abort(404)
    root = runtime().settings.data_dir.resolve()
    path = (root / report.file_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        abort(404)
    return send_named(Path(path), report.file_name)


@bp.get("/export")
@requires(Permission.VIEW_OFFICE)
def export_chosen() -> Response:
    """The Reports page's export form: the chosen dataset's address, with what was filled."""
    filled = {k: v for k in ("format", "unit", "quarter") if (v := request.args.get(k, "").strip())}
    dataset = request.args.get("dataset") or "inspections"
    if dataset == "all":  # one sheet each: only a workbook holds them
        filled["format"] = "xlsx"
    return redirect(url_for("reports.export", dataset=dataset, **filled))


@bp.get("/export/<dataset>")
@requires(Permission.VIEW_OFFICE)
def export(dataset: str) -> Response:
    fmt = request.args.get("format", "csv")
    if dataset not in exports.DATASETS and dataset != "all":
        abort(404)
    if fmt not in SPREADSHEET_TYPES:
        raise BadArgument(_("“%(format)s” is not an export format; use csv or xlsx.", format=fmt))
    if dataset == "all" and fmt == "csv":
        raise BadArgument(_("Every dataset at once comes as xlsx only (one sheet each)."))
    unit = None
    if request.args.get("unit"):
        unit, _unknown = _office_unit()
        if unit is None:
            abort(404)
    period = None
    if request.args.get("quarter"):
        try:
            period = parse_quarter(request.args["quarter"])
        except DudaoError as exc:
            raise BadArgument(exc.in_language(get_translations())) from exc
    scope = exports.Scope(
        scope_paths(current_user, Permission.VIEW_OFFICE), unit,
        period.start if period else None, period.end if period else None,
        "en" if select_locale().startswith("en") else "zh",  # people read the web's exports
    )  # fmt: skip
    names = list(exports.DATASETS) if dataset == "all" else [dataset]
    datasets = exports.build(db(), names, scope, runtime().settings.tz)
    body = encode(datasets, fmt)
    response = Response(body, mimetype=SPREADSHEET_TYPES[fmt])
    narrowed = "".join(f"-{part}" for part in (unit and unit.code, period and period.key) if part)
    response.headers["Content-Disposition"] = disposition(f"dudao-{dataset}{narrowed}.{fmt}")
    return response
