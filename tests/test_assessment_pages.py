"""The ranking page and a unit's explanation over HTTP: figures, highlights, scope, languages."""

from __future__ import annotations

import re

import pytest

from dudao.inspections.models import Inspection
from tests.assessment_world import configured, first_quarter, inspection  # noqa: F401
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("configured")  # the bands 90/80/70/0 of CONFIG


def text(response) -> str:
    """The page's visible text, whitespace collapsed."""
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html[html.find("<main") :]).split())


@pytest.fixture
def history(session, org):
    """2025Q1 as computed in assessment_world.first_quarter; in Q2 A1-1 moves up (average to
    advanced) and B1-1 down (average to lagging)."""
    first_quarter(session, org)
    for day in ("2025-04-10", "2025-05-10"):
        inspection(session, org.branch_a1, day, 91)
        inspection(session, org.branch_b1, day, 60)
    session.commit()
    return org


def test_ranking_page_ranks_and_highlights_moves(client, history, user_factory) -> None:
    user_factory("office", ("office", history.group))
    sign_in(client, "office")
    client.post("/lang", data={"lang": "en", "next": "/"})
    page = client.get("/assessment?period=2025Q2")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'<tr data-unit="A1-1" class="move-up">', html)
    assert re.search(r'<tr data-unit="B1-1" class="move-down">', html)
    assert 'data-moves="up">1<' in html and 'data-moves="down">1<' in html
    assert 'data-tier-count="advanced">1<' in html and 'data-tier-count="lagging">1<' in html
    assert 'data-unassessed="A1-2"' not in html  # no data at all in Q2: not listed
    shown = text(page)
    assert "1 A1-1" in shown and "91.0" in shown and "Tier 1" in shown and "↑ Moved up" in shown
    only_up = client.get("/assessment?period=2025Q2&move=up").get_data(as_text=True)
    assert 'data-unit="A1-1"' in only_up and 'data-unit="B1-1"' not in only_up
    first_page = client.get("/assessment?period=2025Q1")
    first = first_page.get_data(as_text=True)
    assert first.index('data-unit="A1-2"') < first.index('data-unit="B1-1"')
    assert first.index('data-unit="B1-1"') < first.index('data-unit="A1-1"')
    assert "Ranks among the 3 ranked units you can see." in text(first_page)
    narrowed = client.get("/assessment?period=2025Q1&unit=B").get_data(as_text=True)
    assert 'data-unit="B1-1"' in narrowed and 'data-unit="A1-1"' not in narrowed


def test_a_narrowed_ranking_says_so_and_its_links_keep_the_rank(
    client, history, user_factory
) -> None:
    """A1-1 is 2nd of company A's two ranked branches in 2025Q1 and 3rd of all three: the
    ranking narrowed to A says among what it ranks, and its link opens A1-1's page with the
    same rank (it opened on the rank among all units the viewer can see)."""
    user_factory("office", ("office", history.group))
    sign_in(client, "office")
    client.post("/lang", data={"lang": "en", "next": "/"})
    narrowed = client.get("/assessment?period=2025Q1&unit=A")
    assert "Ranks among the 2 ranked units in A" in text(narrowed)
    html = narrowed.get_data(as_text=True)
    row = re.search(r'<tr data-unit="A1-1".*?</tr>', html, re.S).group(0)
    assert ">2</td>" in row
    link = re.search(r'href="(/assessment/units/[^"]+)"', row).group(1).replace("&amp;", "&")
    assert "unit=A" in link and "period=2025Q1" in link
    page = client.get(link)
    assert "2 of 2 ranked units in A" in text(page) and "3 of 3 ranked units you can see" in text(
        page
    )
    assert 'href="/assessment?period=2025Q1&amp;unit=A"' in page.get_data(as_text=True)


