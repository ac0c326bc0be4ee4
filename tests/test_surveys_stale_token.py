"""A member whose browser lost its session cookie before sending: the answers come back on
the page with a fresh token, nothing is recorded, and sending again records them once."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

import dudao.models  # noqa: F401
from dudao.surveys.models import Invitation, PendingResponse
from tests import survey_world
from tests.survey_world import form_data
from tests.test_access_posts import create_secured_app

LOST = "the token of a session the phone no longer has"


@pytest.fixture
def member(settings, app) -> Iterator[FlaskClient]:
    """A browser against an app that checks CSRF tokens, as in production."""
    secured = create_secured_app(settings)
    yield secured.test_client()
    secured.extensions["dudao"].engine.dispose()


def _token(body: str) -> str:
    found = re.search(r'name="csrf_token"[^>]* value="([^"]+)"', body)
    assert found, body
    return found.group(1)


def _recorded(session) -> tuple[int, int]:
    session.expire_all()
    used = session.scalar(select(func.count()).where(Invitation.used.is_(True)))
    return used, session.scalar(select(func.count()).select_from(PendingResponse))


def test_a_lost_session_gives_the_answers_back_to_send_again(member, session, org):
    world = survey_world.build(session, org)
    path = f"/s/{world.tokens['A1-1'][0]}"
    typed = form_data(comment="食堂的饭菜越来越好")
    stale = member.post(path, data={**typed, "csrf_token": LOST})
    body = stale.get_data(as_text=True)
    assert stale.status_code == 400
    assert "尚未发送" in body
    assert "食堂的饭菜越来越好" in body
    assert re.search(r'name="a_sat_leadership" value="4"[^>]*checked', body), body
    assert _recorded(session) == (0, 0)

    sent = member.post(path, data={**typed, "csrf_token": _token(body)})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/s/thanks")
    assert _recorded(session) == (1, 1)
    assert session.scalars(select(PendingResponse)).one().answers["comment"] == "食堂的饭菜越来越好"


def test_an_unknown_link_is_refused_whatever_the_token(member, session, org):
    survey_world.build(session, org)
    refused = member.post("/s/not-a-real-token-at-all", data={**form_data(), "csrf_token": LOST})
    assert refused.status_code == 404
    assert _recorded(session) == (0, 0)


def test_a_slip_code_typed_on_a_stale_page_is_kept(member, session, org):
    world = survey_world.build(session, org)
    code = world.codes["A1-1"][0]
    stale = member.post("/s", data={"step": "code", "code": code, "csrf_token": LOST})
    body = stale.get_data(as_text=True)
    assert stale.status_code == 400
    assert f'value="{code}"' in body and 'name="a_sat_leadership"' not in body

    shown = member.post("/s", data={"step": "code", "code": code, "csrf_token": _token(body)})
    assert shown.status_code == 200
    assert 'name="a_sat_leadership"' in shown.get_data(as_text=True)
    assert _recorded(session) == (0, 0)


def test_switching_language_keeps_what_was_typed(member, session, org):
    """The header's switch posted to /lang and came back to an empty questionnaire."""
    world = survey_world.build(session, org)
    path = f"/s/{world.tokens['A1-1'][0]}"
    page = member.get(path).get_data(as_text=True)
    assert 'name="switch_lang" value="en"' in page and 'form="dform"' in page
    typed = form_data(comment="食堂的饭菜越来越好")
    switched = member.post(path, data={**typed, "switch_lang": "en", "csrf_token": LOST})
    body = switched.get_data(as_text=True)
    assert switched.status_code == 200 and "Send my answers" in body
    assert "食堂的饭菜越来越好" in body and "aria-invalid" not in body
    assert _recorded(session) == (0, 0)
    sent = member.post(path, data={**typed, "csrf_token": _token(body)})
    assert sent.status_code == 302 and _recorded(session) == (1, 1)


def test_answers_carried_by_the_code_page_come_back_in_the_questionnaire(member, session, org):
    """What a code page held back by a rate limit carries is the questionnaire, filled in,
    once the code is sent again."""
    world = survey_world.build(session, org)
    code = world.codes["A1-1"][0]
    page = member.get("/s").get_data(as_text=True)
    carried = {"step": "code", "code": code, "csrf_token": _token(page),
               **form_data(comment="会议室网络太慢")}  # fmt: skip
    shown = member.post("/s", data=carried)
    body = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "会议室网络太慢" in body and "aria-invalid" not in body
    assert _recorded(session) == (0, 0)
