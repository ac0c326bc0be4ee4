"""Invitations and open links exclude each other along a line of the tree: people who hold a
slip get no shared link as well, nor the other way round, and the office is told which units
were left out and why (docs/anonymity.md, "Open links")."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from dudao.surveys import issuing
from dudao.surveys.mailing import due
from dudao.surveys.models import Invitation, OpenLink
from tests import survey_world


def _links(session, campaign) -> dict[str, int]:
    """{unit code: cap} of the campaign's open links."""
    from dudao.org.models import Unit

    return dict(
        session.execute(
            select(Unit.code, OpenLink.cap)
            .join(OpenLink, OpenLink.unit_id == Unit.id)
            .where(OpenLink.campaign_id == campaign.id)
        ).all()
    )


def _invitations(session, campaign) -> dict[int, int]:
    return dict(
        session.execute(
            select(Invitation.unit_id, func.count())
            .where(Invitation.campaign_id == campaign.id)
            .group_by(Invitation.unit_id)
        ).all()
    )


def _skipped(body: str) -> dict[str, str]:
    """{unit cell: reason cell} of the page's table of units left out."""
    section = re.search(r'<section id="skipped">(.*?)</section>', body, re.S)
    assert section, "no units left out on the page"
    rows = re.findall(r"<tr><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td></tr>", section.group(1))
    return dict(rows)


def test_a_unit_whose_members_hold_slips_gets_no_open_link_and_the_page_says_why(
    signed_in, session, org
):
    """The reviewer's case: slips for a branch, then open links, and the branch (and the unit
    above it, whose headcount counts the branch's people) took a shared link as well."""
    org.unit_a1.headcount, org.branch_a1.headcount, org.branch_a2.headcount = 30, 20, 10
    campaign = survey_world.campaign_for(session, org.company_a)
    campaign.levels = ["unit", "branch"]
    survey_world.add_roster(session, org.branch_a1, 3)
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    assert client.post(f"/surveys/{campaign.id}/invitations").status_code == 200

    page = client.post(f"/surveys/{campaign.id}/open-links")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert _links(session, campaign) == {"A1-2": 10}
    assert len(set(re.findall(r"http://localhost/s/o/[A-Za-z0-9_\-]{22}", body))) == 1
    assert "2 个单位未创建公开链接" in body
    assert _skipped(body) == {
        "A1 甲一厂": "A1-1 甲一厂第一党支部：3",
        "A1-1 甲一厂第一党支部": "本单位：3",
    }
    assert "个人邀请已覆盖这些单位的人员" in body

    client.post("/lang", data={"lang": "en", "next": "/"})
    again = client.post(f"/surveys/{campaign.id}/open-links").get_data(as_text=True)
    assert "2 units given no open link" in again and "Invitations that reach it" in again
    assert _skipped(again)["A1 甲一厂"] == "A1-1 甲一厂第一党支部: 3"
    session.expire_all()
    assert _links(session, campaign) == {"A1-2": 10}


def test_a_unit_an_open_link_reaches_gets_no_invitations_nor_e_mails(signed_in, session, org):
    org.branch_a1.headcount = 20
    campaign = survey_world.campaign_for(session, org.company_a)
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    client.post(f"/surveys/{campaign.id}/open-links")
    assert _links(session, campaign) == {"A1-1": 20}
    survey_world.roster(session, org.branch_a1, ["a@example.org", None])
    survey_world.roster(session, org.branch_a2, ["b@example.org", None])
    # Nor by e-mail: only A1-2's member with an address is due.
    assert {unit: len(members) for unit, members in due(session, campaign).items()} == {
        org.branch_a2.id: 1
    }

    body = client.post(f"/surveys/{campaign.id}/invitations").get_data(as_text=True)
    session.expire_all()
    assert _invitations(session, campaign) == {org.branch_a2.id: 2}
    assert "1 个单位未生成邀请" in body
    assert _skipped(body) == {"A1-1 甲一厂第一党支部": "本单位：20"}
    assert "公开链接已覆盖这些单位的人员" in body
    client.post("/lang", data={"lang": "en", "next": "/"})
    again = client.post(f"/surveys/{campaign.id}/invitations").get_data(as_text=True)
    assert "1 unit given no invitations" in again and "this unit: 20" in again
    assert "An open link already reaches their members" in again
    session.expire_all()
    assert _invitations(session, campaign) == {org.branch_a2.id: 2}


