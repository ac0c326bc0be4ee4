"""Spot-check draws in the database: create (inspections assigned, audited), publish, verify."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.config import PROJECT_ROOT
from dudao.core.enums import Role
from dudao.core.errors import PermissionDenied, ValidationError, by_field
from dudao.core.language import translations
from dudao.definitions.services import sync_forms
from dudao.inspections.models import Inspection
from dudao.inspections.services import set_assignees
from dudao.scheduling.assign import people_from_grants
from dudao.scheduling.draw_params import DrawError
from dudao.scheduling.draw_services import create_draw, publish_draw
from dudao.scheduling.draw_verification import verify_draw
from dudao.scheduling.models import SpotCheckDraw
from tests.draw_world import approved_submission

TODAY = date(2026, 11, 25)
DUE = date(2026, 12, 31)
ZH = translations("zh_CN")


@pytest.fixture
def people(session, org, user_factory):
    sync_forms(session, None, PROJECT_ROOT / "forms")
    session.commit()
    return {
        "office": user_factory("office", ("office", org.group)),
        "office_b": user_factory("office_b", ("office", org.company_b)),
        "lead_a1": user_factory("lead_a1", ("inspector", org.group), ("unit_lead", org.unit_a1)),
        "rep_b": user_factory("rep_b", ("inspector", org.group), ("representative", org.branch_b1)),
        "plain1": user_factory("plain1", ("inspector", org.group)),
        "plain2": user_factory("plain2", ("inspector", org.group)),
    }


def draw(session, people, org, seed="s1", scope=None, actor="office", **params):
    params = {"count": 2, **params}
    made = create_draw(
        session, people[actor], "2026年第四季度抽查", "branch_standardisation",
        scope or org.group, params, DUE, seed=seed, today=TODAY,
    )  # fmt: skip
    session.commit()
    return made


def test_create_assigns_inspections_and_verifies(session, org, people):
    made = draw(session, people, org, inspectors_per_inspection=2)
    assert made.seed == "s1" and made.algorithm == "dudao-draw-1"
    inspections = session.scalars(select(Inspection).where(Inspection.draw_id == made.id)).all()
    assert len(inspections) == 2
    assert {i.state for i in inspections} == {"assigned"}
    assert {i.origin for i in inspections} == {"draw"}
    assert {i.reason for i in inspections} == {made.title}  # no English "draw #1: " before it
    by_name = {p.id: name for name, p in people.items()}
    for inspection in inspections:
        names = {by_name[i] for i in inspection.assignee_ids}
        assert len(names) == 2
        if inspection.unit.path.startswith(org.unit_a1.path):
            assert "lead_a1" not in names
        if inspection.unit_id == org.branch_b1.id:
            assert "rep_b" not in names
    actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("inspection.assign") == 2 and "draw.create" in actions
    assert verify_draw(session, made.id)[0]


@pytest.mark.parametrize("seed", ["lottery\u200b2026", "lottery\x002026", "lottery\u30002026"])
def test_a_seed_with_a_character_one_cannot_see_is_refused(session, org, people, seed):
    """The published page would show "lottery2026" for a draw made with another seed: nobody
    could type it again, and an office could try invisible variants until the units suit."""
    with pytest.raises(ValidationError, match="invisible character") as refused:
        draw(session, people, org, seed=seed)
    assert refused.value.names("seed")
    assert session.scalars(select(SpotCheckDraw)).all() == []
    assert draw(session, people, org, seed="lottery 2026").seed == "lottery 2026"  # a space


def test_a_new_seed_is_128_bits_when_none_is_given(session, org, people):
    made = draw(session, people, org, seed=None)
    assert len(made.seed) == 32 and int(made.seed, 16) >= 0


def test_verify_detects_a_tampered_result_inputs_or_inspection(session, org, people):
    made = draw(session, people, org, count=3)

    def tamper(**values):
        session.execute(update(SpotCheckDraw).where(SpotCheckDraw.id == made.id).values(**values))
        session.commit()
        session.expire_all()

    original = {"result": made.result, "inputs": made.inputs, "result_hash": made.result_hash}
    result = {**made.result, "selected": list(reversed(made.result["selected"]))}
    tamper(result=result)
    ok, details, _recomputes = verify_draw(session, made.id)
    assert not ok and any("recomputed result differs" in d for d in details)
    assert any("does not match its stored SHA-256" in d for d in details)
    tamper(**original)
    assert verify_draw(session, made.id)[0]

    inputs = {**made.inputs, "units": made.inputs["units"][:-1]}
    tamper(inputs=inputs)
    ok, details, _recomputes = verify_draw(session, made.id)
    assert not ok and any("inputs_sha256" in d or "differs" in d for d in details)
    tamper(**original)

    inspection = session.scalars(select(Inspection).where(Inspection.draw_id == made.id)).first()
    set_assignees(session, people["office"], inspection, [people["plain1"]])
    session.commit()
    # A reassignment afterwards: the draw still recomputes, and the change is named, by name.
    ok, details, recomputes = verify_draw(session, made.id)
    assert not ok and recomputes and str(details[0]).startswith("CHANGED: draw")
    assert any("instead of the drawn" in d and people["plain1"].display_name in d for d in details)


def test_a_consistent_forgery_is_caught_by_the_audit_record(session, org, people):
    made = draw(session, people, org)
    from dudao.scheduling.draws import digest, run_draw

    forged = run_draw("forged", made.params, made.inputs)
    session.execute(
        update(SpotCheckDraw)
        .where(SpotCheckDraw.id == made.id)
        .values(seed="forged", result=forged, result_hash=digest(forged))
    )
    session.commit()
    ok, details, _recomputes = verify_draw(session, made.id)
    assert not ok and any("audit log" in d for d in details)


def test_publish_once_and_only_in_scope(session, org, people):
    made = draw(session, people, org)
    with pytest.raises(PermissionDenied):
        publish_draw(session, people["office_b"], made)
    assert publish_draw(session, people["office"], made) is True
    assert publish_draw(session, people["office"], made) is False
    session.commit()
    assert made.published and made.published_at is not None


def test_scope_permission_and_bad_input_change_nothing(session, org, people):
    with pytest.raises(PermissionDenied):
        draw(session, people, org, actor="office_b")  # office of B, draw over the group
    # The service's refusals are Messages: English as text, Chinese where a reader sees them.
    with pytest.raises(DrawError, match="only 3 are eligible") as too_many:
        draw(session, people, org, count=4)
    assert "只有 3 个符合条件" in too_many.value.in_language(ZH)
    with pytest.raises(ValidationError, match="Not inspectors in this scope") as outside:
        draw(session, people, org, pool=["plain1", "nobody"])
    assert "不是该范围内的检查人员" in outside.value.in_language(ZH)
    fields, others = by_field(outside.value.problems, ZH)  # beside the pool field, in Chinese
    assert others == [] and list(fields) == ["pool"]
    assert "不是该范围内的检查人员" in fields["pool"][0] and "nobody" in fields["pool"][0]
    session.rollback()
    assert session.scalars(select(SpotCheckDraw)).all() == []
    assert session.scalars(select(Inspection)).all() == []


def test_bad_inputs_are_refused_together_each_at_its_field(session, org, people):
    params = {"count": 5000, "fraction": "0.2", "inspectors_per_inspection": 30,
              "period": "week", "pool": ["plain1", "nobody9"]}  # fmt: skip
    with pytest.raises(DrawError) as refused:
        create_draw(
            session, people["office"], " ", "member_satisfaction", org.group, params,
            date(2026, 11, 1), seed="s" * 65, today=TODAY,
        )  # fmt: skip
    fields, others = by_field(refused.value.problems, ZH)
    assert others == []
    assert sorted(fields) == [
        "count", "definition", "due_date", "inspectors_per_inspection", "period", "pool", "seed",
        "title",
    ]  # fmt: skip
    assert fields["inspectors_per_inspection"] == ["须为 1 到 20 之间的整数，而不是 30"]
    assert str(refused.value).startswith("The draw cannot be made: title: ")  # the CLI's line
    session.rollback()
    assert session.scalars(select(SpotCheckDraw)).all() == []


def test_a_questionnaire_key_is_not_a_checklist_and_changes_nothing(session, org, people):
    with pytest.raises(ValidationError, match="member_satisfaction"):
        create_draw(
            session, people["office"], "t", "member_satisfaction", org.group, {"count": 1},
            DUE, seed="s1", today=TODAY,
        )  # fmt: skip
    session.rollback()
    assert session.scalars(select(SpotCheckDraw)).all() == []
    assert session.scalars(select(Inspection)).all() == []


def test_not_enough_eligible_inspectors_names_the_unit(session, org, people):
    with pytest.raises(DrawError, match=r"B1-1 .* \(1 eligible, 2 needed\)\.$") as short:
        draw(session, people, org, scope=org.company_b, count=1, pool=["rep_b", "plain1"])
    assert short.value.in_language(ZH).endswith(
        "B1-1 乙一厂第一党支部（符合条件 1 人，需要 2 人）。"
    )


def test_recently_inspected_units_are_excluded(session, org, people):
    first = draw(session, people, org, count=2, seed="one")
    drawn = {row["unit_id"] for row in first.result["selected"]}
    second = draw(
        session, people, org, count=1, seed="two", exclude_recent_periods=1, period="quarter"
    )
    assert set(second.result["excluded_recent"]) == drawn
    assert {row["unit_id"] for row in second.result["selected"]}.isdisjoint(drawn)
    assert verify_draw(session, second.id)[0]


def test_recent_scores_come_from_the_latest_approved_submission(session, org, people):
    first = draw(session, people, org, count=3, seed="first")
    inspections = {
        i.unit_id: i
        for i in session.scalars(select(Inspection).where(Inspection.draw_id == first.id))
    }
    approved_submission(session, inspections[org.branch_a1.id], 40.0)
    approved_submission(session, inspections[org.branch_a1.id], 62.5)  # later: this one counts
    session.commit()
    second = draw(session, people, org, count=1, seed="second", weighting=True)
    scores = {u["code"]: u["recent_score"] for u in second.inputs["units"]}
    assert scores == {"A1-1": 63, "A1-2": None, "B1-1": None}
    assert verify_draw(session, second.id)[0]


def test_open_flags_of_each_unit_enter_the_inputs(session, org, people):
    from tests.flag_world import make_flag

    make_flag(session, org.branch_a2, tag="one")
    make_flag(session, org.branch_a2, tag="two")
    make_flag(session, org.branch_b1, tag="closed", state="resolved", open_key=999)
    session.commit()
    made = draw(session, people, org, count=1, seed="flags", weighting=True)
    flags = {u["code"]: u["open_flags"] for u in made.inputs["units"]}
    assert flags == {"A1-1": 0, "A1-2": 2, "B1-1": 0}
    assert verify_draw(session, made.id)[0]


def test_who_belongs_where_is_judged_as_schedules_judge_it(session, org, people, user_factory):
    """回避 is about the units a person belongs to (a lead's, a representative's), as
    schedules and assignments judge it: an office or administrator grant is the reach of a
    supervisor, not a home, and the group's own office staff inspect its companies."""
    user_factory("office_insp", ("inspector", org.group), ("office", org.company_a),
                 ("admin", org.group))  # fmt: skip
    made = draw(session, people, org, count=1)
    own = {p["username"]: p["own"] for p in made.inputs["inspectors"]}
    assert own["office_insp"] == [] and own["plain1"] == []
    assert own["lead_a1"] == [org.unit_a1.path] and own["rep_b"] == [org.branch_b1.path]
    homes = people_from_grants(
        (u.id, u.username, Role(g.role).value, g.unit.path)
        for u in session.scalars(select(User)) for g in u.grants
    )  # fmt: skip
    for name, paths in own.items():
        assert list(homes[name].home_paths) == paths, name
