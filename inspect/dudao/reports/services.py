"""Asking for a report: one row per distinct report, whoever asks and however often.

`request_report` returns the existing request when the same report (same kind,
parameters and underlying data) was asked for before; the caller commits and then
enqueues `jobs.run_report` (`enqueue_report`). A failed request is queued again
when asked for again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.config import Settings
from dudao.core.database import utcnow
from dudao.core.errors import N_, Language, Message, NotFound, ValidationError
from dudao.core.language import translations
from dudao.core.queue import enqueue
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Finding, Rectification, Submission
from dudao.org.models import Unit
from dudao.reports.models import ReportKind, ReportRequest, ReportState
from dudao.scheduling.recurrence import org_today

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
LOCALES = ("zh", "en")
#: The download names of inspection reports begin in the report's language.
REPORT_NAMES = {"zh": "检查报告", "en": "inspection-report"}
BATCH_NAMES = {"zh": "检查报告", "en": "inspection-reports"}
SUMMARY_NAMES = {"zh": "督导小结", "en": "period-summary"}
CAMPAIGN_NAMES = {"zh": "测评报告", "en": "campaign-report"}


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date  # inclusive


JOB_TIMEOUT = 3600  # seconds a report job may run


def parse_quarter(text: str) -> Period:
    """'2026Q3' -> 1 July .. 30 September 2026 (the organisation's calendar dates)."""
    match = QUARTER.match((text or "").strip().upper())
    if not match or not 1900 <= int(match.group(1)) <= 9998:  # 0000Q1 is no date at all
        message = (
            Message(N_("“%(quarter)s” is not a quarter; write it like 2026Q3."), quarter=text)
            if (text or "").strip()
            else Message(N_("Give a quarter, like 2026Q3."))
        )
        raise ValidationError.of_field("quarter", message)
    year, quarter = int(match.group(1)), int(match.group(2))
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return Period(f"{year}Q{quarter}", start, date.fromordinal(end.toordinal() - 1))


def batch_inspections(session: Session, unit: Unit, period: Period) -> list[int]:
    """Ids of the inspections of `unit`'s subtree due within `period` that have a submission."""
    return list(
        session.scalars(
            select(Inspection.id)
            .join(Unit, Unit.id == Inspection.unit_id)
            .where(
                Unit.path.startswith(unit.path),
                Inspection.due_date >= period.start,
                Inspection.due_date <= period.end,
                select(Submission.id).where(Submission.inspection_id == Inspection.id).exists(),
            )
            .order_by(Unit.path, Inspection.due_date, Inspection.id)
        )
    )


def fingerprint(session: Session, inspection_ids: list[int]) -> list[Any]:
    """What the reports of these inspections depend on: each inspection's version (bumped by
    every state change), its latest submission, and its rectification tasks' versions."""
    if not inspection_ids:
        return []
    versions = dict(
        session.execute(
            select(Inspection.id, Inspection.version).where(Inspection.id.in_(inspection_ids))
        ).all()
    )
    latest = dict(
        session.execute(
            select(Submission.inspection_id, func.max(Submission.id))
            .where(Submission.inspection_id.in_(inspection_ids))
            .group_by(Submission.inspection_id)
        ).all()
    )
    tasks = dict(
        session.execute(
            select(Finding.inspection_id, func.sum(Rectification.version) + func.count())
            .join(Rectification, Rectification.finding_id == Finding.id)
            .where(Finding.inspection_id.in_(inspection_ids))
            .group_by(Finding.inspection_id)
        ).all()
    )
    return [[i, versions.get(i), latest.get(i), tasks.get(i)] for i in inspection_ids]


def _key(kind: str, params: dict[str, Any], data: Any) -> str:
    text = json.dumps([kind, params, data], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _locale(locale: str) -> str:
    return "en" if locale.startswith("en") else "zh"


#: A report language's gettext (`gettext_for`).
Gettext = Callable[[str], str]


def app_locale(locale: str) -> str:
    """The application's locale ("zh_CN" or "en": catalogues, aggregations, queries) for a
    report language ("zh" or "en")."""
    return "en" if locale.startswith("en") else "zh_CN"


def catalogue_for(locale: str) -> Language:
    """The catalogue of a report language ("zh" or "en"), for reports made without a
    request (jobs, the CLI) as well as on a page."""
    return translations(app_locale(locale))


def gettext_for(locale: str) -> Gettext:
    """The catalogue's gettext for a report language."""
    return catalogue_for(locale).gettext


def aside(gettext: Gettext, text: object, note: object) -> str:
    """'text (note)' in a report's language: full-width brackets in Chinese."""
    return gettext("%(text)s (%(aside)s)") % {"text": text, "aside": note}


def describe(
    session: Session, kind: str, params: dict[str, Any]
) -> tuple[Unit, dict[str, Any], Any, str]:
    """(scope unit, clean parameters, data fingerprint, download name) of a report."""
    locale = _locale(str(params.get("locale") or "zh"))
    if kind == ReportKind.INSPECTION:
        inspection = session.get(Inspection, int(params["inspection_id"]))
        if inspection is None:
            raise NotFound(
                Message(N_("Inspection %(id)s does not exist."), id=params["inspection_id"])
            )
        clean = {"inspection_id": inspection.id, "locale": locale}
        if params.get("photos", True) is False:  # a reader the photos are not shown to
            clean["photos"] = False
        name = f"{REPORT_NAMES[locale]}-{inspection.unit.code}-{inspection.id}.pdf"
        return inspection.unit, clean, fingerprint(session, [inspection.id]), name
    if kind in (ReportKind.BATCH, ReportKind.SUMMARY):
        unit = session.scalar(select(Unit).where(Unit.code == str(params.get("unit", ""))))
        if unit is None:
            missing = Message(N_("No unit with the code '%(code)s'."), code=params.get("unit"))
            raise NotFound(missing)
        period = parse_quarter(str(params.get("quarter", "")))
        clean = {"unit": unit.code, "quarter": period.key, "locale": locale}
        if kind == ReportKind.BATCH:
            ids = batch_inspections(session, unit, period)
            name = f"{BATCH_NAMES[locale]}-{unit.code}-{period.key}.zip"
            return unit, clean, fingerprint(session, ids), name
        # A summary also counts planned and overdue work, which changes with the date.
        today = org_today(session).isoformat()
        return unit, clean, [today], f"{SUMMARY_NAMES[locale]}-{unit.code}-{period.key}.pdf"
    if kind == ReportKind.CAMPAIGN:
        return _describe_campaign(session, params)
    raise ValidationError.of_field(
        "kind", Message(N_("Unknown report kind '%(kind)s'."), kind=kind)
    )


def _describe_campaign(session: Session, params: dict[str, Any]) -> tuple[Unit, dict, Any, str]:
    """A campaign report depends on the campaign's state, window and thresholds and on how
    many answers are stored and pending (a batch or the close changes what it may show)."""
    from dudao.surveys.models import Campaign, PendingResponse, Response

    campaign = session.get(Campaign, int(params.get("campaign_id") or 0))
    if campaign is None:
        raise NotFound(Message(N_("Campaign %(id)s does not exist."), id=params.get("campaign_id")))
    counts = [
        session.scalar(
            select(func.count()).select_from(model).where(model.campaign_id == campaign.id)
        )
        for model in (Response, PendingResponse)
    ]
    over = campaign.is_over(utcnow())
    data = [str(campaign.state), campaign.closes_at.isoformat(), campaign.min_group,
            campaign.min_comment_group, over, *counts]  # fmt: skip
    locale = _locale(str(params.get("locale") or "zh"))
    clean = {"campaign_id": campaign.id, "locale": locale}
    return campaign.scope_unit, clean, data, f"{CAMPAIGN_NAMES[locale]}-{campaign.id}.pdf"


def request_report(
    session: Session, actor: Any, kind: str, params: dict[str, Any]
) -> tuple[ReportRequest, bool]:
    """(request, new): the request for this report, created when there is none yet.

    The caller checks that `actor` may see the scope unit (views: require_on) and,
    after commit, calls `enqueue_report` when the request is not done.
    """
    unit, clean, data, name = describe(session, kind, params)
    key = _key(kind, clean, data)
    found = session.scalar(select(ReportRequest).where(ReportRequest.key == key))
    if found is not None:
        if found.state == ReportState.FAILED:
            found.state, found.error, found.progress_done = ReportState.QUEUED, None, 0
            session.flush()
        return found, False
    request = ReportRequest(
        key=key, kind=kind, params=clean, unit_id=unit.id, state=ReportState.QUEUED,
        file_name=name, requested_by_id=getattr(actor, "id", None), progress_done=0,
        progress_total=0, attempts=0,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(request)
            session.flush()
    except IntegrityError:  # the same report asked for at the same moment elsewhere
        found = session.scalar(select(ReportRequest).where(ReportRequest.key == key))
        assert found is not None
        return found, False
    record(session, actor, "report.request", "report_request", request.id,
           after={"kind": kind, **clean})  # fmt: skip
    return request, True


def enqueue_report(settings: Settings, request: ReportRequest) -> None:
    """After commit: hand the request to a worker (the sweep does it if Redis is down)."""
    if request.state in (ReportState.QUEUED,):
        from dudao.reports.jobs import run_report

        enqueue(settings, run_report, request.id, queue="reports", job_timeout=JOB_TIMEOUT)
