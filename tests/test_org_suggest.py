"""The units a type-ahead suggests (`/units/suggest`, org/suggest_views.py): matched by
code, Chinese or English name, ranked, capped, and never beyond the viewer's reach."""

from __future__ import annotations

import pytest

from dudao.core.enums import UnitLevel
from dudao.org.queries import SUGGEST_LIMIT, overlap
from dudao.org.services import create_unit, set_unit_active, update_unit


def codes(client, q: str, **args: str) -> list[str]:
    response = client.get("/units/suggest", query_string={"q": q, **args})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [unit["code"] for unit in response.get_json()["units"]]


@pytest.fixture
def office(org, signed_in):
    return signed_in("desk", ("office", org.group))


def test_a_code_is_matched_from_its_start_whatever_the_case(office):
    assert codes(office, "a1") == ["A1", "A1-1", "A1-2"]  # the exact code first
    assert codes(office, "1-2") == ["A1-2"]  # or a part of it


def test_a_chinese_name_is_matched_anywhere_in_it(office):
    assert codes(office, "乙一") == ["B1", "B1-1"]
    assert codes(office, "第二党支部") == ["A1-2"]
    assert codes(office, "甲") == ["A", "A1", "A1-1", "A1-2"]  # one Chinese character names


def test_an_english_name_is_matched_and_shown_on_english_pages(office, org, session):
    update_unit(session, None, org.unit_a1, name_en="Jiayi Chemical Works")
    session.commit()
    units = office.get("/units/suggest?q=chemical").get_json()["units"]
    # The browser offers a suggestion whose code or label holds the text: so a Chinese page
    # names the English name it was found by.
    assert [(u["code"], u["name"], u["label"]) for u in units] == [
        ("A1", "甲一厂", "甲一厂 · Jiayi Chemical Works")
    ]
    office.post("/lang", data={"lang": "en", "next": "/"})
    units = office.get("/units/suggest?q=jiayi").get_json()["units"]
    assert units == [
        {"code": "A1", "name": "Jiayi Chemical Works", "active": True,
         "label": "Jiayi Chemical Works"}
    ]  # fmt: skip


def test_codes_starting_with_the_text_come_before_names_holding_it(office, org, session):
    update_unit(session, None, org.branch_a1, name="甲一厂B1联络组")
    session.commit()
    assert codes(office, "b1") == ["B1", "B1-1", "A1-1"]


def test_at_most_the_limit_is_suggested(office, org, session):
    for n in range(SUGGEST_LIMIT + 5):
        create_unit(session, None, f"L{n:02d}", f"联络站{n}", UnitLevel.BRANCH, org.unit_b1)
    session.commit()
    found = codes(office, "联络站")
    assert len(found) == SUGGEST_LIMIT and found[:2] == ["L00", "L01"]


def test_inactive_units_come_last_and_say_so_or_are_left_out(office, org, session):
    set_unit_active(session, None, org.branch_a1, False)
    session.commit()
    units = office.get("/units/suggest?q=党支部").get_json()["units"]
    assert [u["code"] for u in units] == ["A1-2", "B1-1", "A1-1"]
    assert units[-1]["active"] is False and units[-1]["label"] == "甲一厂第一党支部（已停用）"
    assert codes(office, "党支部", active="1") == ["A1-2", "B1-1"]


def test_too_short_or_empty_text_suggests_nothing(office):
    assert codes(office, "") == [] and codes(office, "a") == [] and codes(office, " ") == []


def test_a_company_lead_is_offered_only_units_of_their_company(org, signed_in):
    lead = signed_in("lead", ("unit_lead", org.company_a))
    assert codes(lead, "一厂") == ["A1", "A1-1", "A1-2"]  # not 乙一厂 (B1) nor its branch
    assert codes(lead, "b1") == []
    assert codes(lead, "乙") == []
    assert codes(lead, "一厂", **{"for": "manage_users"}) == []  # a right they do not hold


def test_a_field_offers_only_where_its_form_accepts(org, signed_in):
    """Seeing the whole group but keeping surveys of company A only: the survey field
    offers company A's units, the other fields the whole group's."""
    client = signed_in("mixed", ("inspector", org.group), ("office", org.company_a))
    assert codes(client, "公司") == ["A", "B"]
    assert codes(client, "公司", **{"for": "manage_surveys"}) == ["A"]


def test_nobody_is_offered_units_they_may_not_see(org, signed_in):
    client = signed_in("rep", ("representative", org.group))
    response = client.get("/units/suggest?q=甲一")
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"


def test_anonymous_is_sent_to_sign_in(client, org):
    response = client.get("/units/suggest?q=甲一")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("args", [{"q": "甲", "for": "everything"}, {"q": "甲" * 201}])
def test_bad_arguments_are_answered_in_json(office, args):
    response = office.get("/units/suggest", query_string=args)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_request" and body["message"]


def test_overlap_keeps_the_subtrees_inside_both():
    assert overlap(["/1/"], ["/1/2/", "/3/"]) == ["/1/2/"]
    assert overlap(["/1/2/", "/1/5/"], ["/1/"]) == ["/1/2/", "/1/5/"]
    assert overlap(["/1/"], []) == [] and overlap(["/1/2/"], ["/1/3/"]) == []
