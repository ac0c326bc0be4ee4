"""The publication page (阳光下运行): each section for the roles publication.yaml lists, in
the viewer's scope, closed periods only, and nothing below the anonymity thresholds."""

from __future__ import annotations

import re

import pytest

from dudao.assessment.periods import current_key
from dudao.scheduling import publication
from tests.assessment_world import configured, first_quarter, inspection  # noqa: F401
from tests.conftest import sign_in
from tests.draw_world import published_draw

pytestmark = pytest.mark.usefixtures("configured")


def text(response) -> str:
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html[html.find("<main") :]).split())


def sections(response) -> set[str]:
    return set(re.findall(r'data-section="(\w+)"', response.get_data(as_text=True)))


def switch(client, username: str) -> None:
    client.post("/logout")
    assert sign_in(client, username).status_code == 302
    client.post("/lang", data={"lang": "en", "next": "/"})


@pytest.fixture
def world(session, org, user_factory):
    first_quarter(session, org)
    draw = published_draw(session, org.group, org.branch_a1)
    session.commit()
    for name, role, unit in (
        ("office", "office", org.group), ("insp", "inspector", org.group),
        ("lead", "unit_lead", org.unit_a1), ("rep", "representative", org.company_a),
    ):  # fmt: skip
        user_factory(name, (role, unit))
    return draw


def test_each_role_sees_the_sections_the_configuration_allows(client, org, world) -> None:
    switch(client, "office")
    page = client.get("/public?period=2025Q1")
    assert sections(page) == {"draws", "results", "rankings"}
    shown = text(page)
    assert f"#{world.id} Draw over G" in shown
    # Company A: A1-1 (80, 90), A1-2 (90, 100) and the unit A1 itself (10, 10): 6 inspections,
    # mean 63.3; 4 tasks due, 1 on time. Company B: 3 inspections, mean 72; 1 task, on time.
    assert "A 甲公司 3 6 63.3 4 25.0%" in shown and "B 乙公司 1 3 72.0 1 100.0%" in shown
    ranked = re.findall(r'<tr data-unit="([\w-]+)"', page.get_data(as_text=True))
    assert ranked == ["A1-2", "B1-1", "A1-1"]
    assert "Ranks among the 3 ranked units you can see." in shown
    assert 'href="/public"' in client.get("/").get_data(as_text=True)  # the nav link

    switch(client, "insp")
    assert sections(client.get("/public?period=2025Q1")) == {"draws", "results"}

    switch(client, "lead")
    page = client.get("/public?period=2025Q1")
    assert sections(page) == {"draws", "results", "rankings"}
    html = page.get_data(as_text=True)
    assert re.findall(r'<tr data-unit="([\w-]+)"', html) == ["A1-2", "A1-1"]
    assert "Ranks among the 2 ranked units you can see." in text(page)  # not the group's ranks
    assert re.findall(r'data-result="([\w-]+)"', html) == ["A1-1", "A1-2"]  # the lead's part

    switch(client, "rep")
    assert client.get("/public").status_code == 403
    assert 'href="/public"' not in client.get("/").get_data(as_text=True)


def test_sections_follow_the_configuration(client, org, world, tmp_path, monkeypatch) -> None:
    config = tmp_path / "publication.yaml"
    config.write_text("roles: [office]\nrankings: [representative]\n", encoding="utf-8")
    monkeypatch.setattr(publication, "PUBLICATION_FILE", config)
    switch(client, "rep")
    page = client.get("/public?period=2025Q1")
    assert sections(page) == {"rankings"}
    assert re.findall(r'<tr data-unit="([\w-]+)"', page.get_data(as_text=True)) == [
        "A1-2", "A1-1",
    ]  # fmt: skip
    assert client.get("/public/draws").status_code == 403  # draws: office only
    switch(client, "insp")
    assert client.get("/public").status_code == 403
    switch(client, "office")
    assert sections(client.get("/public?period=2025Q1")) == {"draws"}


def test_nothing_below_the_thresholds_and_no_period_in_progress(
    client, session, org, world
) -> None:
    now = current_key("quarter", "Asia/Shanghai")
    year, quarter = int(now[:4]), int(now[5])
    for month in (3 * quarter - 2, 3 * quarter - 1):
        inspection(session, org.branch_b1, f"{year}-{month:02d}-01", 100)
    session.commit()
    switch(client, "office")
    page = client.get("/public")
    html = page.get_data(as_text=True)
    assert f'value="{now}"' not in html  # the period in progress is not published
    assert "2025 Q1" in text(page)
    assert text(client.get(f"/public?period={now}")) == text(page)
    # B1-1's three answers are below the threshold of 5: its composite leaves satisfaction
    # out, (60·72 + 20·100) / 80, rather than showing or using the withheld group.
    row = re.search(r'<tr data-unit="B1-1".*?</tr>', html, re.S).group(0)
    assert "79.0" in row


def test_nested_grants_count_each_part_once(client, org, world, user_factory) -> None:
    user_factory("both", ("office", org.group), ("unit_lead", org.unit_a1))
    switch(client, "both")
    html = client.get("/public?period=2025Q1").get_data(as_text=True)
    assert re.findall(r'data-result="([\w-]+)"', html) == ["A", "B"]
    assert re.findall(r'<tr data-unit="([\w-]+)"', html) == ["A1-2", "B1-1", "A1-1"]


def test_the_results_are_read_once_for_the_periods_and_the_summary(
    client, world, monkeypatch
) -> None:
    """The page groups the inspections once for its results (the periods offered and the
    chosen one's summary) and once for the ranking, not once more for each."""
    from dudao.assessment import components

    grouped = []
    real = components.inspection_cells

    def counted(session, paths, levels, *args, **kwargs):
        grouped.append(tuple(levels))
        return real(session, paths, levels, *args, **kwargs)

    monkeypatch.setattr(components, "inspection_cells", counted)
    switch(client, "office")
    page = client.get("/public?period=2025Q1")
    assert "A 甲公司 3 6 63.3 4 25.0%" in text(page)
    assert len(grouped) == 2  # the results (every level) and the ranking (assessed levels)