def test_filter_values_it_does_not_know_are_named_beside_their_fields(
    client, history, user_factory
) -> None:
    """A period with no assessment (1999Q1, 2026Q9) was replaced by the default in silence."""
    user_factory("office", ("office", history.group))
    sign_in(client, "office")
    client.post("/lang", data={"lang": "en", "next": "/"})
    for url in (
        "/assessment?period=1999Q1",
        f"/assessment/units/{history.branch_a1.id}?period=2026Q9",
    ):
        html = client.get(url).get_data(as_text=True)
        value = url.rsplit("=", 1)[1]
        assert re.search(
            rf'<select name="period" aria-invalid="true"[^>]*>.*?</select><span class="field-error"'
            rf"[^>]*>No assessment for “{value}”: pick a period from the list.</span>",
            html,
            re.S,
        ), url
    assert 'aria-invalid="true"' not in client.get("/assessment?period=2025Q1").get_data(
        as_text=True
    )
    # A unit it does not know is named beside its field; the period options stay (they were
    # emptied) and the ranking of the whole scope is shown, said to be not narrowed.
    unknown = client.get("/assessment?period=2025Q1&unit=NOPE")
    html = unknown.get_data(as_text=True)
    assert re.search(
        r'name="unit" value="NOPE"[^>]*aria-invalid="true"[^>]*><span class="field-error"[^>]*>'
        r"No unit in the part you can see has a code or name with “NOPE”.</span>",
        html,
    )
    assert '<option value="2025Q1" selected>' in html and 'data-unit="B1-1"' in html
    assert "Not filtered by the values named above." in text(unknown)
    # Part of a name that only one unit holds (the field's suggestions offer names) narrows
    # to it; a part several hold asks for one of the suggestions.
    by_name = client.get("/assessment?period=2025Q1&unit=乙一厂第一").get_data(as_text=True)
    assert 'name="unit" value="B1-1"' in by_name and 'data-unit="A1-1"' not in by_name
    assert 'data-unit="B1-1"' in by_name and "field-error" not in by_name
    several = client.get("/assessment?period=2025Q1&unit=第一党支部").get_data(as_text=True)
    assert "“第一党支部” is part of several units&#39; codes or names; pick one from" in several


def test_unit_page_explains_the_score(client, history, session, user_factory) -> None:
    user_factory("office", ("office", history.group))
    sign_in(client, "office")
    client.post("/lang", data={"lang": "en", "next": "/"})
    a1 = history.branch_a1
    page = client.get(f"/assessment/units/{a1.id}?period=2025Q1")
    html, shown = page.get_data(as_text=True), text(page)
    assert page.status_code == 200
    assert "71.0" in shown and "3 of 3 ranked units" in shown
    parts = re.findall(r'<tr data-part="(\w+)">(.*?)</tr>', html, re.S)
    rows = {key: " ".join(re.sub(r"<[^>]+>", " ", row).split()) for key, row in parts}
    assert rows["inspection"].startswith("Inspection score 85.0 60 60.0% 51.00 2 counted")
    submitted = "On-time submission rate (submitted for verification by the deadline)"
    assert rows["rectification"].startswith(f"{submitted} 25.0 20 20.0% 5.00 1 of 4")
    assert rows["satisfaction"].startswith("Satisfaction 75.0 20 20.0% 15.00 10 answers")
    assert "Composite = (60 × 85.00 + 20 × 25.00 + 20 × 75.00) / 100 = 71.0" in shown
    # Its two inspections of the quarter, the first made (PostgreSQL returns rows in no
    # particular order: an updated row moves).
    ids = [i.id for i in session.query(Inspection).filter_by(unit_id=a1.id).order_by(Inspection.id)]
    for inspection_id in ids[:2]:
        assert f'href="/inspections/{inspection_id}"' in html
    assert html.count('data-outcome="late"') == 3 and html.count('data-outcome="on_time"') == 1
    assert 'class="current-band" data-band="average"' in html
    chart = re.search(r"<figure[^>]*data-chart.*?</figure>", html, re.S).group(0)
    assert "<svg" in chart and ">2025</text>" in chart and ">Q1</text>" in chart
    assert "2025Q1" not in chart  # the key, unlike every other period on the page
    later = client.get(f"/assessment/units/{a1.id}?period=2025Q2")
    band = re.search(r'data-band="advanced">(.*?)</tr>', later.get_data(as_text=True), re.S)
    assert "This period" in band.group(1)
    assert "Previous period (2025 Q1)" in text(later) and "↑ Moved up" in text(later)
    b1 = client.get(f"/assessment/units/{history.branch_b1.id}?period=2025Q1")
    assert "Withheld: fewer answers than the anonymity threshold" in text(b1)
    assert "1 of 1 task due in the period submitted by its deadline" in text(b1)
    assert "Composite = (60 × 72.00 + 20 × 100.00) / 80 = 79.0" in text(b1)


