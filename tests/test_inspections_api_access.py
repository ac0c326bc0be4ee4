"""Who reaches which API route: 401 signed out, 403 without the role, 404 outside scope; CSRF;
JSON 404/405 for unknown API routes; assignments and definition versions."""

from __future__ import annotations

import io
import re

import pytest
from flask import request_started

from tests.conftest import PASSWORD, _fresh_request_globals, sign_in
from tests.inspection_world import PASSING, jpeg, payload, world  # noqa: F401


def _as(app, username: str):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


@pytest.fixture
def objects(app, world, user_factory):  # noqa: F811
    """One submission, finding, photo and rectification in company A and in company B."""
    user_factory("lead_b", ("unit_lead", world.inspection_b.unit))  # answers B's task
    made = {}
    for side, username, inspection in (("A", "insp", world.inspection),
                                       ("B", "outsider", world.inspection_b)):  # fmt: skip
        tablet = _as(app, username)
        photo = tablet.post(
            f"/api/v1/inspections/{inspection.id}/photos",
            data={"item_key": "plan", "file": (io.BytesIO(jpeg()), "p.jpg")},
        ).get_json()
        body = payload(
            {**PASSING, "plan": "no"},
            notes={"plan": "x"}, photos={"plan": [photo["id"]]},
        )  # fmt: skip
        submitted = tablet.post(f"/api/v1/inspections/{inspection.id}/submissions", json=body)
        data = submitted.get_json()
        finding = data["findings"][0]["id"]
        task = (
            _as(app, "office")
            .post(
                f"/api/v1/findings/{finding}/rectifications",
                json={
                    "owner_unit": inspection.unit.code,
                    "deadline": "2027-01-31",
                    "description": "x",
                },
            )
            .get_json()
        )
        made[side] = {
            "inspection_id": inspection.id, "submission_id": data["submission_id"],
            "photo_id": photo["id"], "finding_id": finding, "rectification_id": task["id"],
            "version_id": inspection.definition_version_id,
        }  # fmt: skip
    return made


def _api_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")]


def _fill(rule, values) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def test_signed_out_gets_401_json_everywhere(app, client, objects):
    for rule in _api_rules(app):
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(_fill(rule, objects["A"]), method=method, json={})
            assert response.status_code == 401, (method, rule.rule)
            assert response.get_json()["error"] == "not_signed_in"


def test_another_units_objects_are_404_on_every_route(app, objects, world, user_factory):  # noqa: F811
    """An admin of company B holds every permission, but none of it reaches company A."""
    user_factory("admin_b", ("admin", world.org.company_b))
    outsider = _as(app, "admin_b")
    for rule in _api_rules(app):
        if not rule.arguments or rule.arguments == {"version_id"}:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            url = _fill(rule, objects["A"])
            response = outsider.open(url, method=method, json={})
            assert response.status_code == 404, (method, url, response.get_json())
            assert response.get_json()["error"] == "not_found"
            own = outsider.open(_fill(rule, objects["B"]), method="GET")
            assert own.status_code != 404 or "GET" not in rule.methods, rule.rule


def test_assignments_list_only_mine_with_pinned_versions(app, world):  # noqa: F811
    tablet = _as(app, "insp")
    listed = tablet.get("/api/v1/assignments").get_json()["assignments"]
    assert [a["id"] for a in listed] == [world.inspection.id]
    entry = listed[0]
    assert entry["state"] == "assigned" and entry["version"] == world.inspection.version
    assert entry["definition_version_id"] == world.inspection.definition_version_id
    assert entry["definition"]["key"] == "campaign_spot_check"
    assert entry["unit"]["code"] == "A1-1" and entry["draft_revision"] is None
    office = _as(app, "office")
    refused = office.get("/api/v1/assignments")
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"


