"""Idempotent submissions through the API: replay, refusal, conflicts, validation, findings."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import OperationalError

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.core.database import make_engine
from dudao.inspections import submissions as sub_service
from dudao.inspections.drafts import save_draft
from dudao.inspections.models import Inspection
from dudao.inspections.services import set_assignees
from dudao.inspections.submission_models import Finding, InspectionDraft, Submission
from dudao.workflow.engine import TransitionRefused, apply
from tests.conftest import sign_in
from tests.inspection_world import PASSING, payload, world  # noqa: F401

URL = "/api/v1/inspections/{}/submissions"


def _count(session, model=Submission) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def tablet(client, world):  # noqa: F811
    assert sign_in(client, "insp").status_code == 302
    return client


def test_same_id_twice_is_one_submission_and_the_same_answer(tablet, world, session):  # noqa: F811
    body = payload()
    first = tablet.post(URL.format(world.inspection.id), json=body)
    second = tablet.post(URL.format(world.inspection.id), json=body)
    assert first.status_code == 201, first.get_json()
    assert second.status_code == 200
    assert second.get_json() == first.get_json()
    assert first.headers["Idempotent-Replayed"] == "false"
    assert second.headers["Idempotent-Replayed"] == "true"
    assert _count(session) == 1
    assert session.get(Inspection, world.inspection.id).state == "submitted"
    # Key order and spacing are not content: the same answers in another order replay too.
    reordered = {"answers": dict(reversed(list(body["answers"].items()))), **body}
    assert tablet.post(URL.format(world.inspection.id), json=reordered).status_code == 200


def test_same_id_with_other_content_is_refused_and_changes_nothing(tablet, world, session):  # noqa: F811
    body = payload()
    assert tablet.post(URL.format(world.inspection.id), json=body).status_code == 201
    events = _count(session, AuditEvent)
    changed = {**body, "answers": {**body["answers"], "interviews": 12}}
    response = tablet.post(URL.format(world.inspection.id), json=changed)
    assert response.status_code == 409
    data = response.get_json()
    assert data["error"] == "submission_id_reused"
    assert body["submission_id"] in data["message"] and "不同的内容" in data["message"]
    tablet.post("/lang", data={"lang": "en"})
    english = tablet.post(URL.format(world.inspection.id), json=changed).get_json()["message"]
    assert "already received with different content" in english
    assert _count(session) == 1 and _count(session, AuditEvent) == events
    stored = session.scalar(select(Submission))
    assert stored.answers["interviews"] == 10


def test_a_second_submission_id_for_a_submitted_inspection_is_refused(tablet, world, session):  # noqa: F811
    assert tablet.post(URL.format(world.inspection.id), json=payload()).status_code == 201
    response = tablet.post(URL.format(world.inspection.id), json=payload())
    assert response.status_code == 409
    assert response.get_json()["error"] == "inspection_not_open"
    assert "已提交" in response.get_json()["message"]  # the state's name, not `submitted`
    assert _count(session) == 1


def test_submission_id_must_be_a_uuid(tablet, world):  # noqa: F811
    response = tablet.post(URL.format(world.inspection.id), json=payload(submission_id="abc"))
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"submission_id": "不是 UUID"}


def test_cancelled_while_offline_is_refused_and_nothing_is_stored(tablet, world, session):  # noqa: F811
    inspection = session.get(Inspection, world.inspection.id)
    apply(session, world.office, inspection, "cancel", fields={"reason": "unit merged"})
    session.commit()
    before = _count(session, AuditEvent)
    response = tablet.post(URL.format(world.inspection.id), json=payload())
    assert response.status_code == 409
    assert response.get_json()["error"] == "inspection_cancelled"
    assert "已被取消" in response.get_json()["message"]
    assert _count(session) == 0 and _count(session, Finding) == 0
    assert _count(session, AuditEvent) == before
    draft = tablet.put(f"/api/v1/inspections/{world.inspection.id}/draft", json={"answers": {}})
    assert draft.status_code == 409 and draft.get_json()["error"] == "inspection_cancelled"


def test_reassigned_while_offline_is_refused(tablet, world, session):  # noqa: F811
    inspection = session.get(Inspection, world.inspection.id)
    set_assignees(session, world.office, inspection, [world.other])
    session.commit()
    response = tablet.post(URL.format(world.inspection.id), json=payload())
    assert response.status_code == 409
    assert response.get_json()["error"] == "inspection_reassigned"
    assert _count(session) == 0


def test_validation_errors_are_per_field_and_nothing_is_stored(tablet, world, session):  # noqa: F811
    answers = {**PASSING, "interviews": "many", "bogus": "x"}
    del answers["plan"]
    answers["public_rating"] = 5  # fails: a note is required as evidence
    response = tablet.post(URL.format(world.inspection.id), json=payload(answers))
    assert response.status_code == 422
    fields = response.get_json()["fields"]
    assert set(fields) >= {"plan", "interviews", "bogus"}
    assert response.get_json()["error"] == "invalid"
    assert _count(session) == 0
    assert session.get(Inspection, world.inspection.id).state == "assigned"
    bad = tablet.post(URL.format(world.inspection.id), json={"answers": []})
    assert bad.status_code == 422
    not_json = tablet.post(URL.format(world.inspection.id), data="x")
    assert not_json.status_code == 400 and not_json.get_json()["error"] == "bad_request"
    assert not_json.get_json()["message"] == "请发送 JSON 对象（Content-Type: application/json）。"
    # Nested deeper than the parser goes: the same 400, not a 500 a client would retry.
    headers = {"Content-Type": "application/json"}
    for deep in ("[" * 50_000 + "]" * 50_000, '{"answers":' * 3_000 + "1" + "}" * 3_000):
        refused = tablet.post(URL.format(world.inspection.id), data=deep, headers=headers)
        assert refused.status_code == 400 and refused.get_json()["error"] == "bad_request"
    assert _count(session) == 0


def test_refusals_speak_the_readers_language(tablet, world):  # noqa: F811
    """The answers' problems come from a service that knows no Flask; the API answers in
    the language of whoever asked, message and fields alike."""
    answers = {**PASSING, "interviews": "many"}
    del answers["plan"]
    url = URL.format(world.inspection.id)
    chinese = tablet.post(url, json=payload(answers)).get_json()
    assert chinese["message"] == "部分答案需要修改后才能提交。"
    assert chinese["fields"]["plan"] == "此题为必答题。"
    tablet.post("/lang", data={"lang": "en"})
    english = tablet.post(url, json=payload(answers)).get_json()
    assert english["message"] == "Some answers need attention before this can be submitted."
    assert english["fields"]["plan"] == "This question needs an answer."
    assert english["fields"]["interviews"] == "Enter a number, like 12 or 3.5."


def test_a_payload_of_the_wrong_shape_is_refused_in_the_readers_language(tablet, world):  # noqa: F811
    draft = f"/api/v1/inspections/{world.inspection.id}/draft"
    refused = tablet.put(draft, json={"answers": "plan=yes"})
    assert refused.status_code == 422
    assert refused.get_json()["fields"] == {"answers": "不是对象"}
    assert refused.get_json()["message"] == "“answers” 必须是以题目标识为键的对象。"
    tablet.post("/lang", data={"lang": "en"})
    refused = tablet.post(URL.format(world.inspection.id), json=payload(PASSING) | {"notes": ["x"]})
    assert refused.status_code == 422 and refused.get_json()["fields"] == {"notes": "not an object"}


def test_score_and_findings_are_computed_on_the_server(tablet, world, session):  # noqa: F811
    answers = {**PASSING, "plan": "no", "public_rating": 5}
    notes = {"plan": "没有实施方案", "public_rating": "群众评价一般"}
    body = payload(answers, notes=notes, score={"percent": 100})  # a client score is ignored
    response = tablet.post(URL.format(world.inspection.id), json=body)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert [f["item_key"] for f in data["findings"]] == ["plan", "public_rating"]
    assert data["passed"] is True  # neither is critical
    # Weights 2+2+3+3+1+2+3+3+2 = 21 (plan 2, pledges_public 3, public_rating 3, ...).
    assert data["score"]["percent"] == round(100 * (21 - 5) / 21, 2)
    assert data["grade"] == "良好"
    finding = session.scalar(select(Finding).where(Finding.item_key == "plan"))
    assert finding.note == "没有实施方案" and finding.unit_id == world.org.branch_a1.id


def test_a_submission_stores_its_findings_and_overwrites_the_draft(tablet, world, session):  # noqa: F811
    """Submission, findings and draft are one statement on PostgreSQL: the answer's finding
    ids are the stored rows', and the draft holds what the device sent, one revision on."""
    draft_url = f"/api/v1/inspections/{world.inspection.id}/draft"
    assert tablet.put(draft_url, json={"answers": {"plan": "yes"}}).get_json()["revision"] == 1
    answers = {**PASSING, "plan": "no", "public_rating": 5}
    notes = {"plan": "没有实施方案", "public_rating": "群众评价一般"}
    body = payload(answers, notes=notes)
    response = tablet.post(URL.format(world.inspection.id), json=body)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    stored = session.execute(
        select(Finding.item_key, Finding.id, Finding.note, Submission.submission_id)
        .join(Submission, Finding.submission_pk == Submission.id)
        .where(Finding.inspection_id == world.inspection.id)
    ).all()
    assert {f["item_key"]: f["id"] for f in data["findings"]} == {r[0]: r[1] for r in stored}
    assert {(r[0], r[2], r[3]) for r in stored} == {
        ("plan", "没有实施方案", body["submission_id"]),
        ("public_rating", "群众评价一般", body["submission_id"]),
    }
    draft = session.scalar(
        select(InspectionDraft).where(InspectionDraft.inspection_id == world.inspection.id)
    )
    assert draft.revision == 2 and draft.answers == answers
    assert draft.notes == notes and draft.updated_by_id == world.inspector.id


