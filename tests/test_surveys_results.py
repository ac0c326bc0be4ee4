"""A campaign's results on the office's pages, in every format (HTML, CSV, XLSX, JSON): hidden
groups hidden alike, formula cells neutralised, a differencing filter refused, one aggregation."""

from __future__ import annotations

import csv
import io
import re

from markupsafe import escape
from openpyxl import load_workbook

from tests import survey_world


def test_every_output_path_hides_the_same_groups(signed_in, session, org):
    campaign = survey_world.close(session, survey_world.campaign_for(session, org.company_a))
    survey_world.answered(session, campaign, org.branch_a1, 12, identity="member")
    survey_world.answered(session, campaign, org.branch_a2, 3, identity="member")
    client = signed_in("office_a", ("office", org.company_a))
    base = f"/surveys/{campaign.id}/results"
    html_page = client.get(base).get_data(as_text=True)
    assert f"<h1>结果：{campaign.title} <span" in html_page
    assert (
        "<p>下载：" in html_page
        and '<option value="member">您的身份：中共党员</option>' in html_page
    )
    # A hidden group's comments are only pooled in the list of the unit above, unattributed.
    assert "<h2>A1-2 " not in html_page and "<h2>A1-1 " not in html_page
    pooled = html_page.split("<h2>A1 ")[1].split("</section>")[0]
    assert sorted(re.findall(r"<li>(A1-\d comment \d+)</li>", pooled)) == sorted(
        [f"A1-1 comment {n}" for n in range(12)] + [f"A1-2 comment {n}" for n in range(3)]
    )
    assert html_page.count("A1-2 comment 0") == 2  # in A1's list and in company A's
    # The distribution reads as the questionnaire does, not as the stored option keys.
    assert "中共党员: 15 · 群众: 0" in pooled and "member:" not in html_page
    hidden_rows = re.findall(r'<tr class="depth-\d">\s*<td[^>]*>.*?</tr>', html_page, re.S)
    for code in ("A1-1", "A1-2"):
        (row,) = [r for r in hidden_rows if f"{code} " in r]
        assert "hidden-group" in row and "12" not in row and "3" not in row.split("</td>", 1)[1]
    assert "<h2>A1-1 " not in html_page and "<h2>A1 " in html_page
    data = client.get(base + ".json").get_json()
    groups = {g["unit_code"]: g for g in data["groups"]}
    assert set(groups["A1-1"]) == set(groups["A1-2"]) == {"unit_code", "unit", "depth", "hidden"}
    assert groups["A1"]["responses"] == 15
    text = client.get(base + ".csv").get_data(as_text=True).lstrip("\ufeff")
    table = list(csv.reader(io.StringIO(text)))
    header, rows = table[0], {r[0]: r for r in table[1:]}
    for code in ("A1-1", "A1-2"):
        assert all(cell == "" for cell in rows[code][4:]) and rows[code][3] != "显示"
    assert rows["A1"][header.index("答卷数")] == "15"
    book = load_workbook(io.BytesIO(client.get(base + ".xlsx").data))
    sheet_rows = {r[0]: r for r in book.active.iter_rows(min_row=2, values_only=True)}
    assert all(cell in ("", None) for cell in sheet_rows["A1-2"][4:])
    assert sheet_rows["A1"][4] == 15


def test_results_spreadsheets_neutralise_formula_cells(signed_in, session, org):
    org.branch_a1.name = '=HYPERLINK("http://x")'
    campaign = survey_world.close(session, survey_world.campaign_for(session, org.company_a))
    survey_world.answered(session, campaign, org.branch_a1, 12, identity="member")
    client = signed_in("office_a", ("office", org.company_a))
    base = f"/surveys/{campaign.id}/results"
    table = list(csv.reader(io.StringIO(client.get(base + ".csv").get_data(as_text=True))))
    names = {r[0]: r[1] for r in table[1:]}
    book = load_workbook(io.BytesIO(client.get(base + ".xlsx").data))
    cells = {r[0]: r[1] for r in book.active.iter_rows(min_row=2, values_only=True)}
    assert names["A1-1"] == cells["A1-1"] == '\'=HYPERLINK("http://x")'


def test_a_differencing_filter_is_refused_in_every_output_path(signed_in, session, org):
    campaign = survey_world.close(session, survey_world.campaign_for(session, org.company_a))
    survey_world.answered(session, campaign, org.branch_a1, 9, identity="member")
    survey_world.answered(session, campaign, org.branch_a1, 3, identity="public")
    survey_world.answered(session, campaign, org.branch_a2, 10, identity="member")
    client = signed_in("office_a", ("office", org.company_a))
    base = f"/surveys/{campaign.id}/results"
    query = "?item=identity&value=member"
    page = client.get(base + query)
    assert page.status_code == 422
    assert '<p class="error" role="alert">不能使用此筛选' in page.get_data(as_text=True)
    for fmt in ("csv", "xlsx", "json"):
        response = client.get(f"{base}.{fmt}{query}")
        assert response.status_code == 422 and response.get_json()["error"] == "filter_refused"
        assert response.get_json()["message"].startswith("不能使用此筛选")
    assert client.get(base + "?item=years_known&value=over_3").status_code == 200


def test_a_filter_refused_for_another_reason_says_that_reason(signed_in, session, org):
    """Not every refusal is about small groups: the page and the JSON say which it is."""
    campaign = survey_world.close(session, survey_world.campaign_for(session, org.company_a))
    survey_world.answered(session, campaign, org.branch_a1, 12, identity="member")
    client = signed_in("office_a", ("office", org.company_a))
    base = f"/surveys/{campaign.id}/results"
    client.post("/lang", data={"lang": "en", "next": "/"})
    for query, reason in (
        ("?item=sat_leadership&value=5", "You can only filter by a single-choice or yes/no"),
        ("?item=identity&value=nobody", "Choose one of the question's answers to filter by."),
    ):
        page = client.get(base + query)
        assert page.status_code == 422 and escape(reason) in page.get_data(as_text=True)
        assert "fewer than" not in page.get_data(as_text=True)
        assert client.get(base + ".json" + query).get_json()["message"].startswith(reason)
