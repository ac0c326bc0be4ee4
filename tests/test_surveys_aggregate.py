"""The one aggregation: suppression, complementary suppression, filters, comments, every output."""

from __future__ import annotations

import random
import uuid

import pytest
from sqlalchemy.orm import Session

from dudao.surveys.aggregate import FilterRefused, aggregate
from dudao.surveys.intervals import interval
from dudao.surveys.models import Campaign
from dudao.surveys.suppression import Tree, exposes, remainder, subtree_totals, suppress
from tests import survey_world
from tests.factories import OrgTree
from tests.survey_world import GOOD

SAT = {k: int(v) if v.isdigit() else v for k, v in GOOD.items()}


def _campaign(session: Session, org: OrgTree, **kwargs) -> Campaign:
    campaign = survey_world.campaign_for(session, org.company_a, **kwargs)
    session.commit()
    return survey_world.close(session, campaign)


def _by_code(report) -> dict:
    return {g.code: g for g in report.groups}


def _texts(group, key: str) -> list[str] | None:
    """The group's comments on question `key` (None: withheld); the group shows comments."""
    assert group.comments is not None
    return next(c.texts for c in group.comments if c.key == key)


# --- the pure rule --------------------------------------------------------------------------


def _tree(sizes: dict[str, list[int]]) -> tuple[Tree, dict[int, int]]:
    """Root 0 with children 1..n of the given sizes (direct answers at each child)."""
    children = {0: list(range(1, len(sizes["children"]) + 1))}
    direct = {i + 1: n for i, n in enumerate(sizes["children"])}
    direct[0] = sizes.get("direct", [0])[0]
    return Tree(0, children), direct


@pytest.mark.parametrize(
    ("children", "direct", "hidden"),
    [
        ([12, 3], 0, {1: "complementary", 2: "small"}),
        ([12, 10, 3], 0, {2: "complementary", 3: "small"}),
        ([2, 2, 20], 0, {1: "small", 2: "small", 3: "complementary"}),
        ([10, 10], 2, {1: "complementary"}),
        ([10, 10], 0, {}),
        ([6, 7, 0], 0, {}),
    ],
)
def test_complementary_suppression_examples(children, direct, hidden):
    tree, counts = _tree({"children": children, "direct": [direct]})
    assert suppress(tree, counts, 5) == hidden


def test_a_small_root_hides_everything():
    tree, counts = _tree({"children": [1, 2]})
    assert suppress(tree, counts, 5) == {0: "small", 1: "small", 2: "small"}


def test_no_visible_parent_minus_visible_children_reveals_a_small_group():
    """Random trees: every shown group has >= k, and every shown parent's hidden remainder is
    0 or at least k and never one small group on its own."""
    rng = random.Random(7)
    for _ in range(400):
        nodes = rng.randint(2, 14)
        children: dict[int, list[int]] = {}
        for node in range(1, nodes):
            children.setdefault(rng.randrange(node), []).append(node)
        direct = {n: rng.choice([0, 0, 1, 2, 3, 4, 6, 9, 15]) for n in range(nodes)}
        k = rng.randint(3, 6)
        tree = Tree(0, children)
        hidden = suppress(tree, direct, k)
        totals = subtree_totals(tree, direct)
        for node in range(nodes):
            if node in hidden:
                assert all(c in hidden for c in children.get(node, ()))
                continue
            assert totals[node] == 0 or totals[node] >= k
            assert not exposes(*remainder(tree, node, hidden, totals, direct), k)


def test_the_interval_is_a_t_interval_clipped_to_the_scale():
    assert interval([]) is None
    assert interval([80.0]) == interval([80.0, 80.0]) is not None
    wide = interval([0.0, 100.0, 0.0, 100.0])
    assert wide is not None and wide.mean == 50 and wide.low == 0 and wide.high == 100
    narrow = interval([70.0, 75.0, 80.0, 75.0, 70.0, 80.0])
    assert narrow is not None and narrow.low < 75 < narrow.high


# --- the aggregation over stored responses --------------------------------------------------