def test_pages_in_chinese(client, history, user_factory) -> None:
    user_factory("office", ("office", history.group))
    sign_in(client, "office")
    ranking = text(client.get("/assessment?period=2025Q2"))
    assert "考评与晋档升级 · 2025年第二季度" in ranking and "晋档" in ranking and "一档" in ranking
    unit = text(client.get(f"/assessment/units/{history.branch_a1.id}?period=2025Q1"))
    assert "综合得分的构成" in unit and "检查得分" in unit
    assert (
        "按期提交率（期限内提交整改验收）" in unit and "期限内验收" in unit
    )  # not the analytics rate
    assert "在您可查看的 3 个参评单位中排第 3 名" in unit
    html = client.get(f"/assessment/units/{history.branch_a1.id}").get_data(as_text=True)
    chart = re.search(r"<figure[^>]*data-chart.*?</figure>", html, re.S).group(0)
    assert ">2025年</text>" in chart and ">一季度</text>" in chart and "2025Q1" not in chart


def test_scope(client, history, user_factory) -> None:
    user_factory("lead", ("unit_lead", history.unit_a1))
    user_factory("insp", ("inspector", history.group))
    sign_in(client, "lead")
    page = client.get("/assessment?period=2025Q1").get_data(as_text=True)
    assert 'data-unit="A1-1"' in page and 'data-unit="B1-1"' not in page
    assert client.get(f"/assessment/units/{history.branch_a1.id}").status_code == 200
    assert client.get(f"/assessment/units/{history.branch_b1.id}").status_code == 404
    outside = client.get("/assessment?period=2025Q1&unit=B").get_data(as_text=True)
    assert 'data-unit="B1-1"' not in outside
    client.post("/logout")
    sign_in(client, "insp")
    assert client.get("/assessment").status_code == 403
    assert client.get(f"/assessment/units/{history.branch_a1.id}").status_code == 403


def test_a_level_that_is_not_assessed_says_so(client, history, user_factory) -> None:
    user_factory("office", ("office", history.group))
    sign_in(client, "office")
    client.post("/lang", data={"lang": "en", "next": "/"})
    page = client.get(f"/assessment/units/{history.unit_a1.id}")
    assert page.status_code == 200 and "Units of this level are not assessed" in text(page)
    # No empty bands or history for a unit that has none; a way to the units that have.
    html = page.get_data(as_text=True)
    assert "data-history" not in html and "Tier bands" not in text(page)
    link = re.search(r'href="([^"]+)" data-ranking-below', html)
    assert link and f"unit={history.unit_a1.code}" in link.group(1)
    ranking = client.get(link.group(1).replace("&amp;", "&"))
    assert ranking.status_code == 200 and history.branch_a1.code in text(ranking)
    assert history.branch_b1.code not in text(ranking)  # another unit's branch


def test_a_unit_below_the_minimum_says_so_in_words(client, session, org, user_factory) -> None:
    """One counted inspection, one ranked unit: English counts in the singular."""
    inspection(session, org.branch_a1, "2025-04-10", 91)
    inspection(session, org.branch_a1, "2025-05-10", 93)
    inspection(session, org.branch_a2, "2025-04-11", 90)
    session.commit()
    user_factory("office", ("office", org.group))
    sign_in(client, "office")
    client.post("/lang", data={"lang": "en", "next": "/"})
    a1 = text(client.get(f"/assessment/units/{org.branch_a1.id}?period=2025Q2"))
    assert "1 of 1 ranked unit you can see" in a1
    a2 = text(client.get(f"/assessment/units/{org.branch_a2.id}?period=2025Q2"))
    assert "Not assessed: 1 counted inspection, at least 2 needed." in a2
