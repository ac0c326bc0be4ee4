"""Links not downloaded are not lost for good: pressing "Generate" again says plainly that
nothing new was made and how to get new ones, and the office replaces a unit's unused
invitations (or its open link) after ticking a box. The old unused ones stop working, the
used ones stay counted, and the people invited keep their number (docs/anonymity.md)."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from dudao.audit.models import AuditEvent
from dudao.surveys import issuing, queries
from dudao.surveys.aggregate import aggregate
from dudao.surveys.models import Invitation, OpenLink
from tests import survey_world

LINK = re.compile(r"http://localhost/s/([A-Za-z0-9_\-]{22})")
OPEN_LINK = re.compile(r"http://localhost/s/o/([A-Za-z0-9_\-]{22})")
CODE = re.compile(r"<code>([0-9A-Z]{5}-[0-9A-Z]{5})</code>")


def _title(body: str) -> str:
    return html.unescape(re.search(r"<h1>(.*?)</h1>", body, re.S).group(1)).strip()


def _slips(session, org, count=3):
    campaign = survey_world.campaign_for(session, org.company_a)
    survey_world.add_roster(session, org.branch_a1, count)
    session.commit()
    return campaign


def test_generating_again_says_nothing_new_was_made_and_how_to_get_new_ones(
    signed_in, session, org
):
    campaign = _slips(session, org)
    client = signed_in("office_a", ("office", org.company_a))
    first = client.post(f"/surveys/{campaign.id}/invitations").get_data(as_text=True)
    assert _title(first) == "邀请已生成" and "这些链接仅在此时显示" in first

    again = client.post(f"/surveys/{campaign.id}/invitations").get_data(as_text=True)
    assert _title(again) == "没有生成新的邀请"
    assert "邀请已生成" not in again and "这些链接仅在此时显示" not in again
    assert "本次没有生成任何邀请" in again and "“重新生成”一栏" in again
    client.post("/lang", data={"lang": "en", "next": "/"})
    english = client.post(f"/surveys/{campaign.id}/invitations").get_data(as_text=True)
    assert _title(english) == "No new invitations" and "shown only now" not in english
    assert "replace that unit’s unused ones on the campaign page" in html.unescape(english)
    links = client.post(f"/surveys/{campaign.id}/open-links").get_data(as_text=True)
    assert _title(links) == "No new open links"


def test_replacing_voids_the_unused_slips_keeps_the_used_ones_and_the_new_ones_work(
    signed_in, session, org
):
    campaign = _slips(session, org)
    client = signed_in("office_a", ("office", org.company_a))
    shown = client.post(f"/surveys/{campaign.id}/invitations").get_data(as_text=True)
    tokens, codes = list(dict.fromkeys(LINK.findall(shown))), CODE.findall(shown)
    member = client.application.test_client()
    assert survey_world.answer(member, tokens[0]).status_code == 302  # one slip used

    page = f"/surveys/{campaign.id}/units/{org.branch_a1.id}/replace-invitations"
    detail = client.get(f"/surveys/{campaign.id}").get_data(as_text=True)
    assert page in detail
    confirm = client.get(page)
    assert confirm.status_code == 200
    assert _title(confirm.text) == "重新生成 A1-1 甲一厂第一党支部 未使用的邀请"
    assert 'type="checkbox"' in confirm.text and "本次测评中该单位共有 3 份邀请" in confirm.text

    # Without the box ticked: said beside it, and nothing changes.
    unticked = client.post(page, data={})
    assert unticked.status_code == 422
    assert '<p class="field-error" id="understood-error">请勾选此项以确认' in unticked.text
    assert member.get(f"/s/{tokens[1]}").status_code == 200

    replaced = client.post(page, data={"understood": "y"})
    body = replaced.get_data(as_text=True)
    assert replaced.status_code == 200 and replaced.headers["Cache-Control"] == "no-store"
    assert _title(body) == "A1-1 甲一厂第一党支部 的新邀请" and "这些链接仅在此时显示" in body
    new_tokens = list(dict.fromkeys(LINK.findall(body)))
    assert len(new_tokens) == 2 and not set(new_tokens) & set(tokens)

    # The old unused slips open nothing, by link or by code; the used one stays used.
    for token in tokens:
        assert member.get(f"/s/{token}").status_code == 404
    for code in codes[1:]:
        assert member.post("/s", data={"step": "code", "code": code}).status_code == 404
    assert survey_world.answer(member, new_tokens[0]).status_code == 302
    assert survey_world.answer(member, new_tokens[0]).status_code == 404
    session.expire_all()
    used = session.scalars(select(Invitation.used).where(Invitation.campaign_id == campaign.id))
    assert sorted(used) == [False, True, True]
    # The new slips replace the old ones: the people invited are still the three.
    assert queries.invited_counts(session, campaign.id) == {org.branch_a1.id: 3}
    groups = {g.code: g for g in aggregate(session, campaign).groups}
    assert (groups["A1-1"].invited, groups["A"].invited) == (3, 3)
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "survey.invitations_replaced")
    ).one()
    assert event.after == {"per_unit": {"A1-1": 2}} and event.actor_name == "office_a"


def test_a_replacement_refused_changes_nothing_and_says_why_in_both_languages(
    signed_in, session, org
):
    campaign = _slips(session, org, count=1)
    (slip,) = issuing.generate_invitations(session, None, campaign).rows
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    assert survey_world.answer(client.application.test_client(), slip.token).status_code == 302
    page = f"/surveys/{campaign.id}/units/{org.branch_a1.id}/replace-invitations"
    refused = client.post(page, data={"understood": "y"})
    assert refused.status_code == 422
    assert (
        '<p class="error" role="alert">该单位的邀请均已使用，没有可以重新生成的邀请。'
        in refused.text
    )
    client.post("/lang", data={"lang": "en", "next": "/"})
    english = client.post(page, data={"understood": "y"}).get_data(as_text=True)
    assert "Every invitation of this unit has been used: there is nothing to replace." in english
    # A unit with nothing to replace gets no form; a unit outside the campaign, a 404.
    other = client.get(f"/surveys/{campaign.id}/units/{org.branch_a2.id}/replace-invitations")
    assert "This unit has no invitations in this campaign." in other.text
    assert 'type="checkbox"' not in other.text
    outside = f"/surveys/{campaign.id}/units/{org.branch_b1.id}/replace-invitations"
    assert client.get(outside).status_code == 404
    survey_world.close(session, campaign)
    closed = client.post(page, data={"understood": "y"})
    assert closed.status_code == 422 and "The campaign is closed." in closed.text
    assert "Replace" not in client.get(f"/surveys/{campaign.id}").text
    session.expire_all()
    assert session.scalar(select(func.count(Invitation.id))) == 1
    assert not session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action.like("%replaced"))
    )


def test_replacing_an_open_link_voids_the_old_one_and_keeps_its_answers_counted(
    signed_in, session, org
):
    org.branch_a1.headcount = 3
    campaign = survey_world.campaign_for(session, org.company_a)
    (link,) = issuing.create_open_links(session, None, campaign).rows
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    anonymous = client.application.test_client()
    assert anonymous.post(f"/s/o/{link.token}", data=survey_world.form_data()).status_code == 302
    client.post("/lang", data={"lang": "en", "next": "/"})
    page = f"/surveys/{campaign.id}/units/{org.branch_a1.id}/replace-open-link"
    assert page in client.get(f"/surveys/{campaign.id}").text
    confirm = client.get(page).get_data(as_text=True)
    assert _title(confirm) == "Replace the open link of A1-1 甲一厂第一党支部"
    assert "takes at most 3 answers" in confirm
    replaced = client.post(page, data={"understood": "y"}).get_data(as_text=True)
    assert _title(replaced) == "New open link for A1-1 甲一厂第一党支部"
    (new,) = set(OPEN_LINK.findall(replaced))
    assert re.search(r"<td><code>2</code></td>", replaced)  # the answers left under the cap
    assert anonymous.get(f"/s/o/{link.token}").status_code == 404
    assert anonymous.post(f"/s/o/{new}", data=survey_world.form_data()).status_code == 302
    session.expire_all()
    stored = session.scalars(select(OpenLink)).one()
    assert (stored.cap, stored.used_count) == (3, 2)
    assert queries.invited_counts(session, campaign.id) == {org.branch_a1.id: 3}