def test_a_small_branch_and_its_sibling_are_hidden_but_count_above(session, org):
    campaign = _campaign(session, org)
    survey_world.answered(session, campaign, org.branch_a1, 12)
    survey_world.answered(session, campaign, org.branch_a2, 3)
    groups = _by_code(aggregate(session, campaign))
    assert groups["A1-2"].hidden == "small" and groups["A1-2"].responses is None
    assert groups["A1-1"].hidden == "complementary" and groups["A1-1"].responses is None
    assert groups["A1-1"].satisfaction is None and groups["A1-1"].items == {}
    assert groups["A1"].responses == 15 and groups["A"].responses == 15
    assert groups["A1"].satisfaction is not None


def test_satisfaction_rate_items_and_comments_of_a_big_enough_group(session, org):
    campaign = survey_world.campaign_for(session, org.company_a)
    survey_world.add_roster(session, org.branch_a1, 20)
    from dudao.surveys.issuing import generate_invitations

    generate_invitations(session, None, campaign)
    survey_world.close(session, campaign)
    survey_world.answered(session, campaign, org.branch_a1, 10)
    survey_world.answered(session, campaign, org.branch_a2, 10)
    groups = _by_code(aggregate(session, campaign, rng=random.Random(1)))
    a1 = groups["A1-1"]
    assert a1.responses == 10 and a1.invited == 20 and a1.rate == 50.0
    expected = round((75 + 75 + 100 + 50 + 75 + 100 + 80) / 7, 1)
    assert a1.satisfaction is not None and a1.satisfaction.mean == expected
    assert a1.items["sat_leadership"].mean == 4
    assert dict(a1.items["sat_leadership"].distribution)["4"] == 10
    assert dict(a1.items["identity"].distribution) == {"member": 10, "public": 0}
    assert a1.comments is not None
    assert [c.key for c in a1.comments] == ["dissatisfied_reason", "comment"]  # as asked
    texts = a1.comments[1].texts or []
    assert sorted(texts) == sorted(f"A1-1 comment {n}" for n in range(10))
    assert texts != sorted(texts)  # random order
    assert groups["A1-2"].invited == 0 and groups["A1-2"].rate is None


def test_people_reached_by_slips_and_links_count_once(session, org):
    """A unit's slips and its open link reach the same people, and a unit's headcount counts
    its whole subtree: the campaign report added them all and printed three times the
    people (618 for a unit of 206). Slips and open links no longer share a line of the
    tree, but a campaign issued before may hold both."""
    from dudao.surveys.issuing import create_open_links, generate_invitations
    from dudao.surveys.models import OpenLink
    from dudao.surveys.tokens import hash_token

    org.unit_a1.headcount, org.branch_a1.headcount, org.branch_a2.headcount = 30, 20, 10
    campaign = survey_world.campaign_for(session, org.company_a)
    campaign.levels = ["unit", "branch"]
    survey_world.add_roster(session, org.branch_a1, 20)
    generate_invitations(session, None, campaign)
    assert [link.unit_code for link in create_open_links(session, None, campaign).rows] == ["A1-2"]
    session.add_all(
        OpenLink(campaign_id=campaign.id, unit_id=unit.id, token_hash=hash_token(unit.code),
                 cap=unit.headcount)
        for unit in (org.unit_a1, org.branch_a1)
    )  # fmt: skip
    survey_world.close(session, campaign)
    survey_world.answered(session, campaign, org.branch_a1, 10)
    survey_world.answered(session, campaign, org.branch_a2, 6)
    groups = _by_code(aggregate(session, campaign, rng=random.Random(1)))
    invited = {code: groups[code].invited for code in ("A1-1", "A1-2", "A1", "A")}
    assert invited == {"A1-1": 20, "A1-2": 10, "A1": 30, "A": 30}
    assert (groups["A1"].rate, groups["A1-1"].rate) == (53.3, 50.0)


def test_comments_need_their_threshold_and_no_set_difference_isolates_them(session, org):
    campaign = _campaign(session, org)
    survey_world.answered(session, campaign, org.branch_a1, 12)
    survey_world.answered(
        session, campaign, org.branch_a2, 8
    )  # shown (>= 5) but under 10 for comments
    groups = _by_code(aggregate(session, campaign))
    assert groups["A1-2"].responses == 8 and groups["A1-2"].comments is None
    assert len(_texts(groups["A1-1"], "comment")) == 12
    # A1 holds A1-2's 8 comments beyond A1-1's: showing A1's would reveal them by difference.
    assert groups["A1"].comments is None and groups["A"].comments is None


