"""A campaign's answers stay grouped by its tree as it stood when it opened: a reorganisation
afterwards moves no answer out of figures already shown, nor adds units that were not asked."""

from __future__ import annotations

from datetime import date

from dudao.core.enums import UnitLevel
from dudao.org.services import create_unit, move_unit, set_unit_active
from dudao.surveys import issuing
from dudao.surveys.aggregate import aggregate
from tests import survey_world


def _figures(client, campaign_id: int) -> dict:
    """Each group of the results as JSON, its comments in a fixed order (they come shuffled)."""
    data = client.get(f"/surveys/{campaign_id}/results.json").get_json()
    groups = {}
    for group in data["groups"]:
        if group.get("comments"):
            group["comments"] = {k: v and sorted(v) for k, v in group["comments"].items()}
        groups[group["unit_code"]] = group
    return groups


def test_moving_a_hidden_unit_out_after_the_results_changes_no_figure(signed_in, session, org):
    """Grouped by today's tree, the unit above showed 13 answers, then 12: the difference was
    the hidden branch's one answer, score and comment."""
    campaign = survey_world.campaign_for(session, org.company_a)
    survey_world.responses(session, campaign, org.branch_a1, 12, score=4)
    survey_world.responses(session, campaign, org.branch_a2, 1, score=1, comment=["独一份"])
    survey_world.close(session, campaign)
    client = signed_in("office_g", ("office", org.group))
    before = _figures(client, campaign.id)
    assert before["A1"]["responses"] == 13 and before["A1-2"]["hidden"] == "small"
    assert "独一份" in before["A1"]["comments"]["comment"]

    move_unit(session, None, org.branch_a2, org.unit_b1)
    set_unit_active(session, None, org.branch_a1, False)
    session.commit()

    assert _figures(client, campaign.id) == before


def test_units_added_after_a_campaign_are_not_among_the_units_it_asked(signed_in, session, org):
    campaign = survey_world.campaign_for(session, org.company_a)
    survey_world.responses(session, campaign, org.branch_a1, 6)
    survey_world.close(session, campaign)
    create_unit(session, None, "A1-9", "甲一厂新设党支部", UnitLevel.BRANCH, org.unit_a1)
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))

    detail = client.get(f"/surveys/{campaign.id}").get_data(as_text=True)
    assert "A1-1" in detail and "A1-2" in detail and "A1-9" not in detail
    assert "A1-9" not in _figures(client, campaign.id)
    # The new branch's own satisfaction page does not count the campaign put before it existed.
    page = client.get(f"/analytics/satisfaction?unit=A1-9&to={date.today():%Y-%m}")
    assert page.status_code == 200 and campaign.title not in page.get_data(as_text=True)
    page = client.get(f"/analytics/satisfaction?unit=A1-1&to={date.today():%Y-%m}")
    assert page.status_code == 200 and campaign.title in page.get_data(as_text=True)


def test_a_unit_invited_while_the_campaign_is_open_joins_it_under_its_parent(session, org):
    campaign = survey_world.campaign_for(session, org.company_a)
    session.commit()
    added = create_unit(session, None, "A1-9", "甲一厂新设党支部", UnitLevel.BRANCH, org.unit_a1)
    survey_world.add_roster(session, added, 4)
    issued = issuing.generate_invitations(session, None, campaign).rows
    assert {row.unit_code for row in issued} == {"A1-9"}
    survey_world.responses(session, campaign, added, 4)
    survey_world.responses(session, campaign, org.branch_a1, 5)
    # Moved out of the scope after answering, the branch still counts where it answered.
    move_unit(session, None, added, org.unit_b1)
    survey_world.close(session, campaign)

    groups = {g.code: g for g in aggregate(session, campaign).groups}
    assert groups["A1-9"].parent_id == org.unit_a1.id and groups["A1-9"].depth == 2
    assert groups["A1"].responses == 9 and groups["A"].responses == 9
