"""The office's inspection list comes in pages whose links keep the list's filters."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from dudao.config import PROJECT_ROOT
from dudao.definitions.queries import current_version
from dudao.definitions.services import sync_forms
from dudao.inspections import queries
from dudao.inspections.models import InspectionOrigin
from dudao.inspections.services import create_inspection
from tests.conftest import sign_in


@pytest.fixture
def office(app, session, org, user_factory, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    sync_forms(session, None, PROJECT_ROOT / "forms")
    version = current_version(session, "branch_standardisation")
    clerk = user_factory("office_a", ("office", org.company_a))
    for days, origin in ((1, "ad_hoc"), (2, "ad_hoc"), (3, "ad_hoc"), (4, "periodic")):
        create_inspection(
            session, clerk, org.branch_a1, version, date(2026, 12, 1) + timedelta(days=days),
            InspectionOrigin(origin), reason="测试",
        )  # fmt: skip
    session.commit()
    return clerk


def _ids(page: str) -> list[str]:
    return re.findall(r'href="/inspections/(\d+)"', page)


def test_pages_split_the_list_and_keep_the_filter(client, office):
    sign_in(client, "office_a")
    client.post("/lang", data={"lang": "en", "next": "/"})
    first = client.get("/inspections?origin=ad_hoc").get_data(as_text=True)
    second = client.get("/inspections?origin=ad_hoc&page=2").get_data(as_text=True)
    assert len(_ids(first)) == 2 and len(_ids(second)) == 1
    assert not set(_ids(first)) & set(_ids(second))
    nxt = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "page=2" in nxt and "origin=ad_hoc" in nxt and 'rel="prev"' not in first
    previous = re.search(r'rel="prev" href="([^"]+)">Previous<', second).group(1)
    assert "page=1" in previous and 'rel="next"' not in second
