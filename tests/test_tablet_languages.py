"""The tablet names things in its reader's language: units (`name`, `name_en`) and
definition titles ({zh, en}) reach it in both languages, and the list shows the page's
(the English one where there is one, else the Chinese)."""

from __future__ import annotations

import pytest

from tests.conftest import sign_in
from tests.inspection_world import World, build_world

BRANCH_EN = "Jia Plant One First Branch"
BRANCH_ZH = "甲一厂第一党支部"
TITLE = {"zh": "创先争优活动专项抽查表", "en": "Strive-for-excellence campaign spot check"}


@pytest.fixture
def world(session, org, user_factory) -> World:
    """The campaign spot check of branch A1-1, which has an English name (B1-1 has none)."""
    built = build_world(session, org, user_factory)
    org.branch_a1.name_en = BRANCH_EN
    session.commit()
    return built


def test_the_feed_carries_both_names_and_the_list_shows_the_readers(app, world, org):
    client = app.test_client()
    sign_in(client, "insp")
    inspection_id = world.inspection.id
    (entry,) = client.get("/api/v1/assignments").get_json()["assignments"]
    both = {"id": org.branch_a1.id, "code": "A1-1", "name": BRANCH_ZH, "name_en": BRANCH_EN}
    assert entry["unit"] == both and entry["definition"]["title"] == TITLE
    assert client.get(f"/api/v1/inspections/{inspection_id}").get_json()["unit"] == both
    outsider = app.test_client()
    sign_in(outsider, "outsider")  # B1-1 has no English name: null, not left out
    (other,) = outsider.get("/api/v1/assignments").get_json()["assignments"]
    assert other["unit"]["name_en"] is None and other["unit"]["name"] == org.branch_b1.name

    for lang, shown, hidden in (("en", BRANCH_EN, BRANCH_ZH), ("zh_CN", BRANCH_ZH, BRANCH_EN)):
        client.post("/lang", data={"lang": lang})
        home = client.get("/inspect").get_data(as_text=True)
        assert f"A1-1 {shown}" in home and hidden not in home, lang
