"""Office pages for campaigns: create, roster import, open/close, e-mailed links.

Issuing invitations and open links (shown once) is in `issue_views`, on this blueprint.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_timezone, get_translations
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HttpResponse

from dudao.assessment import periods
from dudao.core.errors import ValidationError
from dudao.core.permissions import Permission, scope_paths
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.definitions.queries import current_version, pinned
from dudao.org.queries import by_code
from dudao.surveys import queries, services
from dudao.surveys.forms import CampaignForm, RosterForm
from dudao.surveys.models import Campaign, CampaignState, closing_moment
from dudao.surveys.roster import import_roster
from dudao.web.access import require_on, requires
from dudao.web.context import db, runtime
from dudao.web.form_errors import place_problems
from dudao.web.setup import select_locale

bp = Blueprint("surveys", __name__, url_prefix="/surveys", template_folder="templates")


@bp.app_template_global()
def campaign_closes(campaign: Campaign) -> str:
    """When the window ends, in the page's language: "2026/12/20 24:00", not the 21st."""
    day, clock = closing_moment(campaign.closes_at, get_timezone())
    return f"{format_date(day, 'short')} {clock}"


Page = str | tuple[str, int] | HttpResponse


def campaign_in_scope(campaign_id: int) -> Campaign:
    """The campaign, or 404 when it does not exist or its scope is outside the viewer's."""
    campaign = db().get(Campaign, campaign_id)
    require_on(Permission.MANAGE_SURVEYS, campaign.scope_unit if campaign else None)
    assert campaign is not None
    return campaign


@bp.get("")
@requires(Permission.MANAGE_SURVEYS)
def index() -> str:
    paths = scope_paths(current_user, Permission.MANAGE_SURVEYS)
    return render_template("surveys/index.html", campaigns=queries.campaigns_in_scope(db(), paths))


def _questionnaires() -> list[tuple[str, str]]:
    """The questionnaires a campaign can put to members: anonymous ones, without photos."""
    rows = db().execute(
        select(
            FormDefinition.key,
            FormDefinition.title_zh,
            FormDefinition.title_en,
            DefinitionVersion.id,
        )
        .join(DefinitionVersion, DefinitionVersion.definition_id == FormDefinition.id)
        .where(
            FormDefinition.kind == "questionnaire",
            FormDefinition.retired.is_(False),
            DefinitionVersion.number == FormDefinition.current_number,
        )
        .order_by(FormDefinition.key)
    )
    english = select_locale().startswith("en")
    return [
        (key, f"{(en if english and en else zh)} ({key})")
        for key, zh, en, version_id in rows
        if services.unfit_for_members(pinned(db(), version_id)) is None
    ]


def _local(day: object, zone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone))  # type: ignore[arg-type]


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_SURVEYS)
def create() -> Page:
    form = CampaignForm()
    form.definition.choices = _questionnaires()
    if not form.is_submitted():  # named as the assessment and the demo name periods
        quarter = periods.current_key("quarter", runtime().settings.timezone)
        form.period_label.data = periods.label(quarter, select_locale())
    valid = form.validate_on_submit()
    scope = None
    if form.is_submitted() and form.scope.data and not form.scope.errors:
        scope = by_code(db(), form.scope.data.strip())
        paths = scope_paths(current_user, Permission.MANAGE_SURVEYS)
        if scope is None or not any(scope.path.startswith(p) for p in paths):
            form.scope.errors = [_("There is no unit with this code in your scope.")]
    if valid and scope is not None and not form.scope.errors:
        version: DefinitionVersion | None = current_version(db(), form.definition.data or "")
        if version is None:
            form.definition.errors = [_("This questionnaire has no current version.")]
        else:
            zone = runtime().settings.timezone
            try:
                campaign = services.create_campaign(
                    db(),
                    current_user,
                    title=form.title.data or "",
                    version=version,
                    scope_unit=scope,
                    levels=form.levels.data or [],
                    opens_at=_local(form.opens_on.data, zone),
                    closes_at=_local(form.closes_on.data, zone) + timedelta(days=1),
                    period_label=form.period_label.data or "",
                    min_group=form.min_group.data,
                    min_comment_group=form.min_comment_group.data,
                )
            except ValidationError as exc:
                _place(form, exc)
            else:
                db().commit()
                flash(_("Campaign created as a draft."), "success")
                return redirect(url_for("surveys.detail", campaign_id=campaign.id))
    status = 422 if form.errors else 200
    return render_template("surveys/new.html", form=form), status


