"""Making and publishing spot-check draws (双随机、一公开).

`create_draw` snapshots its inputs from the database, runs the pure algorithm in
`scheduling.draws`, stores everything needed to recompute it, and creates the
drawn inspections (assigned through the workflow engine), all in the caller's
transaction. `draw_verification.verify_draw` recomputes a stored draw and compares.
"""

from __future__ import annotations

import importlib
import math
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.auth.models import RoleGrant, User
from dudao.core.database import org_timezone, utcnow
from dudao.core.enums import Role, UnitLevel
from dudao.core.errors import N_, FieldProblem, Listed, Message, PermissionDenied, field_problem
from dudao.core.permissions import Permission, can
from dudao.definitions.queries import current_version
from dudao.inspections.models import Inspection, InspectionOrigin
from dudao.inspections.services import create_inspection
from dudao.inspections.submission_models import ReviewState, Submission
from dudao.org.models import Unit
from dudao.org.queries import within
from dudao.scheduling import queries
from dudao.scheduling.assign import on_one_branch, people_from_grants
from dudao.scheduling.draw_params import (
    DEFAULT_LEVELS,
    DrawError,
    DrawRefused,
    normalise_params,
)
from dudao.scheduling.draws import ALGORITHM, digest, new_seed, run_draw
from dudao.scheduling.models import SpotCheckDraw
from dudao.scheduling.recurrence import org_today
from dudao.workflow import engine


def _last_inspected(session: Session, unit_ids: set[int], zone: ZoneInfo) -> dict[int, str]:
    """Latest date of a not-cancelled inspection per unit: its period start, else the day
    (in the organisation's time zone) it was created."""
    rows = session.execute(
        select(Inspection.unit_id, Inspection.period_start, Inspection.created_at).where(
            Inspection.state != "cancelled", Inspection.unit_id.in_(unit_ids)
        )
    ) if unit_ids else []  # fmt: skip
    latest: dict[int, str] = {}
    for unit_id, period_start, created_at in rows:
        day = (period_start or created_at.astimezone(zone).date()).isoformat()
        latest[unit_id] = max(day, latest.get(unit_id, ""))
    return latest


def _recent_scores(session: Session, unit_ids: set[int]) -> dict[int, int]:
    """Per unit, the percent score (0-100, rounded half up) of its latest approved submission."""
    rows = session.execute(
        select(Inspection.unit_id, Submission.percent, Submission.submitted_at, Submission.id)
        .join(Inspection, Inspection.id == Submission.inspection_id)
        .where(
            Inspection.unit_id.in_(unit_ids),
            Submission.review_state == ReviewState.APPROVED,
            Submission.percent.is_not(None),
        )
    ) if unit_ids else []  # fmt: skip
    latest: dict[int, tuple[Any, int, float]] = {}
    for unit_id, percent, submitted_at, submission_id in rows:
        key = (submitted_at, submission_id)
        if unit_id not in latest or key > latest[unit_id][:2]:
            latest[unit_id] = (*key, percent)
    return {u: max(0, min(100, math.floor(p + 0.5))) for u, (_, _, p) in latest.items()}


def _inspectors(session: Session, scope: Unit, pool: list[str]) -> list[dict[str, Any]]:
    """The pool: active accounts with an inspector grant overlapping the scope (or the named
    ones); `reach` = their inspector grants, `own` = the units they belong to (回避), read
    from their grants as schedules and assignments read them (`assign.people_from_grants`)."""
    query = (
        select(User.id, User.username, RoleGrant.role, Unit.path)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .join(Unit, Unit.id == RoleGrant.unit_id)
        .where(User.active.is_(True))
    )
    if pool:
        query = query.where(User.username.in_(pool))
    rows = ((uid, name, Role(role).value, path) for uid, name, role, path in session.execute(query))
    chosen = [
        {"id": p.id, "username": p.username, "reach": list(p.inspect_paths),
         "own": list(p.home_paths)}
        for p in people_from_grants(rows).values()
        if any(on_one_branch(path, scope.path) for path in p.inspect_paths)
    ]  # fmt: skip
    return sorted(chosen, key=lambda p: p["id"])


