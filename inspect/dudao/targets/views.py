"""The office's targets pages: progress overall and per company inside its scope, how each
number is computed, and the evidence behind it (pioneer posts, manual entries, tier moves)."""

from __future__ import annotations

from contextlib import suppress

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from dudao.assessment import periods
from dudao.assessment.config import assessment_config
from dudao.core.errors import ValidationError
from dudao.core.permissions import Permission, can, scope_paths
from dudao.definitions.problems import DefinitionError
from dudao.org.models import Unit
from dudao.org.queries import by_code
from dudao.scheduling.recurrence import org_today
from dudao.targets import queries, services
from dudao.targets.config import Target, TargetFileError, TargetPlan, shipped_targets
from dudao.targets.forms import CorrectionForm, EntryForm
from dudao.targets.models import TargetEntry
from dudao.targets.progress import progress
from dudao.targets.sources import Contributions, SourceUnavailable, moved_branches, moves_up
from dudao.web.access import get_on, requires
from dudao.web.context import db, runtime
from dudao.web.downloads import send_named
from dudao.web.setup import select_locale, unit_choices
from dudao.web.uploads import UploadLimits, accepts_uploads

bp = Blueprint("targets", __name__, url_prefix="/targets", template_folder="templates")

EVIDENCE = UploadLimits(
    1, services.MAX_ATTACHMENT_BYTES, services.ALLOWED_SUFFIXES, services.UNSUPPORTED
)

Page = str | tuple[str, int] | Response


def _paths() -> list[str]:
    return scope_paths(current_user, Permission.VIEW_OFFICE)


def _plan() -> TargetPlan:
    """The plan; a bad targets file answers with its located problems instead of a page."""
    try:
        return shipped_targets()
    except TargetFileError as exc:
        abort(make_response(render_template("targets/broken.html", problems=exc.problems), 500))


def _target(key: str, source: str | None = None) -> Target:
    target = _plan().get(key)
    if target is None or (source and target.source != source):
        abort(404)
    return target


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"locale": select_locale(), "today": org_today(db())}


@bp.get("")
@requires(Permission.VIEW_OFFICE)
def index() -> str:
    found = progress(db(), _plan(), _paths())
    problems = [problem for item in found for problem in item.problems]
    return render_template("targets/index.html", progress=found, problems=problems)


@bp.get("/pioneer-posts")
@requires(Permission.VIEW_OFFICE)
def pioneer_posts() -> str:
    """Every pioneer post in the office's scope, optionally under one unit (by code)."""
    code = (request.args.get("unit") or "").strip()
    under = by_code(db(), code) if code else None
    if under is not None and not can(current_user, Permission.VIEW_OFFICE, under):
        under = None  # outside the scope reads like an unknown code
    retired = request.args.get("retired") == "1"
    page = request.args.get("page", 1, int)
    found = queries.posts(db(), _paths(), under=under, retired=retired, page=page)
    return render_template(
        "targets/posts.html", result=found, retired=retired, editable=False, under=under,
        unit_code=code, unknown_unit=bool(code) and not under,
    )  # fmt: skip


@bp.get("/<target_key>")
@requires(Permission.VIEW_OFFICE)
def show(target_key: str) -> Page:
    target = _target(target_key)
    known: dict[str, Contributions] = {}
    moves: list[queries.MoveRow] = []
    if target.source == "tier_moves":
        # The moves are both the evidence listed and the progress counted: read them once.
        with suppress(SourceUnavailable):  # progress() below says why
            found = moves_up(db(), _paths())
            known[target.key] = moved_branches(found)
            moves = queries.tier_moves(db(), found)
    item = progress(db(), _plan(), _paths(), keys=[target.key], known=known)[0]
    entries = queries.entries(db(), target.key, _paths()) if target.source == "manual" else []
    return render_template(
        "targets/show.html", item=item, target=target, entries=entries, moves=moves,
        tier_title=_tier_title, period_label=_period_label,
    )  # fmt: skip


def _period_label(key: str) -> str:
    """2026年第一季度 / 2026 Q1, as the assessment's pages name the period of a move."""
    return periods.label(key, str(select_locale()))