def test_units_left_out_are_returned_with_the_units_that_reach_them(session, org):
    """A unit's headcount counts its subtree: the link of the unit above reaches a branch's
    members as well as the branch's own link would."""
    org.unit_a1.headcount = 30
    campaign = survey_world.campaign_for(session, org.company_a)
    campaign.levels = ["unit", "branch"]
    links = issuing.create_open_links(session, None, campaign)
    assert [r.unit_code for r in links.rows] == ["A1"]
    # The branches have no headcount: left out, with nothing that reaches them.
    assert [(s.unit.code, s.reached_by) for s in links.skipped] == [("A1-1", []), ("A1-2", [])]
    survey_world.add_roster(session, org.branch_a2, 2)
    slips = issuing.generate_invitations(session, None, campaign)
    assert slips.rows == []
    assert [(s.unit.code, [(u.code, n) for u, n in s.reached_by]) for s in slips.skipped] == [
        ("A1-2", [("A1", 30)])
    ]
    assert session.scalar(select(func.count(Invitation.id))) == 0


def test_open_links_on_one_line_exclude_each_other_the_branches_first(signed_in, session, org):
    """A unit capped at its whole headcount and each of its branches took a link: twice the
    answers its people could give. The branches get the links; the unit above is left out,
    and a later press adds nothing on that line."""
    org.unit_a1.headcount, org.branch_a1.headcount, org.branch_a2.headcount = 30, 20, 10
    campaign = survey_world.campaign_for(session, org.company_a)
    campaign.levels = ["unit", "branch"]
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    body = client.post(f"/surveys/{campaign.id}/open-links").get_data(as_text=True)
    assert _links(session, campaign) == {"A1-1": 20, "A1-2": 10}
    linked = re.search(r'<section id="linked">(.*?)</section>', body, re.S)
    assert linked and "另一个公开链接已覆盖这些单位的人员" in linked.group(1)
    assert "A1 甲一厂" in linked.group(1) and "A1-1 甲一厂第一党支部：20" in linked.group(1)
    client.post(f"/surveys/{campaign.id}/open-links")
    session.expire_all()
    assert _links(session, campaign) == {"A1-1": 20, "A1-2": 10}


def test_new_links_name_their_units_in_the_page_s_language(signed_in, session, org):
    """An English page listed the new slips, links and replacements under Chinese names."""
    org.branch_a1.name_en, org.branch_a2.name_en = "Branch One", "Branch Two"
    org.branch_a2.headcount = 10
    campaign = survey_world.campaign_for(session, org.company_a)
    survey_world.add_roster(session, org.branch_a1, 2)
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    client.post("/lang", data={"lang": "en", "next": "/"})
    issued = [
        client.post(f"/surveys/{campaign.id}/invitations").text,
        client.post(f"/surveys/{campaign.id}/open-links").text,
        client.post(f"/surveys/{campaign.id}/units/{org.branch_a2.id}/replace-open-link",
                    data={"understood": "y"}).text,
    ]  # fmt: skip
    for page, name in zip(issued, ("Branch One", "Branch Two", "Branch Two"), strict=True):
        rows = re.findall(r"<tr><td>(A1-\d) ([^<]*)</td>", page)  # the new ones
        assert rows and {cell for _code, cell in rows} == {name}, rows
        assert "党支部" not in page.split('name="rows" value="')[1].split('"')[0]
