"""Running the rules and writing flags: re-detection updates the open flag, a cleared
condition marks it "no longer detected", a resolved flag that recurs is reopened."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dudao.audit.services import record_many
from dudao.core.database import utcnow
from dudao.definitions.queries import pinned
from dudao.org.models import Unit
from dudao.org.queries import within
from dudao.trends import ops, rules_feedback, rules_items, rules_surveys, rules_units
from dudao.trends.config import shipped_rules
from dudao.trends.detection import Detection, frame_of
from dudao.trends.models import CLOSED_STATES, Flag
from dudao.trends.queries import load_history, unit_table
from dudao.workflow.engine import apply_timer

#: Rules that only need one unit's history (the incremental run after a submission).
#: Not deterioration: its σ and shrinkage come from all units, and one unit's history alone
#: gives other (spurious) answers that the nightly run would then clear again.
UNIT_RULES = ("critical_failure", "recurring_failure")


@dataclass
class Summary:
    detected: Counter[str] = field(default_factory=Counter)  # ever, per rule
    current: Counter[str] = field(default_factory=Counter)  # still so at the latest period
    created: int = 0
    updated: int = 0
    reopened: int = 0
    cleared: int = 0


def detect(session: Session, tz: str, *, today: date, unit_ids: list[int] | None = None,
           rules: tuple[str, ...] | None = None,
           config: dict[str, dict[str, Any]] | None = None) -> list[Detection]:  # fmt: skip
    """Every enabled rule over the history (of `unit_ids`, else every unit), as if run at
    the end of every period."""
    config = config or shipped_rules()
    wanted = [r for r in (rules or tuple(config)) if config[r]["enabled"]]
    frame = frame_of(load_history(session, tz, unit_ids=unit_ids))
    found: list[Detection] = []
    if "critical_failure" in wanted:
        found += rules_items.item_failures(
            frame, "critical_failure", config["critical_failure"], critical_only=True, need=1
        )
    if "recurring_failure" in wanted:
        cfg = config["recurring_failure"]
        found += rules_items.item_failures(
            frame, "recurring_failure", cfg, critical_only=False, need=int(cfg["consecutive"])
        )
    if "deterioration" in wanted:
        found += rules_units.deterioration(frame, config["deterioration"])
    if "cross_unit" in wanted:
        found += rules_items.cross_unit(frame, config["cross_unit"], unit_table(session))
    if "outlier" in wanted:
        found += rules_units.outlier(
            frame, config["outlier"],
            lambda v: sum(1 for item in pinned(session, v).items if item.scored),
        )  # fmt: skip
    if "questionnaire_decline" in wanted:
        found += rules_surveys.questionnaire_decline(session, config["questionnaire_decline"], tz)
    if "feedback_theme" in wanted:
        found += rules_feedback.feedback_themes(session, config["feedback_theme"], tz, today)
    if "overdue_rectification" in wanted:
        found += ops.overdue_rectifications(session, config["overdue_rectification"], today)
    if "returned_inspection" in wanted:
        found += ops.returned_inspections(session, config["returned_inspection"], tz)
    return found


def _codes(session: Session, unit_ids: set[int]) -> dict[int, str]:
    if not unit_ids:
        return {}
    return dict(session.execute(select(Unit.id, Unit.code).where(Unit.id.in_(unit_ids))).all())


def sync_flags(session: Session, detections: list[Detection], rules: tuple[str, ...],
               unit_ids: list[int] | None = None, scope: Unit | None = None,
               since: str | None = None) -> Summary:  # fmt: skip
    """Write the detections as flags (one query for the flags concerned, one audit append).
    `since` (a period): a condition last seen before it opens no flag; a flag it already
    has is kept up to date, so a flag is never marked "no longer detected" for its age."""
    summary = Summary()
    prints = [d.fingerprint for d in detections]
    query = select(Flag).where(or_(Flag.fingerprint.in_(prints), Flag.detected.is_(True)))
    query = query.where(Flag.rule.in_(rules))
    if unit_ids is not None:
        query = query.where(Flag.unit_id.in_(unit_ids))
    elif scope is not None:
        query = query.join(Unit, Unit.id == Flag.unit_id).where(within([scope.path]))
    latest: dict[str, Flag] = {}
    for flag in session.scalars(query.order_by(Flag.id)):
        latest[flag.fingerprint] = flag  # the newest flag of each fingerprint wins
    codes = _codes(session, {u for d in detections for u in d.unit_ids})
    entries: list[tuple[str, str, object, dict | None, dict | None]] = []
    reopen: list[Flag] = []
    created: list[Flag] = []
    now = utcnow()
    for d in detections:
        if not since or d.last >= since:
            summary.detected[d.rule] += 1
            summary.current[d.rule] += d.active
        flag = latest.get(d.fingerprint)
        unit_codes = [codes.get(u, str(u)) for u in d.unit_ids]
        if flag is not None and flag.state == "dismissed":
            continue  # the office judged it no problem; re-detection does not overrule that
        if flag is None and since and d.last < since:
            continue  # not seen since: no new flag (a flag there is updated as by a full run)
        if flag is None:
            flag = Flag(rule=d.rule, fingerprint=d.fingerprint, severity=d.severity, state="new",
                        unit_id=d.scope_unit_id, unit_ids=d.unit_ids, unit_codes=unit_codes,
                        item_key=d.item_key, definition_key=d.definition_key,
                        first_detected=d.first, last_detected=d.last, detected=d.active,
                        evidence=d.evidence,
                        created_at=now, updated_at=now)  # fmt: skip
            session.add(flag)
            created.append(flag)
            latest[d.fingerprint] = flag
            summary.created += 1
            continue
        recurred = flag.state == "resolved" and d.active and d.last > flag.last_detected
        before = {"detected": flag.detected, "last_detected": flag.last_detected}
        changed = (flag.last_detected, flag.detected, flag.evidence, flag.unit_ids) != (
            d.last, d.active, d.evidence, d.unit_ids)  # fmt: skip
        if flag.state == "resolved" and not recurred:
            continue
        if changed:
            cleared = flag.detected and not d.active  # the condition no longer holds
            flag.first_detected = min(flag.first_detected, d.first)
            flag.last_detected, flag.detected, flag.evidence = d.last, d.active, d.evidence
            flag.unit_ids, flag.unit_codes, flag.severity = d.unit_ids, unit_codes, d.severity
            flag.updated_at = now
            if cleared:
                summary.cleared += 1
            else:
                summary.updated += 1
            entries.append(("trend_flag.cleared" if cleared else "trend_flag.update",
                            "trend_flag", flag.id, before,
                            {"detected": d.active, "last_detected": d.last}))  # fmt: skip
        if recurred:
            reopen.append(flag)
    seen = {d.fingerprint for d in detections}
    for fingerprint, flag in latest.items():
        if fingerprint not in seen and flag.detected and flag.state not in CLOSED_STATES:
            flag.detected = False
            flag.updated_at = now
            summary.cleared += 1
            entries.append(("trend_flag.cleared", "trend_flag", flag.id, {"detected": True},
                            {"detected": False}))  # fmt: skip
    session.flush()
    entries += [("trend_flag.create", "trend_flag", f.id, None,
                 {"rule": f.rule, "fingerprint": f.fingerprint, "first_detected": f.first_detected})
                for f in created]  # fmt: skip
    for flag in reopen:  # through the engine, by the system actor
        apply_timer(session, flag, "recurred", "acknowledged")
        summary.reopened += 1
    record_many(session, None, entries)
    session.flush()
    return summary


def analyze(session: Session, tz: str, *, today: date, scope: Unit | None = None,
            unit_ids: list[int] | None = None, since: str | None = None,
            rules: tuple[str, ...] | None = None,
            config: dict[str, dict[str, Any]] | None = None) -> Summary:  # fmt: skip
    """Detect and write flags; the caller commits. With `scope` the rules still read every
    unit (a company's problem, the funnel's and the CUSUM's spread, the organisation's
    figures need them), and only the flags about units of the subtree are written, as a
    full run would write them; a flag about a unit above it is left alone."""
    config = config or shipped_rules()
    rules = tuple(r for r in (rules or tuple(config)) if config[r]["enabled"])
    found = detect(session, tz, today=today, unit_ids=unit_ids, rules=rules, config=config)
    if scope is not None:
        inside = set(session.scalars(select(Unit.id).where(within([scope.path]))))
        found = [d for d in found if d.scope_unit_id in inside]
    return sync_flags(session, found, rules, unit_ids=unit_ids, scope=scope, since=since)