def test_definition_version_is_normalised_data_with_an_etag(app, world):  # noqa: F811
    tablet = _as(app, "insp")
    url = f"/api/v1/definition-versions/{world.inspection.definition_version_id}"
    response = tablet.get(url)
    data = response.get_json()
    assert data["definition_key"] == "campaign_spot_check"
    assert data["data"]["sections"][0]["items"][0]["key"] == "plan"
    assert response.headers["ETag"] == f'"{data["content_hash"]}"'
    assert tablet.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    # A proxy may hand the tag on weakened: If-None-Match compares weakly.
    weak = tablet.get(url, headers={"If-None-Match": "W/" + response.headers["ETag"]})
    assert weak.status_code == 304 and weak.headers["ETag"] == response.headers["ETag"]
    assert tablet.get("/api/v1/definition-versions/999999").status_code == 404


def test_status_says_what_i_may_do(app, world):  # noqa: F811
    status = _as(app, "insp").get(f"/api/v1/inspections/{world.inspection.id}").get_json()
    assert status["assigned_to_me"] is True and status["actions"] == ["start"]
    assert status["latest_submission"] is None and status["review"] is None
    other = _as(app, "other")  # an inspector in scope, not assigned: sees nothing
    assert other.get(f"/api/v1/inspections/{world.inspection.id}").status_code == 404
    reassigned = other.post(
        f"/api/v1/inspections/{world.inspection.id}/submissions", json=payload()
    )
    assert (
        reassigned.status_code == 409 and reassigned.get_json()["error"] == "inspection_reassigned"
    )


def test_unknown_api_routes_and_methods_answer_json(app, client, world):  # noqa: F811
    missing = client.get("/api/v1/nothing/here")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    # One sentence in the reader's language, not the library's English (docs/api.md).
    assert missing.get_json()["message"] == "没有该对象或地址，或者它不在您负责的范围内。"
    wrong = client.delete("/api/v1/assignments")
    assert wrong.status_code == 405 and wrong.get_json()["error"] == "method_not_allowed"
    assert wrong.get_json()["message"] == "此地址不接受 DELETE 方法。"
    client.post("/lang", data={"lang": "en"})
    wrong = client.delete("/api/v1/assignments")
    assert wrong.get_json()["message"] == "This address does not accept the method DELETE."
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_ids_too_large_and_our_own_faults_still_answer_json(app, world, monkeypatch):  # noqa: F811
    tablet = _as(app, "insp")
    huge = tablet.get("/api/v1/inspections/99999999999999999999999")  # beyond 64 bits
    assert huge.status_code == 404 and huge.get_json()["error"] == "not_found"
    page = tablet.get("/inspections/99999999999999999999999")
    assert page.status_code == 404 and page.mimetype == "text/html"

    from dudao.inspections import api

    def broken(*_args, **_kwargs):
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(api, "assignments", broken)
    failed = tablet.get("/api/v1/assignments")
    assert failed.status_code == 500 and failed.mimetype == "application/json"
    assert failed.get_json()["error"] == "server_error"
    assert "未保存" in failed.get_json()["message"]


def test_writes_need_the_csrf_header_when_csrf_is_on(settings, world):  # noqa: F811
    from dudao.app import create_app

    secured = create_app(settings, {"TESTING": True, "WTF_CSRF_ENABLED": True})
    request_started.connect(_fresh_request_globals, secured)
    try:
        client = secured.test_client()
        login = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login)
        client.post("/login", data={"username": "insp", "password": PASSWORD,
                                    "csrf_token": token.group(1)})  # fmt: skip
        url = f"/api/v1/inspections/{world.inspection.id}/draft"
        refused = client.put(url, json={"answers": {"plan": "yes"}})
        assert refused.status_code == 400 and refused.get_json()["error"] == "csrf_failed"
        assert refused.get_json()["message"].startswith("页面的安全令牌（CSRF）缺失")
        csrf = client.get("/api/v1/me").get_json()["csrf_token"]
        saved = client.put(url, json={"answers": {"plan": "yes"}}, headers={"X-CSRFToken": csrf})
        assert saved.status_code == 200, saved.get_json()
    finally:
        secured.extensions["dudao"].engine.dispose()
