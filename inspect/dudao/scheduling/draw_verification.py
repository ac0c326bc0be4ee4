"""Verifying a stored spot-check draw, so a published draw (一公开) can be checked.

Recomputed from its stored seed, parameters and inputs, a draw must give the stored
result, agree with the audit record made when it was drawn, and account for exactly
the inspections it created. Only reads; making draws is in `draw_services`.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.core.errors import N_, Message, NotFound
from dudao.inspections.models import Inspection
from dudao.scheduling.draw_params import DrawError
from dudao.scheduling.draws import ALGORITHM, canonical_json, digest, run_draw
from dudao.scheduling.models import SpotCheckDraw


def _audit_check(session: Session, draw: SpotCheckDraw) -> Message | None:
    after = session.scalar(
        select(AuditEvent.after).where(
            AuditEvent.action == "draw.create",
            AuditEvent.entity_type == "spot_check_draw",
            AuditEvent.entity_id == str(draw.id),
        )
    )
    if not after:
        return Message(N_("the audit log has no record of this draw being made"))
    for key, stored in (("seed", draw.seed), ("result_hash", draw.result_hash),
                        ("inputs_sha256", digest(draw.inputs)),
                        ("params_sha256", digest(draw.params))):  # fmt: skip
        if after.get(key) != stored:
            return Message(
                N_("the %(key)s differs from the one the audit log recorded when it was made"),
                key=key,
            )
    return None


class Verification(NamedTuple):
    ok: bool  # recomputes, and its inspections are as drawn
    details: list[Message]  # the draw named first, then each problem or change
    recomputes: bool  # the draw itself holds: only who inspects changed since (audited)


def verify_draw(session: Session, draw_id: int) -> Verification:
    """Recompute the draw from its stored seed, parameters and inputs; compare with the stored
    result, its hash, the audit record and the inspections it created. An inspection whose
    inspectors the office changed afterwards is named as a change, not as a draw that does
    not recompute: the public sees both, told apart."""
    draw = session.get(SpotCheckDraw, draw_id)
    if draw is None:
        raise NotFound(Message(N_("No draw %(id)d."), id=draw_id))
    problems: list[Message] = []
    if draw.algorithm != ALGORITHM:
        problems.append(
            Message(N_("unknown algorithm '%(algorithm)s' (this version knows %(known)s)"),
                    algorithm=draw.algorithm, known=ALGORITHM)
        )  # fmt: skip
    else:
        try:
            again = run_draw(draw.seed, draw.params, draw.inputs)
        except DrawError as exc:
            problems.append(Message(N_("recomputing fails: %(problem)s"), problem=exc.message))
        else:
            if canonical_json(again) != canonical_json(draw.result):
                problems.append(Message(N_("the recomputed result differs from the stored result")))
    if digest(draw.result) != draw.result_hash:
        problems.append(Message(N_("the stored result does not match its stored SHA-256")))
    audit_problem = _audit_check(session, draw)
    if audit_problem:
        problems.append(audit_problem)
    missing, changes = _inspection_problems(session, draw)
    problems.extend(missing)
    if problems:
        head = N_("MISMATCH: draw %(id)d (%(algorithm)s, seed %(seed)s, result SHA-256 %(hash)s)")
    elif changes:
        head = N_("CHANGED: draw %(id)d (%(algorithm)s, seed %(seed)s, result SHA-256 %(hash)s) "
                  "recomputes, but who inspects was changed after it was made")  # fmt: skip
    else:
        head = N_("OK: draw %(id)d (%(algorithm)s, seed %(seed)s, result SHA-256 %(hash)s)")
    named = Message(head, id=draw.id, algorithm=draw.algorithm, seed=draw.seed,
                    hash=draw.result_hash)  # fmt: skip
    return Verification(not problems and not changes, [named, *problems, *changes], not problems)


def _inspection_problems(
    session: Session, draw: SpotCheckDraw
) -> tuple[list[Message], list[Message]]:
    """(inspections missing or not drawn, inspections whose inspectors changed since)."""
    inspections = session.scalars(select(Inspection).where(Inspection.draw_id == draw.id)).all()
    actual: dict[int, list[list[int]]] = {}
    for inspection in inspections:
        actual.setdefault(inspection.unit_id, []).append(sorted(inspection.assignee_ids))
    wanted = {row["unit_id"]: [sorted(row["inspector_ids"])] for row in draw.result["selected"]}
    codes = {unit["id"]: unit["code"] for unit in draw.inputs.get("units", [])}
    people = {i for lists in (*actual.values(), *wanted.values()) for ids in lists for i in ids}
    found = session.execute(select(User.id, User.display_name).where(User.id.in_(people)))
    names = dict(found.all())

    def named(lists: list[list[int]]) -> str:
        return "; ".join("、".join(names.get(i, f"#{i}") for i in ids) or "—" for ids in lists)

    problems: list[Message] = []
    changes: list[Message] = []
    for unit_id in sorted(set(actual) | set(wanted)):
        name = codes.get(unit_id, f"#{unit_id}")
        if unit_id not in wanted:
            problems.append(
                Message(N_("an inspection of unit %(unit)s is not in the draw"), unit=name)
            )
        elif unit_id not in actual:
            problems.append(
                Message(N_("the drawn inspection of unit %(unit)s is missing"), unit=name)
            )
        elif actual[unit_id] != wanted[unit_id]:
            changes.append(
                Message(N_("unit %(unit)s: inspected by %(actual)s instead of the drawn "
                           "%(wanted)s (a reassignment, in the audit log)"),
                        unit=name, actual=named(actual[unit_id]), wanted=named(wanted[unit_id]))
            )  # fmt: skip
    return problems, changes
