"""Every field and filter that asks for a unit code suggests units (`unit_picker`), each
from the part of the tree its own page checks the code against (`for=`), and the active
units only where the form refuses an inactive one."""

from __future__ import annotations

import re
from datetime import date

import pytest

from dudao.org.services import set_unit_active
from dudao.scheduling.models import Schedule
from tests.conftest import sign_in

#: (page, name of the unit field, the permission that page checks the code with)
FIELDS = [
    ("/surveys/new", "scope", "manage_surveys"),
    ("/schedules/{schedule}/edit", "scope_code", "manage_schedules"),
    ("/schedules/ad-hoc", "unit_code", "manage_schedules&active=1"),
    ("/admin/users/{user}", "unit_code", "manage_users"),
    ("/units/{unit}/move", "parent_code", "manage_units&active=1"),
    ("/units/{inactive}/move", "parent_code", "manage_units"),
    ("/inspections", "unit", "view_results"),
    ("/flags", "unit", "view_office"),
    ("/analytics", "unit", "view_results"),
    ("/reports", "unit", "view_office"),
    ("/reports/summary", "unit", "view_office"),
    ("/assessment", "unit", "view_assessment"),
    ("/targets/pioneer-posts", "unit", "view_office"),
]


@pytest.fixture
def pages(org, session, client, user_factory):
    """An administrator of the whole group signed in, and the ids the paths need."""
    set_unit_active(session, None, org.branch_b1, False)
    schedule = Schedule(
        key="picker", name="检查", definition_key="branch_standardisation",
        scope_unit=org.company_a, rrule="FREQ=MONTHLY", dtstart=date(2026, 1, 1),
    )  # fmt: skip
    session.add(schedule)
    session.commit()
    root = user_factory("root", ("admin", org.group))
    assert sign_in(client, "root").status_code == 302
    ids = {"schedule": schedule.id, "user": root.id, "unit": org.unit_a1.id}
    return client, ids | {"inactive": org.branch_b1.id}


@pytest.mark.parametrize(("path", "name", "permission"), FIELDS)
def test_the_unit_field_suggests_from_its_pages_reach(pages, path, name, permission):
    client, ids = pages
    response = client.get(path.format(**ids))
    assert response.status_code == 200, path
    tags = re.findall(rf'<input[^>]*\bname="{name}"[^>]*>', response.get_data(as_text=True))
    inputs = [tag for tag in tags if 'type="hidden"' not in tag]  # a shown summary's own
    wanted = f'data-unit-picker="/units/suggest?for={permission.replace("&", "&amp;")}"'
    assert inputs and all(wanted in tag for tag in inputs), (path, inputs)
    assert "/static/unitpicker.js" in response.get_data(as_text=True)


def test_a_page_without_such_a_field_loads_no_picker(pages):
    client, ids = pages
    page = client.get(f"/units/{ids['unit']}").get_data(as_text=True)
    assert "site.js" in page and "unitpicker.js" not in page
