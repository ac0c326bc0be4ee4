"""Every output path of campaign results — page, CSV, XLSX, JSON, the Reports page's export,
the campaign report PDF —
read as an attacker would, on random trees: no hidden group shows a number anywhere, and
nothing under the threshold comes out of subtracting siblings from their parent, with or
without a filter."""

from __future__ import annotations

import csv
import io
import random
import re
import uuid

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from dudao.core.enums import UnitLevel
from dudao.org.services import create_unit
from dudao.reports.campaign_data import load_campaign_report
from dudao.reports.campaign_pdf import render_campaign_pdf
from dudao.surveys.models import Response
from tests import survey_world
from tests.survey_world import GOOD

SAT = {k: int(v) if v.isdigit() else v for k, v in GOOD.items()}
SIZES = (0, 0, 1, 2, 3, 4, 5, 6, 8, 12)
FILTERS = [("identity", "member"), ("identity", "public"), ("years_known", "over_3")]


def _tree(session, org):
    """A: A1 (A1-1, A1-2, A1-3) and A2 (A2-1, A2-2); answers can also come from A1 and A2."""
    a1_3 = create_unit(session, None, "A1-3", "甲一厂第三党支部", UnitLevel.BRANCH, org.unit_a1)
    a2 = create_unit(session, None, "A2", "甲二厂", UnitLevel.UNIT, org.company_a)
    a2_1 = create_unit(session, None, "A2-1", "甲二厂第一党支部", UnitLevel.BRANCH, a2)
    a2_2 = create_unit(session, None, "A2-2", "甲二厂第二党支部", UnitLevel.BRANCH, a2)
    parent = {"A1-1": "A1", "A1-2": "A1", "A1-3": "A1", "A2-1": "A2", "A2-2": "A2",
              "A1": "A", "A2": "A"}  # fmt: skip
    units = [org.unit_a1, org.branch_a1, org.branch_a2, a1_3, a2, a2_1, a2_2]
    return units, parent


def _answer(session, campaign, units, chance):
    direct = {}
    for unit in units:
        count = chance.choice(SIZES if unit.level == UnitLevel.BRANCH else (0, 0, 0, 2))
        direct[unit.code] = count
        # A unit's answers share their background, so some filters cut cleanly and are allowed.
        background = {"identity": chance.choice(["member", "public"]),
                      "years_known": chance.choice(["under_1", "over_3"])}  # fmt: skip
        for _ in range(count):
            answers = {**SAT, **background, "comment": f"意见{uuid.uuid4().hex[:6]}"}
            session.add(Response(id=str(uuid.uuid4()), campaign_id=campaign.id, unit_id=unit.id,
                                 period_label="2026-Q4", answers=answers))  # fmt: skip
    session.commit()
    return direct


def _attacker_checks(groups: dict, parent: dict, k: int) -> None:
    """What the shown figures allow: every shown parent minus its shown children is 0 or at
    least k, and a hidden group's children are hidden too."""
    for code, group in groups.items():
        if group["hidden"] is not None:
            assert set(group) == {"unit_code", "unit", "depth", "hidden"}
            for child, up in parent.items():
                if up == code:
                    assert groups[child]["hidden"] is not None
            continue
        shown_children = [groups[c]["responses"] for c, up in parent.items()
                          if up == code and groups[c]["hidden"] is None]  # fmt: skip
        rest = group["responses"] - sum(shown_children)
        assert rest == 0 or rest >= k, (code, group["responses"], shown_children)


def _folded_within(groups: dict, parent: dict) -> set[str]:
    """The units under a hidden unit every unit below which is hidden "within" (because a
    unit above is): the report folds them into that unit's row."""

    def below(top: str) -> list[str]:
        return [c for c in groups if c != top and _ancestor(top, c, parent)]

    tops = [
        c
        for c, g in groups.items()
        if g["hidden"] and below(c) and all(groups[d]["hidden"] == "within" for d in below(c))
    ]
    return {d for top in tops for d in below(top)}


def _ancestor(top: str, code: str, parent: dict) -> bool:
    while code in parent:
        code = parent[code]
        if code == top:
            return True
    return False


def _pdf_rows(pdf: bytes, names: set[str]) -> dict[str, list[str]]:
    """The units table's cells by unit code, up to the chart (whose labels are unit names)."""
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    table = text.split("二、各单位回收率与满意度", 1)[1]
    rows: dict[str, list[str]] = {}
    current = None
    for line in table.splitlines():
        match = re.search(r"（([A-Z0-9-]+)）$", line)
        if match:
            current = match.group(1)
            rows[current] = []
        elif current is not None:
            if line in names or line.startswith(("满意度指数（0–100）", "三、", "督导 Dudao")):
                break
            rows[current].append(line.strip())
    return rows