def _place(form: CampaignForm, exc: ValidationError) -> None:
    """Each problem of the service beside its field (the title's otherwise)."""
    fields = {"definition": form.definition, "min_group": form.min_group,
              "min_comment_group": form.min_comment_group, "closes_at": form.closes_on}  # fmt: skip
    place_problems(exc, fields, rest=form.title)


@bp.get("/<int:campaign_id>")
@requires(Permission.MANAGE_SURVEYS)
def detail(campaign_id: int) -> str:
    campaign = campaign_in_scope(campaign_id)
    units = queries.answering_units(db(), campaign)
    from dudao.surveys.mailing import mailed_counts

    return render_template(
        "surveys/detail.html",
        campaign=campaign,
        units=units,
        roster=queries.roster_counts(db(), [u.id for u in units]),
        with_email=queries.roster_counts(db(), [u.id for u in units], with_email=True),
        mailed=mailed_counts(db(), campaign.id),
        smtp=bool(runtime().settings.smtp_url),
        invited=queries.issued_counts(db(), campaign.id),
        open_links=queries.open_link_caps(db(), campaign.id),
        removed=queries.removed_links(db(), campaign.id),
        pending=queries.pending_count(db(), campaign.id),
    )


@bp.post("/<int:campaign_id>/state")
@requires(Permission.MANAGE_SURVEYS)
def change_state(campaign_id: int) -> HttpResponse:
    campaign = campaign_in_scope(campaign_id)
    wanted = {"open": CampaignState.OPEN, "close": CampaignState.CLOSED}.get(
        request.form.get("action", "")
    )
    if wanted is None:
        abort(400)
    try:
        services.set_state(db(), current_user, campaign, wanted)
    except ValidationError as exc:
        flash(exc.in_language(get_translations()), "error")
    else:
        db().commit()
        if wanted == CampaignState.CLOSED:
            from dudao.core.queue import enqueue
            from dudao.surveys.jobs import move_pending_responses

            enqueue(runtime().settings, move_pending_responses, campaign.id)
        flash(
            _("The campaign is open.")
            if wanted == CampaignState.OPEN
            else _("The campaign is closed; the remaining answers are being added."),
            "success",
        )
    return redirect(url_for("surveys.detail", campaign_id=campaign.id))


@bp.post("/<int:campaign_id>/email-invitations")
@requires(Permission.MANAGE_SURVEYS)
def email_invitations(campaign_id: int) -> HttpResponse:
    """E-mail each roster member with an address a link of their own (a job; idempotent).
    The campaign is marked first, so the periodic sweep finishes what a lost job missed."""
    from dudao.core.queue import enqueue
    from dudao.surveys.jobs import MAILING_TIMEOUT
    from dudao.surveys.jobs import email_invitations as job
    from dudao.surveys.mailing import request_mailing

    campaign = campaign_in_scope(campaign_id)
    settings = runtime().settings
    if not settings.smtp_url:
        flash(_("E-mail is not set up for this site: ask the administrator to set it up."), "error")
        return redirect(url_for("surveys.detail", campaign_id=campaign.id))
    try:
        request_mailing(db(), current_user, campaign, request.url_root)
    except ValidationError:
        flash(_("Links can be e-mailed while the campaign is open."), "error")
    else:
        db().commit()
        enqueue(settings, job, campaign.id, request.url_root, job_timeout=MAILING_TIMEOUT)
        flash(_("The links are being e-mailed; reload this page to see the counts."), "success")
    return redirect(url_for("surveys.detail", campaign_id=campaign.id))


@bp.route("/roster", methods=["GET", "POST"])
@requires(Permission.MANAGE_SURVEYS)
def roster() -> Page:
    form = RosterForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        report = import_roster(
            db(),
            current_user,
            upload.read(),
            upload.filename or "roster",
            scope=scope_paths(current_user, Permission.MANAGE_SURVEYS),
        )
        if report.ok:
            db().commit()
        else:
            db().rollback()
    status = 422 if form.errors or (report and not report.ok) else 200
    return render_template("surveys/roster.html", form=form, report=report), status


from dudao.surveys import issue_views  # noqa: E402,F401  (registers the issuing routes on bp)