def test_a_failed_critical_item_fails_the_inspection(tablet, world, session):  # noqa: F811
    answers = {**PASSING, "pledges_public": "no"}
    del answers["pledges_total"], answers["pledges_kept_rate"]
    photo = tablet.post(
        f"/api/v1/inspections/{world.inspection.id}/photos",
        data={"item_key": "pledges_public", "file": (__import__("io").BytesIO(_jpeg()), "a.jpg")},
    )
    assert photo.status_code == 201, photo.get_json()
    body = payload(answers, photos={"pledges_public": [photo.get_json()["id"]]})
    data = tablet.post(URL.format(world.inspection.id), json=body).get_json()
    assert data["passed"] is False and data["grade"] == "不合格"
    assert data["findings"] == [
        {"id": data["findings"][0]["id"], "item_key": "pledges_public", "critical": True}
    ]


def _jpeg() -> bytes:
    from tests.inspection_world import jpeg

    return jpeg()


def test_unknown_photo_ids_are_refused(tablet, world):  # noqa: F811
    answers = {**PASSING, "pledges_public": "no"}
    del answers["pledges_total"], answers["pledges_kept_rate"]
    body = payload(answers, photos={"pledges_public": ["0" * 32]})
    response = tablet.post(URL.format(world.inspection.id), json=body)
    assert response.status_code == 422
    assert "pledges_public" in response.get_json()["fields"]


