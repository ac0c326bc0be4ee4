"""E-mailed invitation links through a local SMTP sink: each member with an address once,
nothing stored that pairs a member with an invitation, tokens never logged."""

from __future__ import annotations

import io
import logging
import re

from rq import Queue, SimpleWorker
from sqlalchemy import func, inspect, select

from dudao.core.queue import connect
from dudao.surveys.issuing import generate_invitations
from dudao.surveys.jobs import email_invitations
from dudao.surveys.models import CampaignState, Invitation, InvitationMailing
from dudao.surveys.tokens import hash_token
from tests import survey_world
from tests.survey_world import roster

LINK = re.compile(r"http://localhost/s/([A-Za-z0-9_\-]{22})")


def _links(smtp) -> dict[str, str]:
    found = {}
    for recipients, message in smtp.received:
        (token,) = LINK.findall(message.get_content())
        found[recipients[0]] = token
    return found


def test_each_member_with_an_address_gets_one_link_of_their_own(
    mail_app,
    smtp,
    session,
    org,
    caplog,
):
    campaign = survey_world.campaign_for(session, org.company_a)
    roster(session, org.branch_a1, ["a@example.org", "b@example.org", None, "c@example.org"])
    roster(session, org.branch_a2, [None, None])
    session.commit()
    with caplog.at_level(logging.DEBUG):
        assert email_invitations(campaign.id, "http://localhost/") == {"sent": 3, "failed": 0}
        assert email_invitations(campaign.id, "http://localhost/") == {"sent": 0, "failed": 0}
    links = _links(smtp)
    assert set(links) == {"a@example.org", "b@example.org", "c@example.org"}
    assert len(set(links.values())) == 3
    message = smtp.received[0][1]
    assert message["Subject"].startswith("问卷邀请") and "匿名" in message.get_content()
    session.expire_all()
    stored = set(session.scalars(select(Invitation.token_hash)))
    assert stored == {hash_token(t) for t in links.values()}
    # The mark names the campaign and the member, nothing else: no invitation, no time.
    columns = {
        c["name"] for c in inspect(session.get_bind()).get_columns("survey_invitation_mailing")
    }
    assert columns == {"campaign_id", "member_id"}
    assert session.scalar(select(func.count()).select_from(InvitationMailing)) == 3
    assert not any(t in record.getMessage() for t in links.values() for record in caplog.records)
    # Slips top the unit up for the members without an address.
    issued = generate_invitations(session, None, campaign).rows
    session.commit()
    assert sorted(i.unit_code for i in issued) == ["A1-1", "A1-2", "A1-2"]
    # A link answers once.
    anonymous = mail_app.test_client()
    token = links["a@example.org"]
    assert survey_world.answer(anonymous, token).status_code == 302
    assert survey_world.answer(anonymous, token).status_code == 404


def test_a_refused_mail_leaves_nothing_and_is_sent_by_the_next_run(mail_app, smtp, session, org):
    campaign = survey_world.campaign_for(session, org.company_a)
    roster(session, org.branch_a1, ["a@example.org", "b@example.org"])
    smtp.refuse = True
    assert email_invitations(campaign.id, "http://localhost/") == {"sent": 0, "failed": 2}
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert session.scalar(select(func.count()).select_from(InvitationMailing)) == 0
    smtp.refuse = False
    assert email_invitations(campaign.id, "http://localhost/")["sent"] == 2
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Invitation)) == 2


def test_nothing_is_mailed_without_places_or_when_the_campaign_is_not_open(
    mail_app,
    smtp,
    session,
    org,
):
    campaign = survey_world.campaign_for(session, org.company_a)
    roster(session, org.branch_a1, ["a@example.org", "b@example.org"])
    generate_invitations(session, None, campaign)  # slips for everyone already
    session.commit()
    assert email_invitations(campaign.id, "http://localhost/")["sent"] == 0
    draft = survey_world.campaign_for(session, org.company_a, state=CampaignState.DRAFT)
    session.commit()
    assert email_invitations(draft.id, "http://localhost/")["sent"] == 0
    assert smtp.received == []


def test_office_asks_from_the_campaign_page(mail_app, smtp, session, org, signed_in):
    campaign = survey_world.campaign_for(session, org.company_a)
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    upload = "unit,member,email\nA1-1,001,a@example.org\nA1-1,002,\n"
    client.post("/surveys/roster", data={"file": (io.BytesIO(upload.encode()), "r.csv")})
    page = client.get(f"/surveys/{campaign.id}").get_data(as_text=True)
    assert f"/surveys/{campaign.id}/email-invitations" in page
    response = client.post(f"/surveys/{campaign.id}/email-invitations")
    assert response.status_code == 302
    connection = connect(mail_app.extensions["dudao"].settings)
    SimpleWorker([Queue("default", connection=connection)], connection=connection).work(
        burst=True, with_scheduler=False
    )
    assert [r for r, _m in smtp.received] == [["a@example.org"]]
    client.post("/logout")
    other = signed_in("office_b", ("office", org.company_b))
    assert other.post(f"/surveys/{campaign.id}/email-invitations").status_code == 404


def test_without_mail_the_office_is_told_to_ask_the_administrator(client, session, org, signed_in):
    """The variable's name is for the administrator (README); the office reads what to do."""
    campaign = survey_world.campaign_for(session, org.company_a)
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    told = "本站尚未设置电子邮件，请联系管理员设置。"
    assert told in client.get(f"/surveys/{campaign.id}").text
    refused = client.post(f"/surveys/{campaign.id}/email-invitations", follow_redirects=True)
    assert told in refused.text and "SMTP" not in refused.text
    client.post("/lang", data={"lang": "en"})
    page = client.get(f"/surveys/{campaign.id}").text
    assert "E-mail is not set up for this site: ask the administrator to set it up." in page
    assert "SMTP" not in page


def test_two_runs_at_once_mail_each_member_once(mail_app, smtp, session, org):
    import threading

    campaign = survey_world.campaign_for(session, org.company_a)
    roster(session, org.branch_a1, [f"m{n}@example.org" for n in range(6)])
    barrier = threading.Barrier(2)
    results = []

    def run() -> None:
        with mail_app.app_context():
            barrier.wait()
            results.append(email_invitations(campaign.id, "http://localhost/"))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["sent"] for r in results) == 6  # each member once, whichever run did it
    assert sorted(r for r, _m in smtp.received) == [[f"m{n}@example.org"] for n in range(6)]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Invitation)) == 6