def _tier_title(key: str) -> str:
    """A tier's name from workflows/assessment.yaml, or its key if it cannot be read."""
    try:
        tier = assessment_config().tier(key)
    except DefinitionError:
        return key
    return tier.title(select_locale()) if tier else key


def _entry_form(form: EntryForm) -> EntryForm:
    units = queries.units(db(), _paths())
    form.unit.choices = unit_choices(units)
    form.today = org_today(db())
    return form


def _entry_fields(form: EntryForm) -> services.EntryFields:
    return services.EntryFields(
        unit=db().get(Unit, form.unit.data), entry_date=form.entry_date.data,
        amount=form.amount.data, description=form.description.data or "",
        reference=form.reference.data or "",
    )  # fmt: skip


def _upload(form: EntryForm) -> services.Upload | None:
    file = request.files.get(form.evidence.name)
    if not file or not file.filename:
        return None
    return services.Upload(file.filename, file.read(), file.mimetype or "")


def _save_entry(form: EntryForm, target: Target, old: TargetEntry | None) -> Response | None:
    """Validate and save; None when the form must be shown again with its errors."""
    if not form.validate_on_submit():
        return None
    data_dir, today = runtime().settings.data_dir, form.today
    try:
        if old is None:
            services.add_entry(db(), current_user, target, _entry_fields(form), _upload(form),
                               data_dir, today)  # fmt: skip
        else:
            services.correct_entry(
                db(), current_user, target, old, _entry_fields(form), _upload(form),
                form.reason.data or "", data_dir, today,
            )  # fmt: skip
    except ValidationError as exc:
        db().rollback()
        form.evidence.errors = [*form.evidence.errors, exc.in_language(get_translations())]
        return None
    db().commit()
    flash(_("The entry is recorded."), "success")
    return redirect(url_for("targets.show", target_key=target.key))


def _entry_page(form: EntryForm, target: Target, old: TargetEntry | None) -> Page:
    page = render_template(
        "targets/entry_form.html", form=form, target=target, old=old, limits=EVIDENCE.attributes()
    )
    return page, 422 if form.errors else 200


@bp.route("/<target_key>/entries/new", methods=["GET", "POST"])
@accepts_uploads(EVIDENCE)
@requires(Permission.VIEW_OFFICE)
def add_entry(target_key: str) -> Page:
    target = _target(target_key, "manual")
    form = _entry_form(EntryForm())
    done = _save_entry(form, target, None)
    if done is not None:
        return done
    return _entry_page(form, target, None)


def _entry(target: Target, entry_id: int) -> TargetEntry:
    entry = get_on(Permission.VIEW_OFFICE, TargetEntry, entry_id)
    if entry.target_key != target.key:
        abort(404)
    return entry


@bp.route("/<target_key>/entries/<int:entry_id>/correct", methods=["GET", "POST"])
@accepts_uploads(EVIDENCE)
@requires(Permission.VIEW_OFFICE)
def correct_entry(target_key: str, entry_id: int) -> Page:
    target = _target(target_key, "manual")
    old = _entry(target, entry_id)
    newer = queries.correction_of(db(), old.id)
    if newer is not None:
        flash(_("Entry #%(id)d was already corrected by entry #%(newer)d; correct that one.",
                id=old.id, newer=newer), "error")  # fmt: skip
        return redirect(url_for("targets.show", target_key=target.key))
    form = _entry_form(CorrectionForm(obj=old if request.method == "GET" else None))
    if request.method == "GET":
        form.unit.data, form.reason.data = old.unit_id, ""
    done = _save_entry(form, target, old)
    if done is not None:
        return done
    return _entry_page(form, target, old)


@bp.get("/<target_key>/entries/<int:entry_id>/evidence")
@requires(Permission.VIEW_OFFICE)
def evidence(target_key: str, entry_id: int) -> Response:
    entry = _entry(_target(target_key, "manual"), entry_id)
    if not entry.evidence_path:
        abort(404)
    return send_named(
        runtime().settings.data_dir / entry.evidence_path,
        entry.evidence_name or "evidence",
        entry.evidence_type,
    )