def test_comments_come_per_question_and_a_condition_s_few_are_withheld(session, org, signed_in):
    """Pooled without labels, the office could not tell what a comment answers; and "why not
    satisfied?" is asked only of those who were not: where one was, the reason was theirs."""
    campaign = _campaign(session, org)
    survey_world.answered(session, campaign, org.branch_a1, 11)
    survey_world.answered(session, campaign, org.branch_a1, 1, sat_leadership=1,
                          dissatisfied_reason="独自不满")  # fmt: skip
    survey_world.answered(session, campaign, org.branch_a2, 7)
    survey_world.answered(session, campaign, org.branch_a2, 5, sat_service=2,
                          dissatisfied_reason="服务不满")  # fmt: skip
    groups = _by_code(aggregate(session, campaign))
    assert _texts(groups["A1-1"], "dissatisfied_reason") is None  # 1 of 12 was asked it
    assert len(_texts(groups["A1-1"], "comment")) == 12
    assert _texts(groups["A1-2"], "dissatisfied_reason") == ["服务不满"] * 5
    # A1 holds one reason beyond A1-2's five: the one of A1-1, withheld there.
    assert _texts(groups["A1"], "dissatisfied_reason") is None
    assert len(_texts(groups["A1"], "comment")) == 24
    client = signed_in("office_a", ("office", org.company_a))
    page = client.get(f"/surveys/{campaign.id}/results").text
    assert "独自不满" not in page and page.count("服务不满") == 5
    own = page.split("<h2>A1-1 ")[1].split("</section>")[0]
    assert "<h4>您不太满意的原因是什么？</h4>" in own and "被问到此题的答卷不足 5 份" in own
    assert "<h4>对支部工作的其他意见和建议</h4>" in own and own.count("A1-1 comment") == 12
    data = client.get(f"/surveys/{campaign.id}/results.json").get_json()
    json_groups = {g["unit_code"]: g for g in data["groups"]}
    assert json_groups["A1-1"]["comments"]["dissatisfied_reason"] is None
    assert json_groups["A1-2"]["comments"]["dissatisfied_reason"] == ["服务不满"] * 5


def test_a_filter_that_cuts_a_small_piece_is_refused(session, org):
    campaign = _campaign(session, org)
    survey_world.answered(session, campaign, org.branch_a1, 9, identity="member")
    survey_world.answered(session, campaign, org.branch_a1, 3, identity="public")
    survey_world.answered(session, campaign, org.branch_a2, 10, identity="member")
    for value in ("member", "public"):  # either side of the cut: 3 public would show
        with pytest.raises(FilterRefused):
            aggregate(session, campaign, filter_item="identity", filter_value=value)
    with pytest.raises(FilterRefused):
        aggregate(session, campaign, filter_item="comment", filter_value="x")
    report = aggregate(session, campaign, filter_item="years_known", filter_value="over_3")
    assert _by_code(report)["A1"].responses == 22 and _by_code(report)["A1"].comments is None


def test_a_filter_keeps_hidden_branches_hidden(session, org):
    """Unfiltered: A1-2 (4) is hidden and A1-1 with it. The filtered view shows A1's cell,
    whose hidden remainder has two parts, and nothing of either branch."""
    campaign = _campaign(session, org)
    survey_world.answered(session, campaign, org.branch_a1, 10, identity="member")
    survey_world.answered(session, campaign, org.branch_a1, 10, identity="public")
    survey_world.answered(session, campaign, org.branch_a2, 4, identity="public")
    groups = _by_code(aggregate(session, campaign, filter_item="identity", filter_value="public"))
    assert groups["A1"].responses == 14 and groups["A1"].invited is None
    assert groups["A1-1"].responses is None and groups["A1-2"].responses is None


