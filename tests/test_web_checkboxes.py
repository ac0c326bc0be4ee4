"""The level choices of the schedule, ad hoc, draw and campaign forms are boxes to tick in a
fieldset named by its legend (web/fields.CheckboxesField), not a select box that needs
Ctrl-click; they post what the select box did, and a refused form keeps what was ticked."""

from __future__ import annotations

import re

import pytest

from dudao.config import PROJECT_ROOT
from dudao.definitions.services import sync_forms
from tests.schedule_world import quarterly_schedule

LEVELS = ["group", "company", "unit", "branch"]


def _ticked(page: str) -> list[str]:
    """The level boxes of the page's fieldset, as [value, ...] of those ticked."""
    group = re.search(r'<fieldset class="checkboxes" id="levels"[^>]*><legend>[^<]+</legend>'
                      r"(.*?)</fieldset>", page, re.S)  # fmt: skip
    assert group is not None, "no fieldset of level boxes"
    boxes = re.findall(r'<input( checked)? id="levels-\d" name="levels" type="checkbox" '
                       r'value="(\w+)">', group[1])  # fmt: skip
    assert [value for _, value in boxes] == LEVELS
    return [value for checked, value in boxes if checked]


@pytest.mark.parametrize(
    ("path", "ticked"),
    [
        ("/schedules/ad-hoc", []),
        ("/schedules/{schedule}/edit", ["branch"]),  # as the schedule has it
        ("/draws/new", ["branch"]),  # the draw's default
        ("/surveys/new", []),
    ],
)
def test_each_level_choice_is_a_group_of_boxes(client, session, org, signed_in, path, ticked):
    schedule = quarterly_schedule(session, org)
    sync_forms(session, None, PROJECT_ROOT / "forms")
    session.commit()
    signed_in("office_a", ("office", org.company_a))
    page = client.get(path.format(schedule=schedule.id))
    assert page.status_code == 200 and "<select multiple" not in page.text
    assert _ticked(page.text) == ticked


def test_a_refused_form_keeps_the_boxes_ticked(client, session, org, signed_in):
    quarterly_schedule(session, org)
    signed_in("office_a", ("office", org.company_a))
    data = {"unit_code": "A", "subtree": "y", "levels": ["unit", "branch"],
            "definition_key": "branch_standardisation", "due": "", "reason": ""}  # fmt: skip
    refused = client.post("/schedules/ad-hoc", data=data)
    assert refused.status_code == 422 and _ticked(refused.text) == ["unit", "branch"]