def test_the_guard_needs_a_complete_draft(session, world):  # noqa: F811
    inspection = session.get(Inspection, world.inspection.id)
    apply(session, world.inspector, inspection, "start")
    with pytest.raises(TransitionRefused, match="nothing has been answered"):
        apply(session, world.inspector, inspection, "submit")
    save_draft(session, world.inspector, inspection, {"answers": {"plan": "yes"}})
    with pytest.raises(
        TransitionRefused, match=r"not every required item is answered \(.*leadership"
    ):
        apply(session, world.inspector, inspection, "submit")
    save_draft(session, world.inspector, inspection, {"answers": PASSING})
    apply(session, world.inspector, inspection, "submit")
    assert inspection.state == "submitted"


def test_draft_saves_count_revisions_and_refuse_a_stale_base(tablet, world, session):  # noqa: F811
    url = f"/api/v1/inspections/{world.inspection.id}/draft"
    assert tablet.get(url).get_json()["revision"] == 0
    first = tablet.put(url, json={"answers": {"plan": "yes"}, "notes": {"plan": "ok"}})
    assert first.status_code == 200 and first.get_json()["revision"] == 1
    second = tablet.put(url, json={"answers": {"plan": "no"}, "base_revision": 1})
    assert second.get_json()["revision"] == 2
    stale = tablet.put(url, json={"answers": {"plan": "yes"}, "base_revision": 1})
    assert stale.status_code == 409 and stale.get_json()["error"] == "draft_changed"
    # The same content again on the old base (a save whose answer the device never got,
    # sent again from the next page): nothing to merge, and nothing changes.
    again = tablet.put(url, json={"answers": {"plan": "no"}, "base_revision": 1})
    assert again.status_code == 200 and again.get_json()["revision"] == 2
    not_a_number = tablet.put(url, json={"answers": {"plan": "yes"}, "base_revision": "1"})
    assert not_a_number.status_code == 422  # said in the tablet's language, like every error
    assert "草稿版本号" in not_a_number.get_json()["fields"]["base_revision"]
    unknown = tablet.put(url, json={"answers": {"nope": 1}})
    assert unknown.status_code == 422 and "nope" in unknown.get_json()["fields"]
    got = tablet.get(url).get_json()
    assert got["answers"] == {"plan": "no"} and got["revision"] == 2
    assert session.scalar(select(func.count()).select_from(InspectionDraft)) == 1


