"""A JSON field of the wrong type is refused with 422 naming it, and changes nothing: it was
turned into something else (a list stored as the text "['x']", "abc" read as a version
that never matches and answered 409, `[]` taken for no answers, photo ids dropped)."""

from __future__ import annotations

from sqlalchemy import func, select

from dudao.inspections.drafts import draft_of
from dudao.inspections.submission_models import Rectification, Submission
from tests.inspection_world import PASSING, payload, world  # noqa: F401
from tests.rectification_world import approved, as_user, open_task, submit  # noqa: F401


def _refused(response, field: str) -> str:
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["error"] == "invalid" and field in body["fields"], body
    return body["fields"][field]


def test_drafts_and_submissions_refuse_fields_of_another_type(app, world, session):  # noqa: F811
    tablet = as_user(app, "insp")
    draft_url = f"/api/v1/inspections/{world.inspection.id}/draft"
    _refused(tablet.put(draft_url, json={"answers": []}), "answers")
    _refused(tablet.put(draft_url, json={"answers": {}, "base_revision": "3"}), "base_revision")
    assert draft_of(session, world.inspection.id) is None

    submit_url = f"/api/v1/inspections/{world.inspection.id}/submissions"
    _refused(tablet.post(submit_url, json=payload(PASSING, notes=[])), "notes")
    numbered = payload({**PASSING, "plan": "no"}, notes={"plan": "缺方案"}, photos={"plan": [7]})
    assert "照片" in _refused(tablet.post(submit_url, json=numbered), "plan")
    assert session.scalar(select(func.count()).select_from(Submission)) == 0


def test_a_review_refuses_fields_of_another_type(app, world, session):  # noqa: F811
    sid = submit(app, world)["submission_id"]
    office = as_user(app, "office")
    url = f"/api/v1/submissions/{sid}/review"
    version = office.get(f"/api/v1/inspections/{world.inspection.id}").get_json()["version"]
    good = {"decision": "return", "comment": "请补充", "expected_version": version}
    _refused(office.post(url, json={**good, "expected_version": "abc"}), "expected_version")
    _refused(office.post(url, json={**good, "comment": ["请补充"]}), "comment")
    _refused(office.post(url, json={**good, "decision": ["return"]}), "decision")
    session.expire_all()
    assert session.scalars(select(Submission)).one().review_comment in (None, "")
    assert office.post(url, json=good).status_code == 200


def test_a_task_refuses_fields_of_another_type(app, world, session, approved):  # noqa: F811
    office = as_user(app, "office")
    opening = {"owner_unit": "A1", "deadline": "2027-01-31", "description": "制定实施方案"}
    url = f"/api/v1/findings/{approved}/rectifications"
    _refused(office.post(url, json={**opening, "verify_myself": "no"}), "verify_myself")
    _refused(office.post(url, json={**opening, "description": {"text": "x"}}), "description")
    # A deadline already past, as the inspection page refuses it (the task would be overdue
    # at once, and count against its owner).
    _refused(office.post(url, json={**opening, "deadline": "2020-01-01"}), "deadline")
    assert session.scalar(select(func.count()).select_from(Rectification)) == 0

    task = session.get(Rectification, open_task(app, world, approved))
    state, version = task.state, task.version
    actions = f"/api/v1/rectifications/{task.id}/actions"
    for wrong, field in (({"expected_version": "1"}, "expected_version"),
                         ({"comment": 5}, "comment"), ({"action": None, "photo_ids": [3]},
                                                        "photo_ids")):  # fmt: skip
        _refused(office.post(actions, json={"action": "cancel", "comment": "x", **wrong}), field)
    # An action the workflow does not have (or none) is a bad request, not a wrong moment.
    for wrong in ({"action": "explode"}, {}):
        said = _refused(office.post(actions, json={"expected_version": version, **wrong}), "action")
        assert "verify" in said and "cancel" in said
    session.refresh(task)
    assert (task.state, task.version) == (state, version)
