"""Flags for the triage tests and the route walk (tests/test_access_routes.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dudao.org.models import Unit
from dudao.trends.models import Flag
from dudao.workflow.engine import apply
from tests.factories import OrgTree


def make_flag(session: Session, unit: Unit, rule: str = "deterioration", **values: Any) -> Flag:
    """A flag as trend detection would write it (evidence shaped like the rule's)."""
    evidence = {
        "deterioration": {
            "test": "lower tabular CUSUM", "transform": False, "baseline_mean": 90.0,
            "sigma": 3.1, "cusum": -6.2,
            "periods": ["2026-01", "2026-02", "2026-03", "2026-04"],
            "scores": [92.0, 88.5, None, 71.25], "inspection_ids": [],
        },
        "recurring_failure": {"test": "2 consecutive failures", "consecutive": 3,
                              "occurrences": 3, "inspection_ids": []},
    }.get(rule, {"test": rule})  # fmt: skip
    fields: dict[str, Any] = {
        "rule": rule, "fingerprint": f"{rule}:{unit.id}:{values.pop('tag', 'x')}",
        "severity": "medium", "unit_id": unit.id, "unit_ids": [unit.id],
        "unit_codes": [unit.code], "definition_key": "monthly", "item_key": "q1",
        "first_detected": "2026-02", "last_detected": "2026-04", "evidence": evidence,
    }  # fmt: skip
    fields.update(values)
    flag = Flag(**fields)
    session.add(flag)
    session.flush()
    return flag


def flags_in_and_out(session: Session, org: OrgTree) -> dict[str, int]:
    found = {
        "in": make_flag(session, org.unit_a1).id,
        "out": make_flag(session, org.unit_b1).id,
    }
    session.commit()
    return found


def triage_world(session: Session, org: OrgTree, user_factory: Any) -> tuple[dict, dict[str, int]]:
    """Office users of company A and B, a unit lead, and four flags (three in A, one
    acknowledged); everyone reads English (the tests match English strings)."""
    people = {
        "office_a": user_factory("office_a", ("office", org.company_a)),
        "office_b": user_factory("office_b", ("office", org.company_b)),
        "lead": user_factory("lead", ("unit_lead", org.company_a)),
    }
    for person in people.values():
        person.locale = "en"
    flags = {
        "a_det": make_flag(session, org.branch_a1, "deterioration", severity="high"),
        "a_rec": make_flag(session, org.branch_a2, "recurring_failure", severity="medium",
                           first_detected="2025-10", last_detected="2025-11"),
        "a_unit": make_flag(session, org.unit_a1, "recurring_failure", tag="u", severity="low"),
        "b_det": make_flag(session, org.branch_b1, "deterioration", severity="high"),
    }  # fmt: skip
    apply(session, people["office_a"], flags["a_unit"], "acknowledge")
    session.commit()
    return people, {k: f.id for k, f in flags.items()}
