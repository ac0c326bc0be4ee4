"""The periodic sweep of e-mailed links (cron's `finish_invitation_emails`): it finishes the
mailing of every open campaign the office asked to e-mail — a lost job, a worker that
died half-way — and never mails a member twice, nor a campaign nobody asked to e-mail."""

from __future__ import annotations

import pytest
from rq import Queue
from sqlalchemy import func, select

from dudao.core.queue import connect
from dudao.surveys import mailing
from dudao.surveys.jobs import MAILING_TIMEOUT, email_invitations, finish_invitation_emails
from dudao.surveys.models import Campaign, CampaignState, Invitation
from tests import survey_world
from tests.survey_world import roster


class Killed(BaseException):
    """The work-horse dies (OOM, deploy): no `except Exception` catches it."""


def _recipients(smtp) -> list[str]:
    return sorted(r for recipients, _m in smtp.received for r in recipients)


def _links(smtp) -> list[str]:
    return [
        line.strip()
        for _r, message in smtp.received
        for line in message.get_content().splitlines()
        if "/s/" in line
    ]


def test_the_sweep_finishes_a_mailing_whose_worker_died(
    mail_app, smtp, session, org, signed_in, monkeypatch
):
    campaign = survey_world.campaign_for(session, org.company_a)
    untouched = survey_world.campaign_for(session, org.company_b)  # nobody asked: no e-mail
    roster(session, org.branch_a1, ["a1@example.org", "a2@example.org"])
    roster(session, org.branch_a2, ["b1@example.org", "b2@example.org"])
    roster(session, org.branch_b1, ["z@example.org"])
    client = signed_in("office", ("office", org.group))
    assert client.post(f"/surveys/{campaign.id}/email-invitations").status_code == 302
    session.expire_all()
    assert session.get(Campaign, campaign.id).mailing_base_url == "http://localhost/"
    assert session.get(Campaign, untouched.id).mailing_base_url is None
    queue = Queue("default", connection=connect(mail_app.extensions["dudao"].settings))
    assert [j.timeout for j in queue.jobs] == [MAILING_TIMEOUT]  # not RQ's default 180 s
    queue.empty()  # the job is lost

    issue, calls = mailing._issue, []

    def dies_on_the_second_unit(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Killed
        return issue(*args, **kwargs)

    monkeypatch.setattr(mailing, "_issue", dies_on_the_second_unit)
    with pytest.raises(Killed):
        email_invitations(campaign.id, "http://localhost/")  # pressed again, dies half-way
    monkeypatch.setattr(mailing, "_issue", issue)
    assert _recipients(smtp) == ["a1@example.org", "a2@example.org"]

    assert finish_invitation_emails() == {"campaigns": 1, "sent": 2, "failed": 0}
    assert finish_invitation_emails() == {"campaigns": 1, "sent": 0, "failed": 0}
    assert _recipients(smtp) == ["a1@example.org", "a2@example.org", "b1@example.org",
                                 "b2@example.org"]  # fmt: skip
    assert all(link.startswith("http://localhost/s/") for link in _links(smtp))
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Invitation)) == 4


def test_the_sweep_leaves_closed_campaigns_alone(mail_app, smtp, session, org):
    campaign = survey_world.campaign_for(session, org.company_a)
    mailing.request_mailing(session, None, campaign, "http://localhost/")
    survey_world.close(session, campaign)
    assert campaign.state == CampaignState.CLOSED
    roster(session, org.branch_a1, ["a1@example.org"])
    assert finish_invitation_emails() == {"campaigns": 0, "sent": 0, "failed": 0}
    assert smtp.received == []
