"""Progress: counted from the sources, overall and per company by path prefix, inside the
viewer's scope; corrections replace what they correct; tier moves count branches once."""

from __future__ import annotations

from datetime import date

import pytest

from dudao.targets.config import load_targets_text
from dudao.targets.progress import progress
from dudao.targets.services import EntryFields, correct_entry
from tests.target_world import TODAY, make_entry, make_post, tier_moves_up

PLAN = """\
targets:
  - key: posts
    title: 先锋岗
    number: 10
    unit_of_count: 个
    source: pioneer_posts
    split: {A: 6, B: 4}
    deadline: 2026-12-31
  - key: trained
    title: 培训
    number: 20
    unit_of_count: 人
    source: manual
    deadline: 2026-12-31
  - key: moved
    title: 晋档升级
    number: 3
    unit_of_count: 个党支部
    source: tier_moves
    split: {A: 2, B: 1, NOPE: 0}
    deadline: 2026-12-31
"""


@pytest.fixture
def plan():
    return load_targets_text(PLAN, "plan.yaml")


def _by_key(found):
    return {item.target.key: item for item in found}


def _companies(item):
    return {share.unit.code: (share.done, share.goal, share.percent) for share in item.companies}


def _posts(session, org):
    for unit, count in ((org.branch_a1, 3), (org.branch_a2, 1), (org.branch_b1, 2)):
        for number in range(count):
            make_post(session, unit, f"岗{number}")
    retired = make_post(session, org.branch_b1, "旧岗")
    retired.retired_on = date(2026, 6, 1)
    session.commit()


def test_pioneer_posts_overall_and_per_company(session, org, plan):
    _posts(session, org)
    item = _by_key(progress(session, plan, [org.group.path]))["posts"]
    assert (item.overall.done, item.overall.goal, item.overall.percent) == (6, 10, 60)
    assert item.whole and item.outside_companies == 0
    assert _companies(item) == {"A": (4, 6, 66), "B": (2, 4, 50)}


def test_a_company_scope_compares_with_its_share_only(session, org, plan):
    _posts(session, org)
    item = _by_key(progress(session, plan, [org.company_b.path]))["posts"]
    assert (item.overall.done, item.overall.goal, item.whole) == (2, 4, False)
    assert _companies(item) == {"B": (2, 4, 50)}
    below = _by_key(progress(session, plan, [org.branch_a1.path]))["posts"]
    assert (below.overall.done, below.overall.goal, below.companies) == (3, None, ())
    assert progress(session, plan, [])[0].overall.done == 0  # no scope, nothing counted


def test_manual_entries_count_through_their_corrections(session, org, plan, tmp_path):
    first = make_entry(session, org.unit_a1, tmp_path, 12, target=plan.get("trained"))
    make_entry(session, org.unit_b1, tmp_path, 5, target=plan.get("trained"))
    make_entry(session, org.group, tmp_path, 2, target=plan.get("trained"))  # at the group
    make_entry(session, org.unit_a1, tmp_path, 7)  # another target
    session.commit()
    item = _by_key(progress(session, plan, [org.group.path]))["trained"]
    assert (item.overall.done, item.overall.goal) == (19, 20)
    assert _companies(item) == {"A": (12, None, None), "B": (5, None, None)}
    assert item.outside_companies == 2

    target = plan.get("trained")
    fields = EntryFields(org.unit_a1, date(2026, 9, 2), 10, "名单核对后为10人。", "")
    correction = correct_entry(
        session, None, target, first, fields, None, "重复计算了两人", tmp_path, TODAY
    )
    session.commit()
    assert correction.reference == first.reference  # the evidence carries over
    item = _by_key(progress(session, plan, [org.group.path]))["trained"]
    assert item.overall.done == 17 and _companies(item)["A"] == (10, None, None)
    withdraw = EntryFields(org.unit_a1, date(2026, 9, 3), 0, "撤回。", "")
    correct_entry(session, None, target, correction, withdraw, None, "培训取消", tmp_path, TODAY)
    session.commit()
    assert _by_key(progress(session, plan, [org.company_a.path]))["trained"].overall.done == 0


def test_tier_moves_count_each_branch_once_per_company(session, org, plan, monkeypatch):
    from dudao.assessment import queries as assessment

    moves = tier_moves_up(org)
    asked = []

    def fake(session, paths):
        asked.append(paths)
        return [m for m in moves if any(m.unit_path.startswith(p) for p in paths)]

    monkeypatch.setattr(assessment, "tier_moves_up", fake)
    found = _by_key(progress(session, plan, [org.group.path]))
    item = found["moved"]
    assert (item.overall.done, item.overall.goal, item.overall.percent) == (3, 3, 100)
    assert _companies(item) == {"A": (2, 2, 100), "B": (1, 1, 100)}
    assert asked == [[org.group.path]]
    (problem,) = item.problems  # a split code that names no company
    assert str(problem) == "plan.yaml:20:25: targets[2].split.NOPE: no company has the code 'NOPE'"
    item = _by_key(progress(session, plan, [org.company_a.path]))["moved"]
    assert (item.overall.done, item.overall.goal) == (2, 2)


def test_tier_moves_from_real_assessments(session, org, plan):
    """The real dudao.assessment query: with no assessed periods nothing has moved."""
    item = _by_key(progress(session, plan, [org.group.path]))["moved"]
    assert item.unavailable is None
    assert (item.overall.done, item.overall.goal) == (0, 3)
