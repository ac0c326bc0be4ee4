"""The office returns a submission with per-item comments; the inspector sees them and resubmits."""

from __future__ import annotations

from sqlalchemy import select

from dudao.inspections.submission_models import ReviewState, Submission
from tests.conftest import sign_in
from tests.inspection_world import PASSING, payload, world  # noqa: F401


def _as(app, username: str):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


def test_return_with_item_comments_then_resubmit_and_approve(app, world, session):  # noqa: F811
    tablet, office = _as(app, "insp"), _as(app, "office")
    submit_url = f"/api/v1/inspections/{world.inspection.id}/submissions"
    first = payload({**PASSING, "plan": "no"}, notes={"plan": "没有方案"})
    sid = tablet.post(submit_url, json=first).get_json()["submission_id"]
    review_url = f"/api/v1/submissions/{sid}/review"

    assert tablet.post(review_url, json={"decision": "approve"}).status_code == 403
    no_comment = office.post(review_url, json={"decision": "return"})
    assert no_comment.status_code == 422 and "comment" in no_comment.get_json()["fields"]
    bad_item = office.post(
        review_url, json={"decision": "return", "comment": "x", "item_comments": {"nope": "x"}}
    )
    assert bad_item.status_code == 422 and "nope" in bad_item.get_json()["fields"]
    a_list = office.post(
        review_url, json={"decision": "return", "comment": "x", "item_comments": ["plan"]}
    )
    assert a_list.status_code == 422
    assert "题目标识" in a_list.get_json()["fields"]["item_comments"]
    returned = office.post(
        review_url,
        json={"decision": "return", "comment": "请补充材料",
              "item_comments": {"plan": "请上传实施方案照片", "interviews": "访谈人数偏少"}},
    )  # fmt: skip
    assert returned.status_code == 200, returned.get_json()
    assert returned.get_json()["inspection"]["state"] == "returned"

    draft = tablet.get(f"/api/v1/inspections/{world.inspection.id}/draft").get_json()
    assert draft["state"] == "returned"
    assert draft["answers"]["plan"] == "no" and draft["notes"] == {"plan": "没有方案"}
    assert draft["review"]["comment"] == "请补充材料"
    assert draft["review"]["item_comments"] == {
        "plan": "请上传实施方案照片",
        "interviews": "访谈人数偏少",
    }
    listed = tablet.get("/api/v1/assignments").get_json()["assignments"]
    assert [(a["id"], a["state"]) for a in listed] == [(world.inspection.id, "returned")]
    assert listed[0]["latest_submission"]["review_state"] == "returned"

    second = tablet.post(submit_url, json=payload(PASSING))
    assert second.status_code == 201 and second.get_json()["findings"] == []
    assert office.post(review_url, json={"decision": "approve"}).status_code == 409  # superseded
    approved = office.post(
        f"/api/v1/submissions/{second.get_json()['submission_id']}/review",
        json={"decision": "approve", "comment": "同意"},
    )
    assert approved.get_json()["inspection"]["state"] == "approved"
    again = office.post(
        f"/api/v1/submissions/{second.get_json()['submission_id']}/review",
        json={"decision": "approve"},
    )
    assert again.status_code == 409 and again.get_json()["error"] == "already_reviewed"
    assert "已通过" in again.get_json()["message"], again.get_json()  # not `approved`
    states = session.scalars(select(Submission.review_state).order_by(Submission.id)).all()
    assert states == [ReviewState.RETURNED, ReviewState.APPROVED]
    status = tablet.get(f"/api/v1/submissions/{sid}").get_json()
    assert status["review"]["state"] == "returned" and status["inspection"]["state"] == "approved"
    # A replay of the first submission after all this still answers its stored body.
    replay = tablet.post(submit_url, json=first)
    assert replay.status_code == 200 and replay.get_json()["submission_id"] == sid


def test_office_outside_the_unit_gets_404(app, world, user_factory):  # noqa: F811
    tablet = _as(app, "insp")
    sid = tablet.post(
        f"/api/v1/inspections/{world.inspection.id}/submissions", json=payload()
    ).get_json()["submission_id"]
    user_factory("office_b", ("office", world.org.company_b))
    office_b = _as(app, "office_b")
    assert office_b.post(f"/api/v1/submissions/{sid}/review", json={}).status_code == 404
    assert office_b.get(f"/api/v1/submissions/{sid}").status_code == 404


def test_a_return_through_the_generic_action_still_leaves_one_pending(app, world, session):  # noqa: F811
    from dudao.inspections.models import Inspection
    from dudao.workflow.engine import apply

    tablet = _as(app, "insp")
    url = f"/api/v1/inspections/{world.inspection.id}/submissions"
    assert tablet.post(url, json=payload()).status_code == 201
    session.expire_all()
    inspection = session.get(Inspection, world.inspection.id)
    apply(session, world.office, inspection, "return", fields={"comment": "再看看"})
    session.commit()
    assert tablet.post(url, json=payload()).status_code == 201
    session.expire_all()
    states = session.scalars(select(Submission.review_state).order_by(Submission.id)).all()
    assert states == [ReviewState.RETURNED, ReviewState.PENDING]
