"""A flag's page: its sentence, evidence and chart, the figures named and rounded as people
read them, a feedback theme's keyword, the other open flags on its units, and Chinese."""

from __future__ import annotations

import re

import pytest

from tests.conftest import sign_in
from tests.flag_world import make_flag, triage_world


@pytest.fixture
def world(app, session, org, user_factory):
    # English strings below; test_flag_page_in_chinese for zh
    return triage_world(session, org, user_factory)


def test_flag_page_shows_sentence_evidence_and_chart(client, world):
    _people, ids = world
    sign_in(client, "office_a")
    page = client.get(f"/flags/{ids['a_det']}").get_data(as_text=True)
    assert "own baseline since 2026-02" in page
    assert "<svg" in page and 'role="img"' in page and "<script" not in page.split("<svg")[1]
    table = page.split("data-series")[1].split("</table>")[0]
    assert "2026-04" in table and "71.3" in table and "90.0" in table and "—" in table
    figures = page.split("data-evidence")[1].split("</table>")[0]
    assert "CUSUM" in figures and "Scores transformed (arcsine)</th><td" in figures
    assert '<td class="wrap">No</td>' in figures  # a flag shown as a word
    rec = client.get(f"/flags/{ids['a_rec']}").get_data(as_text=True)
    assert "failed 3 times in a row" in rec and "<svg" not in rec


def test_flag_page_names_and_rounds_the_figures(client, world, session, org):
    evidence = {
        "test": "z", "against": "earlier campaigns", "p_value": 2.4015505301306586e-07,
        "tau2": 46.48217, "peers": 95, "campaign_id": 4,
        "baseline": [{"campaign_id": 3, "period_label": "2026年第二季度", "index": 83.5,
                      "responses": 12, "weight": 0.61}],
        "run": [{"campaign_id": 4, "period_label": "2026年第三季度", "index": 74.1,
                 "responses": 14}],
    }  # fmt: skip
    flag = make_flag(session, org.branch_a1, rule="questionnaire_decline", evidence=evidence)
    session.commit()
    sign_in(client, "office_a")
    client.post("/lang", data={"lang": "en", "next": "/"})
    figures = client.get(f"/flags/{flag.id}").get_data(as_text=True).split("data-evidence")[1]
    figures = figures.split("</table>")[0]
    assert ">2.40e-07<" in figures and ">46.48<" in figures and "2.40155" not in figures
    assert "Spread between units (τ²)</th>" in figures and ">its earlier campaigns<" in figures
    assert "2026 Q2: 83.5 from 12 answers, weight 0.61" in figures
    assert "Latest campaigns, tested together</th>" in figures
    assert "2026 Q3: 74.1 from 14 answers<" in figures
    assert "campaign_id" not in figures and "{" not in figures  # no raw keys or dicts
    client.post("/lang", data={"lang": "zh_CN", "next": "/"})
    figures = client.get(f"/flags/{flag.id}").get_data(as_text=True).split("data-evidence")[1]
    assert "最近几期合并检验</th>" in figures and "2026年第三季度：74.1（14 份答卷）<" in figures


def test_a_feedback_theme_names_its_keyword_or_category(client, world, session, org):
    theme = {"rule": "feedback_theme", "item_key": None}
    kw = make_flag(session, org.branch_a1, tag="kw", evidence={"keyword": "浪费"}, **theme)
    cat = make_flag(session, org.branch_a1, tag="cat", evidence={"category": "integrity"}, **theme)
    session.commit()
    sign_in(client, "office_a")
    client.post("/lang", data={"lang": "zh_CN", "next": "/"})
    assert "同一问题：“浪费”" in client.get(f"/flags/{kw.id}").get_data(as_text=True)
    assert "“廉洁自律”方面" in client.get(f"/flags/{cat.id}").get_data(as_text=True)
    kw.evidence = {**kw.evidence, "test": "same keyword from at least 3 units within 90 days",
                   "units": 3, "feedback_ids": [25, 26]}  # fmt: skip
    session.commit()
    figures = client.get(f"/flags/{kw.id}").get_data(as_text=True).split("data-evidence")[1]
    figures = figures.split("</table>")[0]
    assert "90 天内至少 3 个单位反映同一关键词" in figures and "关键词</th>" in figures
    assert "feedback_ids" not in figures and "keyword" not in figures
    client.post("/lang", data={"lang": "en", "next": "/"})
    assert "the same concern, “浪费”" in client.get(f"/flags/{kw.id}").get_data(as_text=True)
    assert "feedback on Integrity" in client.get(f"/flags/{cat.id}").get_data(as_text=True)


def test_flag_page_links_the_other_open_flags_on_its_units(
    app, world, session, org, monkeypatch, user_factory
):  # fmt: skip
    """A company-wide item problem and a branch's falling score are one problem seen twice:
    each page links the other; closed flags, flags on other units and out of the viewer's
    scope are left out."""
    _people, ids = world
    spread = make_flag(session, org.company_a, "cross_unit", tag="spread", severity="low",
                       unit_ids=[org.branch_a1.id, org.unit_a1.id])  # fmt: skip
    make_flag(session, org.branch_a1, "outlier", tag="closed", state="resolved")
    across = make_flag(session, org.group, "cross_unit", tag="org", unit_ids=[org.branch_b1.id])
    user_factory("desk", ("office", org.group)).locale = "en"
    session.commit()

    def related(username: str, flag_id: int) -> list[str]:
        client = app.test_client()
        assert sign_in(client, username).status_code == 302
        response = client.get(f"/flags/{flag_id}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        if "data-related" not in page:
            return []
        return re.findall(r'href="/flags/(\d+)"', page.split("data-related")[1].split("</ul>")[0])

    # the most severe first: a_det (high), then a_unit (low, acknowledged: still open)
    assert related("office_a", spread.id) == [str(ids["a_det"]), str(ids["a_unit"])]
    assert related("office_a", ids["a_det"]) == [str(spread.id)]
    assert related("office_a", ids["a_rec"]) == []  # A1-2 is not among the problem's units
    assert related("desk", ids["b_det"]) == [str(across.id)]  # the group's office sees both
    assert related("office_b", ids["b_det"]) == []  # the group's flag is outside B's scope
    monkeypatch.setattr("dudao.triage.queries.RELATED_SHOWN", 1)
    client = app.test_client()
    sign_in(client, "office_a")
    page = client.get(f"/flags/{spread.id}").get_data(as_text=True)
    assert 'and 1 more open flag · <a href="/flags?unit=A">every flag of A</a>' in page


def test_flag_page_in_chinese(client, world, session):
    people, ids = world
    people["office_a"].locale = "zh_CN"
    session.commit()
    sign_in(client, "office_a")
    page = client.get(f"/flags/{ids['a_det']}").get_data(as_text=True)
    assert "新发现" in page and "<svg" in page and "得分下降" in page
    assert "自 2026-02 起" in page  # the sentence, translated with its values
