"""Shared by the rectification tests: clients by username, a finding, a review, a task on it."""

from __future__ import annotations

import re

import pytest

from tests.conftest import sign_in
from tests.inspection_world import PASSING, payload


def as_user(app, username: str):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


@pytest.fixture
def finding_id(app, world, session) -> int:
    tablet = as_user(app, "insp")
    body = payload({**PASSING, "plan": "no"}, notes={"plan": "没有实施方案"})
    response = tablet.post(f"/api/v1/inspections/{world.inspection.id}/submissions", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["findings"][0]["id"]


def act(client, task: dict, action: str, **extra):
    body = {"action": action, "expected_version": task["version"], **extra}
    return client.post(f"/api/v1/rectifications/{task['id']}/actions", json=body)


def submit(app, world, answers=None, notes=None) -> dict:
    body = payload(answers or {**PASSING, "plan": "no"}, notes=notes or {"plan": "没有实施方案"})
    response = as_user(app, "insp").post(
        f"/api/v1/inspections/{world.inspection.id}/submissions", json=body
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def expected_version(page: str) -> str:
    return re.search(r'name="expected_version" value="(\d+)"', page).group(1)


def review(client, world, **data):
    return client.post(f"/inspections/{world.inspection.id}/review", data=data)


@pytest.fixture
def approved(app, world, session) -> int:
    """A submission with the failed item `plan`, approved by the office: the finding's id."""
    answer = submit(app, world)
    office = as_user(app, "office")
    page = office.get(f"/inspections/{world.inspection.id}").get_data(as_text=True)
    response = review(office, world, decision="approve", expected_version=expected_version(page))
    assert response.status_code == 302
    return answer["findings"][0]["id"]


def open_task(app, world, finding_id: int) -> int:
    response = as_user(app, "office").post(
        f"/api/v1/findings/{finding_id}/rectifications",
        json={"owner_unit": "A1", "deadline": "2027-01-31", "description": "制定实施方案"},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]