#: Where open-flag counts come from: trend detection sits above scheduling, so it is
#: named here and imported when a draw snapshots its inputs, not imported at the top.
OPEN_FLAG_SOURCE = "dudao.trends.queries:open_flag_counts"


def _open_flags(session: Session, unit_ids: set[int]) -> dict[int, int]:
    module, _, name = OPEN_FLAG_SOURCE.partition(":")
    return getattr(importlib.import_module(module), name)(session, unit_ids)


def snapshot_inputs(
    session: Session, scope: Unit, params: dict[str, Any], today: date | None = None
) -> dict[str, Any]:
    """Everything the algorithm reads, as canonical JSON-ready data sorted by id (`params`
    normalised, the pool checked: `draw_problems`)."""
    zone = ZoneInfo(org_timezone(session))
    levels = [UnitLevel(level) for level in params["levels"] or DEFAULT_LEVELS]
    units = session.scalars(
        select(Unit).where(within([scope.path]), Unit.active.is_(True), Unit.level.in_(levels))
    ).all()
    companies = dict(
        session.execute(select(Unit.id, Unit.code).where(Unit.level == UnitLevel.COMPANY)).all()
    )
    last = _last_inspected(session, {unit.id for unit in units}, zone)
    scores = _recent_scores(session, {unit.id for unit in units})
    flags = _open_flags(session, {unit.id for unit in units})
    rows = []
    for unit in sorted(units, key=lambda unit: unit.id):
        company = next((companies[i] for i in unit.ancestor_ids if i in companies), None)
        rows.append(
            {"id": unit.id, "code": unit.code, "name": unit.name, "path": unit.path,
             "level": str(unit.level.value), "company": company,
             "open_flags": flags.get(unit.id, 0), "recent_score": scores.get(unit.id),
             "last_inspected": last.get(unit.id)}
        )  # fmt: skip
    return {
        "scope": {"id": scope.id, "code": scope.code, "path": scope.path},
        "as_of": (today or org_today(session)).isoformat(),
        "units": rows,
        "inspectors": _inspectors(session, scope, params["pool"]),
    }


def seen_as_typed(text: str) -> bool:
    """No control, format (zero-width) or unusual space character: a seed printed on the
    published page reads as the one that was drawn with, so anyone can type it again."""
    return all(c == " " or not unicodedata.category(c).startswith(("C", "Z")) for c in text)


def draw_problems(
    session: Session,
    title: str,
    definition_key: str,
    scope: Unit | None,
    params: Mapping[str, Any],
    due_date: date | None,
    seed: str | None = None,
    today: date | None = None,
) -> list[FieldProblem]:
    """Every problem of a draw's inputs, each naming its field, found before anything is
    drawn (a form shows them together). A scope or due date the form could not read (None)
    is left to the form; without a scope the pool is checked against every unit."""
    problems = []
    if not 0 < len((title or "").strip()) <= 200:
        problems.append(
            field_problem("title", Message(N_("A draw needs a title of 1 to 200 characters.")))
        )
    if len((seed or "").strip()) > 64:
        problems.append(field_problem("seed", Message(N_("A seed has at most 64 characters."))))
    elif not seen_as_typed(seed or ""):
        hidden = Message(N_("A seed holds only characters one can see, and plain spaces: this "
                            "one has an invisible character, which its published page would "
                            "not show."))  # fmt: skip
        problems.append(field_problem("seed", hidden))
    if current_version(session, definition_key, "checklist") is None:
        unknown = Message(
            N_("No checklist named '%(key)s' (or it is retired)."), key=definition_key
        )
        problems.append(field_problem("definition", unknown))
    try:
        normalise_params(params)
    except DrawError as exc:
        problems += exc.problems
    pool = sorted({str(name) for name in params.get("pool") or []})
    not_inspectors = queries.inspector_problem(session, pool, scope)
    if not_inspectors:
        problems.append(field_problem("pool", not_inspectors))
    if due_date is not None and due_date < (today or org_today(session)):
        problems.append(field_problem("due_date", Message(N_("The due date is in the past."))))
    return problems


