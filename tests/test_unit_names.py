"""Units are named in the page's language everywhere (`Unit.name_in`, the `unit_name` template
global): the English name on English pages where the unit has one, the Chinese one otherwise."""

from __future__ import annotations

import pytest

from dudao.org.models import Unit
from tests.access_world import route_walk_version
from tests.draw_world import draws_in_and_out
from tests.inspection_route_world import inspections_in_and_out
from tests.rectification_route_world import rectifications_in_and_out
from tests.schedule_world import schedules_in_and_out

ENGLISH = {
    "group": "Demo Group",
    "company_a": "Company Jia",
    "unit_a1": "Jia Plant One",
    "branch_a1": "Jia Plant One First Branch",
    "branch_a2": "Jia Plant One Second Branch",
}


def test_name_in_takes_the_english_name_only_on_english_pages_and_only_when_set() -> None:
    unit = Unit(code="X", name="某单位", name_en="Some Unit")
    assert [unit.name_in(loc) for loc in ("en", "en_GB", "zh_CN")] == [
        "Some Unit", "Some Unit", "某单位",
    ]  # fmt: skip
    assert Unit(code="Y", name="某单位", name_en=None).name_in("en") == "某单位"
    assert Unit(code="Z", name="某单位", name_en="").name_in("en") == "某单位"


@pytest.fixture
def pages(org, session, signed_in) -> dict[str, list[tuple[str, str]]]:
    """Page -> the fragments naming units, each as (Chinese page, English page)."""
    for attribute, name_en in ENGLISH.items():
        getattr(org, attribute).name_en = name_en
    session.commit()
    inspections = inspections_in_and_out(session, org, route_walk_version(session))
    tasks = rectifications_in_and_out(session, inspections)
    draws = draws_in_and_out(session, org)
    schedules_in_and_out(session, org)
    signed_in("office", ("office", org.group))
    a, a1, b1 = org.company_a, org.unit_a1, org.branch_a1
    plant = (f"A1 {a1.name}", f"A1 {a1.name_en}")
    return {
        "/inspections": [plant],
        f"/inspections/{inspections['in']}": [plant],
        "/rectifications": [plant],
        f"/rectifications/{tasks['in']}": [plant],
        f"/units/{a.id}": [(f"<h1>{a.name} ", f"<h1>{a.name_en} "),
                           (f">{org.group.name}</a>", f">{org.group.name_en}</a>"),
                           (f">{a1.name}</a>", f">{a1.name_en}</a>")],
        f"/draws/{draws['in']}": [(f"A {a.name}", f"A {a.name_en}"),
                                  (f"A1-1 {b1.name}", f"A1-1 {b1.name_en}")],
        "/schedules": [(f"{a.name} <small>", f"{a.name_en} <small>")],
    }  # fmt: skip


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_pages_name_units_in_the_readers_language(client, pages, lang) -> None:
    client.post("/lang", data={"lang": lang})
    english = lang == "en"
    for path, fragments in pages.items():
        html = client.get(path).get_data(as_text=True)
        for chinese, english_fragment in fragments:
            shown, hidden = (english_fragment, chinese) if english else (chinese, english_fragment)
            assert shown in html, (path, shown)
            assert hidden not in html, (path, hidden)


def test_a_unit_without_an_english_name_keeps_its_chinese_name_on_english_pages(
    client, org, session, signed_in
) -> None:
    inspections_in_and_out(session, org, route_walk_version(session))
    signed_in("office", ("office", org.group))
    client.post("/lang", data={"lang": "en"})
    html = client.get("/inspections").get_data(as_text=True)
    assert f"A1 {org.unit_a1.name}" in html and f"B1 {org.unit_b1.name}" in html
