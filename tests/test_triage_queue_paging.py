"""The flag queue's pages keep the filter, and a flag page links the feedback and the
questionnaire results behind it (the results page, never a single response)."""

from __future__ import annotations

import re

import pytest

from dudao.triage.queries import PAGE_SIZE
from tests.conftest import sign_in
from tests.flag_world import make_flag, triage_world


@pytest.fixture
def world(app, session, org, user_factory):
    return triage_world(session, org, user_factory)


def _ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-flag="(\d+)"', page)]


def test_pages_split_the_queue_and_keep_the_filter(client, world, session, org):
    for n in range(PAGE_SIZE + 5):
        make_flag(session, org.branch_a2, "outlier", tag=f"p{n}", severity="low")
    session.commit()
    sign_in(client, "office_a")
    first = client.get("/flags?rule=outlier").get_data(as_text=True)
    second = client.get("/flags?rule=outlier&page=2").get_data(as_text=True)
    assert len(_ids(first)) == PAGE_SIZE and len(_ids(second)) == 5
    assert not set(_ids(first)) & set(_ids(second))
    assert f"{PAGE_SIZE + 5} flags, page 1 of 2" in first
    nxt = re.search(r'rel="next" href="([^"]+)"', first).group(1)
    assert "page=2" in nxt and "rule=outlier" in nxt  # the next page keeps the filter
    assert 'rel="prev"' in second and 'rel="next"' not in second
    beyond = client.get("/flags?rule=outlier&page=9").get_data(as_text=True)
    assert _ids(beyond) == _ids(second)  # a page past the end shows the last


def test_flag_page_links_feedback_and_questionnaire_results(client, world, session, org):
    flag = make_flag(
        session, org.branch_a1, "survey_decline", tag="links",
        evidence={"test": "survey_decline", "campaign_id": 41, "feedback_ids": [7, 8]},
    )  # fmt: skip
    session.commit()
    sign_in(client, "office_a")
    page = client.get(f"/flags/{flag.id}").get_data(as_text=True)
    links = " ".join(page.split("data-links")[1:])
    assert 'href="/feedback/7"' in links and 'href="/feedback/8"' in links
    assert 'href="/surveys/41/results"' in links
    assert "/responses/" not in page  # never a single response
