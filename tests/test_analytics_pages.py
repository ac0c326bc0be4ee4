"""Analytics pages over HTTP: scope, unit codes, heatmap cell links, suppression, language."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from dudao.definitions.queries import current_version, pinned
from tests import analytics_world as w
from tests.analytics_world import RANGE
from tests.conftest import sign_in

PAGES = ("", "/scores", "/heatmap", "/satisfaction", "/rectifications", "/completion")


def _sign_in(client, username: str) -> None:
    """Sign in and read the pages in English (the tests compare English wording)."""
    sign_in(client, username)
    client.post("/lang", data={"lang": "en"})


def _listed(client, url: str) -> set[int]:
    page = client.get(unescape(url)).get_data(as_text=True)
    return {int(i) for i in re.findall(r'href="/inspections/(\d+)"', page)}


def test_every_page_opens_for_the_office(client, session, org, user_factory):
    w.results(session, org)
    user_factory("office_g", ("office", org.group))
    _sign_in(client, "office_g")
    for page in PAGES:
        response = client.get(f"/analytics{page}?{RANGE}")
        assert response.status_code == 200, page
        assert 'data-unit="G"' in response.get_data(as_text=True)
    scores = client.get(f"/analytics/scores?{RANGE}").get_data(as_text=True)
    # Drawn on the server: no script of the chart's own (site.js serves every page, and
    # unitpicker.js the unit filter).
    assert "<svg" in scores and 'data-table="scores"' in scores
    assert scores.count("<script") == 2 and "site.js" in scores and "unitpicker.js" in scores
    assert "<title>Scores over periods ·" in scores and "<h1>Scores over periods</h1>" in scores


def _heat_row(page: str, code: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """A heatmap row's results link, the links heatmap.js makes of its failed cells (that URL
    with failed=<the column's item> in place of counted=1) and each cell's number as sent."""
    items = re.findall(r'<th scope="col" class="item"[^>]*data-item="([^"]+)"', page)
    row = page.split(f'data-row="{code}"')[1].split("</tr>")[0]
    results = unescape(re.search(r'href="([^"]*counted=1)"', row).group(1))
    cells = re.findall(r"<td( [^>]*)?>([^<]*)</td>", row.split('class="num"')[1])
    assert len(cells) == len(items)
    failed = [
        key for key, (attributes, _v) in zip(items, cells, strict=True) if "data-n" in attributes
    ]
    links = {key: results.replace("counted=1", f"failed={key}") for key in failed}
    return results, links, {key: value for key, (_a, value) in zip(items, cells, strict=True)}


def test_heatmap_cell_links_list_exactly_the_inspections_behind_them(
    client, session, org, user_factory
):
    ids = w.results(session, org)
    user_factory("office_a", ("office", org.company_a))
    _sign_in(client, "office_a")
    page = client.get(f"/analytics/heatmap?unit=A1&{RANGE}").get_data(as_text=True)
    results, links, values = _heat_row(page, "A1-1")
    assert set(links) == {"plan", "leadership"}
    assert _listed(client, links["plan"]) == {ids["jan"], ids["mar"]}
    assert _listed(client, links["leadership"]) == {ids["mar"]}
    assert _listed(client, results) == {ids["jan"], ids["feb"], ids["mar"]}
    notice = client.get(unescape(links["plan"])).get_data(as_text=True)
    notice = notice.split("data-result-filters")[1].split("</ul>")[0]
    key = re.search(r"definition=([\w-]+)", unescape(links["plan"])).group(1)
    version = current_version(session, key)
    spec = pinned(session, version.id)
    title, label = spec.title.get("en"), spec.item("plan").label.get("en")
    assert f"Checklist: {title}<" in notice and f"failed item: {label}<" in notice, notice
    # every number is in the page, without script: 2 of 3 failed the plan item, 66.7 % as 67
    assert values == {key: "0" for key in values} | {"plan": "67", "leadership": "33"}
    assert 'data-n="2">67<' in page.split('data-row="A1-1"')[1]
    assert _heat_row(page, "A1-2")[2] == {key: "0" for key in values}


def test_company_a_never_sees_company_b(client, session, org, user_factory):
    ids = w.results(session, org)
    user_factory("office_a", ("office", org.company_a))
    _sign_in(client, "office_a")
    for page in PAGES:
        body = client.get(f"/analytics{page}?unit=B&{RANGE}").get_data(as_text=True)
        assert "No unit with the code B in the part you supervise." in body, page
        assert "B1-1" not in body and 'data-unit="B"' not in body
        unknown = client.get(f"/analytics{page}?unit=NOPE&{RANGE}").get_data(as_text=True)
        assert "No unit with the code NOPE" in unknown
        default = client.get(f"/analytics{page}?{RANGE}").get_data(as_text=True)
        assert 'data-unit="A"' in default and "B1-1" not in default
    group = client.get(f"/analytics/heatmap?unit=G&{RANGE}").get_data(as_text=True)
    assert "No unit with the code G" in group
    assert _listed(client, "/inspections?failed=plan") == {ids["jan"], ids["mar"]}
    assert ids["b"] not in _listed(client, "/inspections?unit=B1-1&failed=plan")


def test_bad_months_are_named_and_the_default_range_is_used(client, session, org, user_factory):
    user_factory("office_a", ("office", org.company_a))
    _sign_in(client, "office_a")
    body = client.get("/analytics/scores?from=2026-13&to=soon").get_data(as_text=True)
    assert "From: give a month as YYYY-MM." in body and "Until: give a month as YYYY-MM." in body
    body = client.get("/analytics/scores?from=2026-05&to=2026-01").get_data(as_text=True)
    assert "Until must not be before From" in body
    # Months the calendar cannot hold (year 0; a range ending after year 9999) are named too.
    for page in PAGES:
        response = client.get(f"/analytics{page}?from=0000-01&to=9999-12")
        assert response.status_code == 200, page
        body = response.get_data(as_text=True)
        assert "From: give a month as YYYY-MM." in body and "Until: give" in body, page
    # A baseline outside 2-60 is named as the months are, and kept in its field.
    for value in ("-3", "abc", "61"):
        body = client.get(f"/analytics/scores?baseline={value}").get_data(as_text=True)
        assert f"Baseline periods: “{value}” is not a whole number from 2 to 60" in body
        assert f'name="baseline" min="2" max="60" value="{value}"' in body
    body = client.get("/analytics/scores?baseline=4").get_data(as_text=True)
    assert "Baseline periods:" not in body and 'value="4"' in body


def test_satisfaction_shows_suppressed_groups_with_the_reason(client, session, org, user_factory):
    """A1-1: 6 answers all 5 and 10 (index 100), A1-2: 3 answers all 3 and 5 (index 50).
    A1-2 is under the threshold (5); A1-1 is hidden too, or A1 minus A1-1 would give A1-2
    away. A1 shows (6 · 100 + 3 · 50) / 9 = 83.3."""
    campaign = w.campaign(session, org, "Q4", {org.branch_a1: (6, 5), org.branch_a2: (3, 3)})
    user_factory("office_a", ("office", org.company_a))
    _sign_in(client, "office_a")
    today = date.today().strftime("%Y-%m")

    def row(unit: str) -> str:
        page = client.get(f"/analytics/satisfaction?unit={unit}&to={today}").get_data(as_text=True)
        return page.split(f'data-campaign="{campaign.id}"')[1].split("</tr>")[0]

    shown = row("A1")
    assert "83.3" in shown and "data-suppressed" not in shown
    small, complementary = row("A1-2"), row("A1-1")
    assert "Suppressed" in small and "Fewer than 5 answers" in small and "50" not in small
    assert "Suppressed" in complementary and "subtraction" in complementary
    assert "100" not in complementary
    assert "6" not in complementary.split("</th>")[1].split("<td")[2]


def test_satisfaction_of_an_open_campaign_has_no_score(client, session, org, user_factory):
    w.campaign(session, org, "open", {org.branch_a1: (8, 5)}, final=False)
    user_factory("office_a", ("office", org.company_a))
    _sign_in(client, "office_a")
    page = client.get(f"/analytics/satisfaction?unit=A1-1&to={date.today():%Y-%m}")
    body = page.get_data(as_text=True)
    assert "Still collecting answers" in body and "100.0" not in body


def test_pages_in_chinese(client, session, org, user_factory):
    w.results(session, org)
    user = user_factory("office_a", ("office", org.company_a))
    user.locale = "zh_CN"
    session.commit()
    sign_in(client, "office_a")
    assert "趋势分析" in client.get("/").get_data(as_text=True)
    heat = client.get(f"/analytics/heatmap?unit=A1&{RANGE}").get_data(as_text=True)
    assert "问题热力图" in heat and "No unit" not in heat
    w.campaign(session, org, "Q4", {org.branch_a1: (6, 5), org.branch_a2: (3, 3)})
    for page in PAGES:  # every page renders its Chinese strings (placeholders, per cent signs)
        assert client.get(f"/analytics{page}?unit=A1&to={date.today():%Y-%m}").status_code == 200
    bad = client.get("/analytics/scores?unit=B").get_data(as_text=True)
    assert "您督导的范围内没有编码为 “B” 的单位" in bad
    rates = client.get(f"/analytics/rectifications?unit=A1&{RANGE}").get_data(as_text=True)
    assert "<h1>按期整改率（期限内验收通过）</h1>" in rates and "考评中的按期提交率" in rates


def test_the_trail_names_units_in_the_readers_language(client, session, org, user_factory):
    """English names where the units have them (the trail read 华辰控股集团有限公司 ›
    华辰能源有限公司 on an English page), the Chinese name otherwise."""
    org.group.name_en, org.unit_a1.name_en = "Example Group", "First plant of A"
    user_factory("office_g", ("office", org.group))
    session.commit()
    _sign_in(client, "office_g")
    trail = client.get("/analytics/scores?unit=A").get_data(as_text=True).split('class="trail"')[1]
    trail = trail.split("</nav>")[0]
    assert ">Example Group</a>" in trail and ">First plant of A</a>" in trail
    assert "A 甲公司</strong>" in trail  # no English name: the Chinese one
    client.post("/lang", data={"lang": "zh_CN"})
    trail = client.get("/analytics/scores?unit=A").get_data(as_text=True).split('class="trail"')[1]
    assert ">甲一厂</a>" in trail.split("</nav>")[0]


def test_satisfaction_computes_no_question_figures(client, session, org, user_factory, monkeypatch):
    """The page shows one group's satisfaction index per campaign: the per-question figures
    of every group of the campaign, most of an aggregation's work, are not computed."""
    from dudao.surveys import aggregate as module

    campaign = w.campaign(session, org, "Q4", {org.branch_a1: (6, 5), org.branch_a2: (6, 3)})
    user_factory("office_a", ("office", org.company_a))
    _sign_in(client, "office_a")

    def refuse(*_args):
        raise AssertionError("per-question figures computed")

    monkeypatch.setattr(module, "_item_stat", refuse)
    page = client.get(f"/analytics/satisfaction?unit=A1&to={date.today():%Y-%m}")
    assert page.status_code == 200
    row = page.get_data(as_text=True).split(f'data-campaign="{campaign.id}"')[1]
    assert "75.0" in row.split("</tr>")[0]  # (6 · 100 + 6 · 50) / 12
