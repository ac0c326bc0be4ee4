"""A unit's open link can be removed, after a page that says what it does and a box to tick.
The answers it took stay counted, and slips and open links still exclude each other along a
line of the tree: a link removed before any answer leaves the unit free for invitations or a
new link; one removed after answers keeps its cap, so nobody who answered through it gets a
slip as well, and "Replace" can give it a new link for what is left (docs/anonymity.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dudao.audit.models import AuditEvent
from dudao.core.errors import ValidationError
from dudao.surveys import answering, issuing, queries
from dudao.surveys.models import OpenLink
from tests import survey_world


def _linked(session, org, headcount=3):
    org.branch_a1.headcount = headcount
    campaign = survey_world.campaign_for(session, org.company_a)
    (link,) = issuing.create_open_links(session, None, campaign).rows
    session.commit()
    return campaign, link


def _page(campaign, unit) -> str:
    return f"/surveys/{campaign.id}/units/{unit.id}/remove-open-link"


def _said(page: str) -> str:
    """What a member's page says, without the header (its forms carry the address)."""
    return page.split('<div class="survey">', 1)[1]


def _removals(session) -> list[dict]:
    found = select(AuditEvent.after).where(AuditEvent.action == "survey.open_link_removed")
    return list(session.scalars(found))


def test_a_link_removed_before_any_answer_leaves_the_unit_free(signed_in, session, org):
    campaign, link = _linked(session, org)
    client = signed_in("office_a", ("office", org.company_a))
    page = _page(campaign, org.branch_a1)
    assert page in client.get(f"/surveys/{campaign.id}").text
    asked = client.get(page).text
    assert "移除 A1-1 甲一厂第一党支部 的公开链接" in asked and "已经收到的答卷仍然计入" in asked
    unticked = client.post(page, data={})
    assert unticked.status_code == 422 and session.scalar(select(func.count(OpenLink.id))) == 1
    done = client.post(page, data={"understood": "y"})
    assert done.status_code == 302
    said = client.get(done.location).text
    assert "A1-1 甲一厂第一党支部 的公开链接已移除。" in said
    anonymous = client.application.test_client()
    assert anonymous.get(f"/s/o/{link.token}").status_code == 404
    session.expire_all()
    assert session.scalar(select(func.count(OpenLink.id))) == 0
    assert _removals(session) == [{"units": ["A1-1"]}]
    # Free: its members and those of the unit above get invitations, as the rules allow.
    survey_world.add_roster(session, org.branch_a1, 2)
    survey_world.add_roster(session, org.branch_a2, 1)
    issued = issuing.generate_invitations(session, None, campaign)
    assert sorted(row.unit_code for row in issued.rows) == ["A1-1", "A1-1", "A1-2"]
    assert issued.skipped == []


def test_a_link_removed_after_answers_keeps_them_counted_and_its_line_closed_to_slips(
    signed_in, session, org
):
    campaign, link = _linked(session, org)
    client = signed_in("office_a", ("office", org.company_a))
    anonymous = client.application.test_client()
    assert anonymous.post(f"/s/o/{link.token}", data=survey_world.form_data()).status_code == 302
    client.post("/lang", data={"lang": "en", "next": "/"})
    done = client.post(_page(campaign, org.branch_a1), data={"understood": "y"})
    said = client.get(done.location).text
    assert "The open link of A1-1 甲一厂第一党支部 is removed; the 1 answer it took" in said
    assert anonymous.get(f"/s/o/{link.token}").status_code == 404
    session.expire_all()
    stored = session.scalars(select(OpenLink)).one()
    assert (stored.token_hash, stored.cap, stored.used_count) == (None, 3, 1)
    assert queries.invited_counts(session, campaign.id) == {org.branch_a1.id: 3}
    # Those who answered through it could answer again with a slip: none on its line.
    survey_world.add_roster(session, org.branch_a1, 3)
    issued = issuing.generate_invitations(session, None, campaign)
    assert issued.rows == [] and [s.unit.code for s in issued.skipped] == ["A1-1"]
    assert issuing.create_open_links(session, None, campaign).rows == []
    session.commit()  # the roster
    # Nothing left to remove; "Replace" gives a new link for the answers left under the cap.
    again = client.get(_page(campaign, org.branch_a1)).text
    assert "This unit has no open link in this campaign." in again
    assert 'type="checkbox"' not in again
    detail = client.get(f"/surveys/{campaign.id}").text
    assert "link removed" in detail and _page(campaign, org.branch_a1) not in detail
    replace = f"/surveys/{campaign.id}/units/{org.branch_a1.id}/replace-open-link"
    renew = client.get(replace).text
    assert "was removed after it took answers" in renew
    # Its box says what happens, not that a link it no longer has stops working.
    assert "the unit gets a new open link" in renew and "stops working" not in renew
    replaced = client.post(replace, data={"understood": "y"}).text
    assert "<td><code>2</code></td>" in replaced
    assert len(_removals(session)) == 1


def test_removal_is_refused_on_a_closed_campaign_and_changes_nothing(signed_in, session, org):
    campaign, _link = _linked(session, org)
    survey_world.close(session, campaign)
    client = signed_in("office_a", ("office", org.company_a))
    refused = client.post(_page(campaign, org.branch_a1), data={"understood": "y"})
    assert refused.status_code == 422 and "测评活动已结束。" in refused.text
    assert _page(campaign, org.branch_a1) not in client.get(f"/surveys/{campaign.id}").text
    outside = f"/surveys/{campaign.id}/units/{org.branch_b1.id}/remove-open-link"
    assert client.get(outside).status_code == 404
    with pytest.raises(ValidationError, match=r"The campaign is closed\."):
        issuing.remove_open_link(session, None, campaign, org.branch_a1)
    session.expire_all()
    assert session.scalar(select(func.count(OpenLink.id))) == 1 and _removals(session) == []


def test_an_answer_in_flight_when_its_link_is_removed_is_refused(session, org):
    campaign, link = _linked(session, org)
    first = answering.ticket_for_open_link(session, link.token)
    answering.submit_answer(session, first, {})  # answered: the link keeps its row
    late = answering.ticket_for_open_link(session, link.token)  # page open meanwhile
    issuing.remove_open_link(session, None, campaign, org.branch_a1)
    with pytest.raises(answering.Refused):
        answering.submit_answer(session, late, {})
    assert session.scalar(select(OpenLink.used_count)) == 1


def test_a_member_still_answering_when_the_link_goes_is_told_the_answers_were_not_recorded(
    signed_in, session, org
):
    campaign, link = _linked(session, org)
    member = signed_in("office_a", ("office", org.company_a)).application.test_client()
    assert member.post(f"/s/o/{link.token}", data=survey_world.form_data()).status_code == 302
    assert member.get(f"/s/o/{link.token}").status_code == 200  # a second member's page
    issuing.remove_open_link(session, None, campaign, org.branch_a1)
    session.commit()
    late = member.post(f"/s/o/{link.token}", data=survey_world.form_data())
    assert late.status_code == 404
    assert "此链接无法使用" in late.text and "您刚才提交的答案未被记录。" in late.text
    # A shared link: no slip to have sent twice, nobody who handed one out.
    assert "每个链接或答题码只能提交一次" not in late.text and "答题条" not in late.text
    # Only a page that carried answers says so; any other refused open link is the same page.
    opened = _said(member.get(f"/s/o/{link.token}").text)
    assert "此链接无法使用" in opened and "未被记录" not in opened
    assert opened == _said(member.get("/s/o/not-a-real-token-at-all").text)
    session.expire_all()
    assert session.scalar(select(OpenLink.used_count)) == 1