def test_a_save_racing_another_tablets_is_refused_not_lost(app, session, world):  # noqa: F811
    """Both read revision 1; the other tablet's save lands first. The base check passed on
    what this one read, so only the UPDATE's own condition can refuse it."""
    inspection = session.get(Inspection, world.inspection.id)
    first = save_draft(session, world.inspector, inspection, {"answers": {"plan": "yes"}})
    assert first.revision == 1
    session.commit()
    read = session.scalar(select(InspectionDraft))  # this tablet's request read revision 1
    with app.extensions["dudao"].engine.begin() as other:  # the other tablet's save commits
        other.execute(
            update(InspectionDraft).values(answers={"plan": "no"}, revision=read.revision + 1)
        )
    with pytest.raises(sub_service.SubmissionConflict) as refused:
        save_draft(session, world.inspector, inspection, {"answers": {"plan": "yes"}}, 1)
    assert refused.value.code == "draft_changed"
    session.rollback()
    assert session.scalar(select(InspectionDraft)).answers == {"plan": "no"}


def test_a_draft_save_meeting_another_write_is_saved_not_a_500(app, tablet, world, session):  # noqa: F811
    """Another request (the inspector switching language, as on a CI run) writes between
    the draft save's read of the draft and its write. On SQLite the save used to start as
    a reader, and SQLite refuses at once to upgrade a reader another write has overtaken
    ("database is locked", a 500 the tablet retries). Now the save holds the write lock
    from its start: the other write waits its turn (here: is refused without waiting, and
    is done after), and both are kept. PostgreSQL lets them overlap."""
    engine = app.extensions["dudao"].engine
    other = make_engine(engine.url.render_as_string(hide_password=False))
    sqlite = engine.dialect.name == "sqlite"
    landed: list[bool] = []

    def switch_language() -> None:
        with other.begin() as connection:
            if sqlite:  # a refusal, not a wait: this runs inside the draft's own request
                connection.exec_driver_sql("PRAGMA busy_timeout=0")
            connection.execute(
                update(User).where(User.id == world.inspector.id).values(locale="en")
            )

    def between_read_and_write(_conn, _cursor, statement: str, *_args) -> None:
        if landed or not statement.startswith("SELECT") or "FROM inspection_draft" not in statement:
            return
        try:
            switch_language()
            landed.append(True)
        except OperationalError:
            landed.append(False)  # the draft's transaction holds the write lock

    event.listen(engine, "after_cursor_execute", between_read_and_write)
    try:
        url = f"/api/v1/inspections/{world.inspection.id}/draft"
        saved = tablet.put(url, json={"answers": {"plan": "yes"}})
    finally:
        event.remove(engine, "after_cursor_execute", between_read_and_write)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert landed == [not sqlite]
    if not landed[0]:
        switch_language()  # its turn, once the draft's transaction has committed
    other.dispose()
    session.expire_all()
    assert session.scalar(select(InspectionDraft.answers)) == {"plan": "yes"}
    assert session.get(User, world.inspector.id).locale == "en"


def test_a_draft_save_its_caller_rolls_back_is_not_kept(session, world):  # noqa: F811
    """The service flushes and its caller decides. On SQLite the save's SAVEPOINT, opened
    outside a transaction, began one of its own, and its RELEASE committed the draft."""
    inspection = session.get(Inspection, world.inspection.id)
    save_draft(session, world.inspector, inspection, {"answers": {"plan": "yes"}})
    session.rollback()
    assert session.scalar(select(func.count()).select_from(InspectionDraft)) == 0


def test_two_concurrent_submits_with_one_id_make_one_row(app, world, session, monkeypatch):  # noqa: F811
    """Both requests pass their checks before either inserts; the UNIQUE constraint decides
    (PostgreSQL: the second insert waits for the first transaction; SQLite: for the lock)
    and the loser replays the winner's answer."""
    barrier = threading.Barrier(2, timeout=20)
    original = sub_service.check_open_for
    seen: set[int] = set()

    def check_then_wait(*args, **kwargs):
        original(*args, **kwargs)
        if threading.get_ident() not in seen:
            seen.add(threading.get_ident())
            barrier.wait()

    monkeypatch.setattr(sub_service, "check_open_for", check_then_wait)
    body = payload()
    results: list = [None, None]

    def run(index: int) -> None:
        client = app.test_client()
        sign_in(client, "insp")
        response = client.post(URL.format(world.inspection.id), json=body)
        results[index] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(status for status, _ in results) == [200, 201], results
    assert results[0][1] == results[1][1]
    assert _count(session) == 1
    assert session.scalar(select(Submission.submission_id)) == str(uuid.UUID(body["submission_id"]))