def create_draw(
    session: Session,
    actor: User,
    title: str,
    definition_key: str,
    scope: Unit,
    params: dict[str, Any],
    due_date: date,
    seed: str | None = None,
    today: date | None = None,
) -> SpotCheckDraw:
    """Draw, store and create the assigned inspections in one transaction (caller commits).

    Bad inputs are refused all at once (`draw_problems`); then the draw itself may refuse
    (too few eligible units or inspectors)."""
    if not can(actor, Permission.MANAGE_DRAWS, scope):
        raise PermissionDenied(Message(N_("You may not make draws for %(code)s."), code=scope.code))
    today = today or org_today(session)
    problems = draw_problems(session, title, definition_key, scope, params, due_date, seed, today)
    if problems:
        refused = Message(N_("The draw cannot be made: %(problems)s"), problems=Listed(problems))
        raise DrawError(refused, problems)
    given = bool((seed or "").strip())
    title, seed = title.strip(), (seed or "").strip() or new_seed()
    version = current_version(session, definition_key, "checklist")
    params = normalise_params(params)
    inputs = snapshot_inputs(session, scope, params, today)
    try:
        result = run_draw(seed, params, inputs)
    except DrawRefused as refused:
        refused.attempt = {
            "title": title, "scope": scope.code, "definition_key": definition_key,
            "due_date": due_date.isoformat(), "seed": seed, "algorithm": ALGORITHM,
            "params": params, "inputs_sha256": digest(inputs), "reason": refused.reason,
            "units": refused.units,
        }  # fmt: skip
        raise
    draw = SpotCheckDraw(
        title=title, definition_key=definition_key, workflow="inspection", seed=seed,
        seed_given=given, algorithm=ALGORITHM, params=params, inputs=inputs, result=result,
        result_hash=digest(result), due_date=due_date, created_by_id=actor.id,
    )  # fmt: skip
    session.add(draw)
    session.flush()
    _create_inspections(session, actor, draw, version)
    record(
        session, actor, "draw.create", "spot_check_draw", draw.id,
        after={"title": title, "scope": scope.code, "seed": seed, "seed_given": given,
               "algorithm": ALGORITHM,
               "params_sha256": result["params_sha256"], "inputs_sha256": result["inputs_sha256"],
               "result_hash": draw.result_hash, "inspections": len(result["selected"])},
    )  # fmt: skip
    return draw


def record_refused(session: Session, actor: User, refused: DrawRefused) -> None:
    """Append a refused attempt to the audit log (`draw.refused`, object `draw_attempt`,
    its scope's code): who, when, the seed, the parameters, the reason and the units it
    concerns. A refusal may name units the seed drew, so an office that draws again until
    it likes them leaves every attempt on record (双随机). Call it after rolling back the
    attempt's transaction; it is then the only change, and the caller commits it."""
    record(session, actor, "draw.refused", "draw_attempt", refused.attempt["scope"],
           after=refused.attempt)  # fmt: skip


def _create_inspections(session: Session, actor: User, draw: SpotCheckDraw, version: Any) -> None:
    selected = draw.result["selected"]
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(
        [row["unit_id"] for row in selected])))}  # fmt: skip
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_(
        {i for row in selected for i in row["inspector_ids"]})))}  # fmt: skip
    for row in selected:
        inspection = create_inspection(
            session, actor, units[row["unit_id"]], version, draw.due_date, InspectionOrigin.DRAW,
            reason=draw.title,  # the inspection page names the draw in the reader's language
            assignees=[people[i] for i in row["inspector_ids"]],
        )  # fmt: skip
        inspection.draw_id = draw.id
        session.flush()
        engine.apply(session, actor, inspection, "assign")


def publish_draw(session: Session, actor: User, draw: SpotCheckDraw) -> bool:
    """Make the draw visible on the publication page; False if it already was."""
    scope = session.get(Unit, draw.inputs["scope"]["id"])
    if scope is None or not can(actor, Permission.MANAGE_DRAWS, scope):
        raise PermissionDenied(Message(N_("You may not publish this draw.")))
    if draw.published:
        return False
    draw.published, draw.published_at = True, utcnow()
    session.flush()
    record(session, actor, "draw.publish", "spot_check_draw", draw.id,
           after={"result_hash": draw.result_hash})  # fmt: skip
    return True