def test_a_filter_is_refused_when_a_hidden_remainder_would_be_one_small_piece(session, org):
    """A1-1 and A1-2 shown; the filter cell of answers given at A1 itself (2) would be the
    difference between A1's cell and its branches' cells."""
    campaign = _campaign(session, org)
    survey_world.answered(session, campaign, org.branch_a1, 10, identity="member")
    survey_world.answered(session, campaign, org.branch_a2, 10, identity="member")
    survey_world.answered(session, campaign, org.unit_a1, 5, identity="member")
    survey_world.answered(session, campaign, org.unit_a1, 5, identity="public")
    assert _by_code(aggregate(session, campaign))["A1"].responses == 30
    for value in ("member", "public"):
        report = aggregate(session, campaign, filter_item="identity", filter_value=value)
        assert report.filter == ("identity", value)
    survey_world.answered(
        session, campaign, org.unit_a1, 2, identity="public"
    )  # direct cell now 7 / 5
    survey_world.answered(session, campaign, org.branch_a1, 2, identity="public")  # A1-1 public: 2
    with pytest.raises(FilterRefused):
        aggregate(session, campaign, filter_item="identity", filter_value="member")


def test_viewing_a_subtree_keeps_the_whole_campaign_s_suppression(session, org):
    campaign = _campaign(session, org)
    survey_world.answered(session, campaign, org.branch_a1, 12)
    survey_world.answered(session, campaign, org.branch_a2, 3)
    report = aggregate(session, campaign, root_unit_id=org.branch_a1.id)
    assert [g.code for g in report.groups] == ["A1-1"]
    assert report.groups[0].hidden == "complementary"


def test_scores_wait_until_the_campaign_is_over_and_nothing_is_pending(session, org):
    """Figures that grew batch by batch could be differenced; until the end only counts."""
    from dudao.surveys.models import PendingResponse

    campaign = survey_world.campaign_for(session, org.company_a)
    session.commit()
    survey_world.answered(session, campaign, org.branch_a1, 12)
    survey_world.answered(session, campaign, org.branch_a2, 12)
    interim = aggregate(session, campaign)
    groups = _by_code(interim)
    assert not interim.final and groups["A1-1"].responses == 12
    assert groups["A1-1"].satisfaction is None and groups["A1-1"].items == {}
    assert groups["A1-1"].comments is None
    with pytest.raises(FilterRefused):
        aggregate(session, campaign, filter_item="years_known", filter_value="over_3")
    survey_world.close(session, campaign)
    session.add(PendingResponse(id=str(uuid.uuid4()), campaign_id=campaign.id,
                                unit_id=org.branch_a1.id, answers=SAT))  # fmt: skip
    session.commit()
    assert not aggregate(session, campaign).final  # the last batch has not run yet
    session.query(PendingResponse).delete()
    session.commit()
    final = aggregate(session, campaign)
    assert final.final and _by_code(final)["A1-1"].satisfaction is not None


def test_each_answer_is_scored_once_however_many_groups_count_it(session, org, monkeypatch):
    """An answer at a branch counts in the branch, its unit and its company: its
    satisfaction index is computed once, not once per group (pages over a large
    organisation spent seconds scoring the same answers again at every level)."""
    from dudao.surveys import aggregate as module

    campaign = _campaign(session, org)
    survey_world.answered(session, campaign, org.branch_a1, 12)
    survey_world.answered(session, campaign, org.branch_a2, 10)
    scored = []
    real = module.satisfaction_index

    def counted(definition, answers):
        scored.append(answers)
        return real(definition, answers)

    monkeypatch.setattr(module, "satisfaction_index", counted)
    groups = _by_code(aggregate(session, campaign))
    assert len(scored) == 22  # 22 answers, each in three groups (A1-x, A1 and A)
    assert groups["A"].responses == groups["A1"].responses == 22
    assert groups["A"].satisfaction == groups["A1"].satisfaction
    assert groups["A1-1"].satisfaction is not None and groups["A1-1"].responses == 12


def test_without_items_the_figures_are_the_same_and_the_questions_left_out(session, org):
    """`items=False`, for pages that read only the index, changes no figure it keeps."""
    campaign = _campaign(session, org)
    survey_world.answered(session, campaign, org.branch_a1, 12)
    survey_world.answered(session, campaign, org.branch_a2, 3)
    full = aggregate(session, campaign, rng=random.Random(1))
    lean = aggregate(session, campaign, rng=random.Random(1), items=False)
    kept = ("code", "hidden", "responses", "invited", "rate", "satisfaction", "comments")
    assert [[getattr(g, k) for k in kept] for g in lean.groups] == [
        [getattr(g, k) for k in kept] for g in full.groups
    ]
    assert full.groups[0].items and all(g.items == {} for g in lean.groups)
