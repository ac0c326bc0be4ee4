"""Answering over HTTP: one answer per invitation, one refusal page, open links capped."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

import dudao.models  # noqa: F401
from dudao.core.database import utcnow
from dudao.surveys import issuing
from dudao.surveys.models import Invitation, OpenLink, PendingResponse, Response
from tests import survey_world
from tests.survey_world import answer


def _page(response) -> tuple[int, str]:
    """Status and body, with the page's own path (the language switch's `next`) and the
    CSRF token (it carries a timestamp) blanked."""
    body = re.sub(
        r'name="next" value="[^"]*"', 'name="next" value=""', response.get_data(as_text=True)
    )
    body = re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', body)
    return response.status_code, body


def _refused_body(client, path: str = "/s/not-a-real-token-at-all") -> tuple[int, str]:
    return _page(client.get(path))


def test_the_first_page_explains_anonymity_and_shows_the_questionnaire(client, session, org):
    world = survey_world.build(session, org)
    page = client.get(f"/s/{world.tokens['A1-1'][0]}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "匿名" in body and "党员群众满意度测评" in body
    assert 'name="a_sat_leadership"' in body
    # The same page answers a typed slip code: it speaks of both, not of a link alone.
    assert "您的链接或答题码只能作答一次" in body and "该链接" not in body
    assert page.headers["Cache-Control"] == "no-store"
    # Which end of the 0-10 rating is the best is read with each of its points.
    assert '<p class="dpoints-ends" id="r-recommend">' in body
    assert 'name="a_recommend" value="10" aria-describedby="r-recommend">' in body


def test_the_logo_of_an_answering_page_leads_nowhere(client, session, org):
    """ "/" is the sign-in page: a dead end for a member, and a request the access log writes
    with their address. The other pages keep their link home."""
    world = survey_world.build(session, org)
    for path in (f"/s/{world.tokens['A1-1'][0]}", "/s", "/s/not-a-real-token-at-all"):
        body = client.get(path).get_data(as_text=True)
        assert '<span class="brand">' in body and 'class="brand" href' not in body, path
    assert '<a class="brand" href="/">' in client.get("/login").get_data(as_text=True)


def test_an_answer_spends_the_invitation_and_waits_pending(client, session, org):
    world = survey_world.build(session, org)
    token = world.tokens["A1-1"][0]
    response = answer(client, token, comment="很好")
    assert response.status_code == 302 and response.headers["Location"].endswith("/s/thanks")
    pending = session.scalars(select(PendingResponse)).all()
    assert len(pending) == 1
    assert pending[0].answers["sat_leadership"] == 4 and pending[0].answers["comment"] == "很好"
    assert session.scalar(select(func.count()).where(Invitation.used.is_(True))) == 1
    assert session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_second_answer_gets_the_same_page_as_an_unknown_code(client, session, org):
    world = survey_world.build(session, org)
    token = world.tokens["A1-1"][0]
    assert answer(client, token).status_code == 302
    unknown = _refused_body(client)
    again = answer(client, token)
    assert _page(again) == unknown
    assert _refused_body(client, f"/s/{token}") == unknown
    assert unknown[0] == 404
    assert session.scalar(select(func.count()).select_from(PendingResponse)) == 1


def test_expired_and_draft_campaigns_get_the_same_page(client, session, org):
    world = survey_world.build(session, org)
    unknown = _refused_body(client)
    world.campaign.closes_at = utcnow() - timedelta(minutes=1)
    world.campaign.opens_at = utcnow() - timedelta(days=2)
    session.commit()
    assert _refused_body(client, f"/s/{world.tokens['A1-1'][0]}") == unknown
    assert answer(client, world.tokens["A1-1"][1]).status_code == 404
    assert session.scalar(select(func.count()).select_from(PendingResponse)) == 0


def test_a_photo_s_file_name_is_never_stored(client, session, org):
    """A campaign put to members a version with a photo item (stored before the definitions
    refused one in an anonymous questionnaire): the file name ("张三", a time) is dropped."""
    world = survey_world.build(session, org)
    world.campaign.definition_version_id = survey_world.photo_version(session).id
    session.commit()
    data = {**survey_world.form_data(), "a_site": (io.BytesIO(b"jpeg"), "张三_IMG_20261128.jpg")}
    sent = client.post(f"/s/{world.tokens['A1-1'][0]}", data=data)
    assert sent.status_code == 302
    stored = session.scalars(select(PendingResponse)).one().answers
    assert "site" not in stored and "张三" not in str(stored) and stored["sat_leadership"] == 4


def test_a_campaign_not_open_yet_says_when_it_opens(client, session, org):
    """It said the link was dead ("可能已收满答卷，也可能问卷已经结束") to members who then
    threw away a slip that would have worked a week later."""
    world = survey_world.build(session, org)
    world.campaign.opens_at = datetime(2099, 12, 9, 16, tzinfo=UTC)  # 10 December in Shanghai
    world.campaign.closes_at = datetime(2099, 12, 31, tzinfo=UTC)
    session.commit()
    link = client.get(f"/s/{world.tokens['A1-1'][0]}")
    assert link.status_code == 403 and "2099年12月10日" in link.text
    assert "无法使用" not in link.text and 'name="a_sat_leadership"' not in link.text
    code = client.post("/s", data={"code": world.codes["A1-1"][0], "step": "code"})
    assert code.status_code == 403 and "2099年12月10日" in code.text
    assert answer(client, world.tokens["A1-1"][1]).status_code == 403
    assert session.scalar(select(func.count()).where(Invitation.used.is_(True))) == 0


def test_answers_sent_after_the_end_are_said_not_recorded(client, session, org):
    """A slip's refusal said the answers were received, or to ask for a new slip: neither is
    true once the questionnaire has ended."""
    org.branch_a2.headcount = 5
    world = survey_world.build(session, org, per_branch=0)
    survey_world.add_roster(session, org.branch_a1, 2)
    first, second = issuing.generate_invitations(session, None, world.campaign).rows
    (link,) = issuing.create_open_links(session, None, world.campaign).rows
    session.commit()
    pages = [client.get(f"/s/{first.token}"), client.get(f"/s/o/{link.token}")]
    assert all(page.status_code == 200 for page in pages)  # opened before the end
    survey_world.close(session, world.campaign)
    sent = [
        answer(client, first.token),
        client.post("/s", data={"code": second.code, **survey_world.form_data()}),
        client.post(f"/s/o/{link.token}", data=survey_world.form_data()),
    ]
    for page in sent:
        assert page.status_code == 404 and "问卷已结束" in page.text
        assert "您刚才提交的答案未被记录" in page.text
        assert "已经收到" not in page.text and "另领" not in page.text
    # Nothing sent: the one page, which tells a guesser nothing.
    assert _refused_body(client, f"/s/{first.token}") == _refused_body(client)
    assert session.scalar(select(func.count()).select_from(PendingResponse)) == 0


def test_invalid_answers_are_shown_again_and_spend_nothing(client, session, org):
    world = survey_world.build(session, org)
    token = world.tokens["A1-1"][0]
    response = answer(client, token, {"identity": "member"})
    assert response.status_code == 422
    assert "answers need attention" in response.get_data(as_text=True) or "需" in (
        response.get_data(as_text=True)
    )
    assert session.scalar(select(func.count()).where(Invitation.used.is_(True))) == 0
    assert answer(client, token).status_code == 302


def test_choosing_more_areas_than_the_question_allows_is_refused(client, session, org):
    """'What most needs to improve (up to three)' takes at most three answers."""
    world = survey_world.build(session, org)
    token = world.tokens["A1-1"][0]
    assert "最多选 3 项。" in client.get(f"/s/{token}").get_data(as_text=True)
    data = survey_world.form_data()
    data["a_improve_areas"] = ["study", "meetings", "service", "openness"]
    refused = client.post(f"/s/{token}", data=data)
    assert refused.status_code == 422
    assert "最多选 3 项。" in refused.get_data(as_text=True).split('id="e-improve_areas"')[1]
    assert session.scalar(select(func.count()).where(Invitation.used.is_(True))) == 0
    data["a_improve_areas"] = ["study", "meetings", "service"]
    assert client.post(f"/s/{token}", data=data).status_code == 302


def test_a_slip_code_works_once_and_never_appears_in_a_url(client, session, org):
    world = survey_world.build(session, org)
    code = world.codes["A1-2"][0]
    entry = client.get("/s")
    assert entry.status_code == 200 and 'name="code"' in entry.get_data(as_text=True)
    page = client.post("/s", data={"code": code.lower().replace("-", " "), "step": "code"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'form="dform"' in body and 'action="/s"' in body
    done = client.post("/s", data={"code": code, **survey_world.form_data()})
    assert done.status_code == 302
    unknown = _refused_body(client)
    again = client.post("/s", data={"code": code, "step": "code"})
    assert _page(again) == unknown
    pending = session.scalars(select(PendingResponse)).one()
    assert pending.unit_id == org.branch_a2.id


def test_open_link_is_capped_at_the_headcount(client, session, org):
    org.branch_a1.headcount = 2
    session.commit()
    world = survey_world.build(session, org, per_branch=0)
    from dudao.surveys import issuing

    (link,) = issuing.create_open_links(session, None, world.campaign).rows
    session.commit()
    assert link.cap == 2
    page = client.get(f"/s/o/{link.token}")
    assert page.status_code == 200
    assert 'class="flash flash-warning"' in page.get_data(as_text=True)
    # A shared link takes several answers: it does not say "your link answers once".
    assert "您的链接或答题码只能作答一次" not in page.get_data(as_text=True)
    assert client.post(f"/s/o/{link.token}", data=survey_world.form_data()).status_code == 302
    assert client.post(f"/s/o/{link.token}", data=survey_world.form_data()).status_code == 302
    unknown = client.post("/s/o/not-a-real-token-at-all", data=survey_world.form_data())
    third = client.post(f"/s/o/{link.token}", data=survey_world.form_data())
    assert _page(third) == _page(unknown) and "您刚才提交的答案未被记录。" in third.text
    assert session.scalar(select(OpenLink.used_count)) == 2
    assert session.scalar(select(func.count()).select_from(PendingResponse)) == 2


def test_open_links_and_code_entry_are_rate_limited(client, session, org):
    org.branch_b1.headcount = 100
    session.commit()
    world = survey_world.build(session, org, per_branch=30)
    from dudao.surveys import issuing

    # The shared link of a unit without slips (a unit with slips gets none).
    shared = survey_world.campaign_for(session, org.company_b, title="公开链接")
    (link,) = issuing.create_open_links(session, None, shared).rows
    session.commit()
    path = f"/s/o/{link.token}"
    # A page refused for a missing answer is not an answer added: it does not count.
    assert {client.post(path, data={}).status_code for _ in range(35)} == {422}
    taken = [client.post(path, data=survey_world.form_data()).status_code for _ in range(30)]
    assert taken == [302] * 30
    # The 31st from this address: the questionnaire again, as typed, and nothing recorded.
    held = client.post(path, data=survey_world.form_data(comment="第三十一位"))
    body = held.get_data(as_text=True)
    assert held.status_code == 429 and "尚未发送" in body and "第三十一位" in body
    assert session.scalar(select(OpenLink.used_count)) == 30
    assert session.scalar(select(func.count()).select_from(PendingResponse)) == 30

    # Good slip codes, typed by a room full of members on one network, never count...
    for code in world.codes["A1-1"][:25]:
        assert client.post("/s", data={"step": "code", "code": code}).status_code == 200
    good = world.codes["A1-1"][25]
    # ... refused ones do: after 20, even a good code is held, and kept in its field.
    codes = [client.post("/s", data={"code": "AAAAA-AAAAA"}).status_code for _ in range(20)]
    assert codes == [404] * 20
    held = client.post("/s", data={"step": "code", "code": good})
    assert held.status_code == 429 and f'value="{good}"' in held.get_data(as_text=True)
    answered = client.post("/s", data={"code": good, **survey_world.form_data(comment="留言")})
    body = answered.get_data(as_text=True)
    assert answered.status_code == 429 and 'name="a_comment" value="留言"' in body
    # Past the limit, a guess learns nothing: a good code and a bad one get the code page
    # (the answers carried in it), never the questionnaire.
    guess = client.post("/s", data={"code": "AAAAA-AAAAA", **survey_world.form_data()})
    for page in (body, guess.get_data(as_text=True)):
        assert 'name="step" value="code"' in page and 'class="dform"' not in page
    assert guess.status_code == 429
    assert session.scalar(select(func.count()).select_from(PendingResponse)) == 30


def test_two_simultaneous_answers_with_one_invitation_store_one(app, session, org):
    import threading

    from dudao.surveys import answering

    world = survey_world.build(session, org)
    token = world.tokens["A1-1"][0]
    factory = app.extensions["dudao"].session_factory
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def attempt() -> None:
        with factory() as own:
            ticket = answering.ticket_for_token(own, token)
            barrier.wait()
            try:
                answering.submit_answer(own, ticket, {"identity": "member"})
                own.commit()
                outcomes.append("stored")
            except answering.Refused:
                own.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "stored"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(PendingResponse)) == 1


def test_the_refusal_and_anonymity_pages_are_chinese_unless_english_is_chosen(client, session, org):
    world = survey_world.build(session, org)
    token = world.tokens["A1-1"][0]
    refused = client.get("/s/not-a-real-token-at-all").get_data(as_text=True)
    assert "此链接或答题码无法使用" in refused and "为保护您的隐私" in refused
    assert "<title>此链接或答题码无法使用 · " in refused  # the tab says what the page says
    assert '<label for="code">答题码</label>' in client.get("/s").get_data(as_text=True)
    assert "cannot be used" not in refused
    assert "匿名" in client.get(f"/s/{token}").get_data(as_text=True)
    client.post("/lang", data={"lang": "en", "next": "/s"})
    refused_en = client.get("/s/not-a-real-token-at-all")
    body = refused_en.get_data(as_text=True)
    assert refused_en.status_code == 404
    assert "This link or code cannot be used" in body and "For your privacy" in body
    first = client.get(f"/s/{token}").get_data(as_text=True)
    assert "Your answers are anonymous" in first and "at least 5 people" in first