@pytest.mark.parametrize("seed", range(10))
def test_no_output_path_shows_or_lets_anyone_derive_a_small_group(
    app, session, org, signed_in, seed
):
    units, parent = _tree(session, org)
    campaign = survey_world.close(session, survey_world.campaign_for(session, org.company_a))
    chance = random.Random(seed)
    _answer(session, campaign, units, chance)
    k = campaign.min_group
    client = signed_in("office_a", ("office", org.company_a))
    base = f"/surveys/{campaign.id}/results"
    data = client.get(base + ".json").get_json()
    groups = {g["unit_code"]: g for g in data["groups"]}
    _attacker_checks(groups, parent, k)
    hidden = {c for c, g in groups.items() if g["hidden"]}
    # CSV and XLSX: a hidden row has its name and why, every figure blank.
    text = client.get(base + ".csv").get_data(as_text=True).lstrip("\ufeff")
    table = list(csv.reader(io.StringIO(text)))
    for row in table[1:]:
        assert (row[0] in hidden) == (row[3] != "显示")
        if row[0] in hidden:
            assert all(cell == "" for cell in row[4:])
        else:
            assert row[4] == str(groups[row[0]]["responses"])
    sheet = load_workbook(io.BytesIO(client.get(base + ".xlsx").data)).active
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row[0] in hidden:
            assert all(cell in ("", None) for cell in row[4:])
    # The page: a hidden row is one cell of explanation; no section of details.
    page = client.get(base).get_data(as_text=True)
    folded = _folded_within(groups, parent)
    for code in hidden - folded:
        row_of_code = rf"<tr class=\"depth-\d\">\s*<td[^>]*><span[^>]*></span>{code} .*?</tr>"
        (row,) = re.findall(row_of_code, page, re.S)
        assert "hidden-group" in row and not re.search(r">\s*\d", row.split("</td>", 1)[1])
        assert f"<h2>{code} " not in page
    for code in folded:  # said in the row of the hidden unit above it
        assert f"</span>{code} " not in page
    # The Reports page's export of questionnaire results, CSV and XLSX.
    export = client.get("/reports/export/survey_results?format=csv").get_data(as_text=True)
    rows_by_code = {r[3]: r for r in list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))[1:]}
    assert set(rows_by_code) == set(groups)
    for code, row in rows_by_code.items():
        assert (row[5] != "显示") == (code in hidden)  # "答卷过少，不单独显示", ...
        if code in hidden:
            assert all(cell == "" for cell in row[6:])
        else:
            assert row[6] == str(groups[code]["responses"])
    book = load_workbook(io.BytesIO(client.get("/reports/export/all?format=xlsx").data))
    for row in book["survey_results"].iter_rows(min_row=2, values_only=True):
        if row[3] in hidden:
            assert all(cell in ("", None) for cell in row[6:])
    # The campaign report PDF: the same groups hidden, each with its reason and no figure.
    settings = app.extensions["dudao"].settings
    pdf = render_campaign_pdf(load_campaign_report(session, campaign.id), tz=settings.tz)
    rows = _pdf_rows(pdf, {g["unit"] for g in groups.values()})
    # A unit without answers stands for the units below it, which have no row of their own;
    # so does a hidden unit for those below it that are hidden only because it is.
    quiet = {c for c in groups if groups.get(parent.get(c), {}).get("responses") == 0}
    assert set(rows) == set(groups) - quiet - _folded_within(groups, parent)
    for code, cells in rows.items():
        if code in hidden:
            words = "".join(cells)  # one cell of words, which may wrap
            below = re.findall(r"下属 (\d+) 个单位也不显示", words)
            assert re.findall(r"\d+", words) in (below, [str(k), *below]), words
        elif groups[code]["responses"]:
            assert cells[0] == str(groups[code]["responses"])
        else:
            assert len(cells) == 1 and "无答卷" in cells[0], cells
    # Filters: refused everywhere, or every cut (filtered, and total minus filtered) in every
    # shown group is 0 or at least k, and the filtered figures obey the same subtraction rule.
    for item, value in FILTERS:
        query = f"?item={item}&value={value}"
        filtered = client.get(f"{base}.json{query}")
        if filtered.status_code == 422:
            for fmt in ("csv", "xlsx"):
                assert client.get(f"{base}.{fmt}{query}").status_code == 422
            assert client.get(base + query).status_code == 422
            continue
        cut = {g["unit_code"]: g for g in filtered.get_json()["groups"]}
        assert {c for c, g in cut.items() if g["hidden"]} == hidden
        _attacker_checks(cut, parent, k)
        for code, group in cut.items():
            if group["hidden"] is None:
                for part in (group["responses"], groups[code]["responses"] - group["responses"]):
                    assert part == 0 or part >= k, (item, value, code)
                assert group.get("comments") is None and group["invited"] is None


def test_the_reports_export_is_scoped_and_neutralised(app, session, org, signed_in):
    campaign = survey_world.close(
        session, survey_world.campaign_for(session, org.company_a, title="=HYPERLINK(1)")
    )
    survey_world.close(session, survey_world.campaign_for(session, org.company_b, title="乙"))
    client = signed_in("office_a", ("office", org.company_a))
    body = client.get("/reports/export/survey_results?format=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]
    assert {r[0] for r in rows} == {str(campaign.id)} and rows[0][1] == "'=HYPERLINK(1)"
    narrowed = client.get("/reports/export/survey_results?format=csv&unit=A1-1")
    assert [r[3] for r in csv.reader(io.StringIO(narrowed.get_data(as_text=True)))][1:] == ["A1-1"]
    later = client.get("/reports/export/survey_results?format=csv&quarter=2025Q1")
    assert len(list(csv.reader(io.StringIO(later.get_data(as_text=True))))) == 1
