"""The review and rectification pages (issue 5): the office returns a submission with a comment
per item and approves it on the inspection page; a finding opens a task; the unit lead answers
it with photo evidence; the inspector who made the finding or the office verifies or reopens."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import render_template_string
from sqlalchemy import select

from dudao.inspections.submission_models import Photo, Rectification, Submission
from dudao.notifications.jobs import sweep_transition_notifications
from dudao.notifications.models import Notification
from tests.conftest import repeated_ids
from tests.inspection_world import jpeg, world  # noqa: F401
from tests.rectification_world import (  # noqa: F401
    approved,
    as_user,
    expected_version,
    open_task,
    review,
    submit,
)


def test_the_office_returns_with_item_comments_and_nothing_typed_is_lost(app, world, session):  # noqa: F811
    submit(app, world)
    office = as_user(app, "office")
    page = office.get(f"/inspections/{world.inspection.id}").get_data(as_text=True)
    assert 'id="review-form"' in page and 'name="c_plan"' in page and "没有实施方案" in page
    assert 'value="approve"' not in page.split('id="review-form"')[0]  # not twice
    version = expected_version(page)

    refused = review(office, world, decision="return", expected_version=version, c_plan="请补充")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="comment-error"' in text and "请补充</textarea>" in text  # kept, error beside
    too_long = review(
        office, world, decision="return", comment="x", expected_version=version,
        c_interviews="长" * 2001,
    )  # fmt: skip
    assert too_long.status_code == 422 and 'id="c-interviews-error"' in too_long.get_data(True)
    with_comments = review(
        office, world, decision="approve", expected_version=version, c_plan="请补充"
    )
    assert with_comments.status_code == 422  # item comments go with a return: kept, not lost
    assert "请补充</textarea>" in with_comments.get_data(as_text=True)
    stale = review(office, world, decision="return", comment="x", expected_version="1")
    assert stale.status_code == 409
    session.expire_all()
    assert session.scalar(select(Submission)).review_state == "pending"

    done = review(
        office, world, decision="return", comment="请补充材料", expected_version=version,
        c_plan="请上传实施方案照片", c_interviews="",
    )  # fmt: skip
    assert done.status_code == 302
    session.expire_all()
    stored = session.scalar(select(Submission))
    assert stored.review_state == "returned" and stored.review_comment == "请补充材料"
    assert stored.item_comments == {"plan": "请上传实施方案照片"}
    assert world.inspection.state == "returned"

    # Beside the item for everybody who opens the inspection, and in the tablet's data.
    shown = as_user(app, "insp").get(f"/inspections/{world.inspection.id}").get_data(as_text=True)
    item = shown.split('id="ri-plan"')[1].split("</li>")[0]
    assert "请上传实施方案照片" in item and 'id="review-form"' not in shown
    tablet = as_user(app, "insp").get(f"/inspect/{world.inspection.id}").get_data(as_text=True)
    assert '"item_comments":{"plan":"请上传实施方案照片"}' in tablet


def test_a_finding_opens_a_task_and_the_leads_are_told(app, world, session, approved):  # noqa: F811
    office = as_user(app, "office")
    page = office.get(f"/inspections/{world.inspection.id}").get_data(as_text=True)
    url = f"/inspections/{world.inspection.id}/findings/{approved}/rectification"
    assert f'id="finding-{approved}"' in page and f'action="{url}"' in page
    prefix = f"f{approved}-"
    refused = office.post(
        url, data={f"{prefix}owner_unit": world.org.unit_a1.id, f"{prefix}deadline": "2027-01-31"}
    )
    assert refused.status_code == 422
    assert f'id="{prefix}description-error"' in refused.get_data(as_text=True)
    # The page opens at its top, far above the form: the refusal is said there too.
    assert "整改任务尚未发起" in refused.get_data(as_text=True).split('id="findings"')[0]

    def opening(owner, deadline: str = "2027-01-31"):
        fields = {"owner_unit": owner.id, "deadline": deadline, "description": "x"}
        return office.post(url, data={prefix + name: value for name, value in fields.items()})

    past = opening(world.org.unit_a1, "2020-01-31")
    assert past.status_code == 422
    beside = past.get_data(as_text=True).split(f'id="{prefix}deadline-error"')[1]
    assert beside.split("</p>")[0].endswith("期限不能早于今天。")
    outside = opening(world.org.company_b)
    assert outside.status_code == 422  # not a choice: the owner is the unit or one above it
    # Only a unit lead on the owner or above it answers: company A has none (A1 has one).
    leadless = opening(world.org.company_a)
    assert leadless.status_code == 422
    beside = leadless.get_data(as_text=True).split(f'id="{prefix}owner_unit-error"')[1]
    assert beside.split("</p>")[0].endswith("或先为其指定负责人。")
    assert "已通知" not in leadless.get_data(as_text=True)
    assert session.scalar(select(Rectification)) is None

    opened = office.post(
        url, data={f"{prefix}owner_unit": world.org.unit_a1.id,
                   f"{prefix}deadline": "2027-01-31", f"{prefix}description": "制定实施方案"},
    )  # fmt: skip
    assert opened.status_code == 302
    task = session.scalar(select(Rectification))
    assert opened.headers["Location"].endswith(f"/rectifications/{task.id}")
    assert (task.state, task.unit_id, task.description) == (
        "open",
        world.org.unit_a1.id,
        "制定实施方案",
    )
    again = office.get(f"/inspections/{world.inspection.id}").get_data(as_text=True)
    assert f"/rectifications/{task.id}" in again and f'action="{url}"' not in again

    sweep_transition_notifications()
    session.expire_all()
    told = session.scalars(select(Notification).where(Notification.user_id == world.lead.id)).all()
    assert [(n.kind, n.link) for n in told] == [("assigned", f"/rectifications/{task.id}")]


def test_the_lead_answers_with_photos_and_a_refusal_keeps_them(app, world, session, approved):  # noqa: F811
    task_id = open_task(app, world, approved)
    lead = as_user(app, "lead")
    listing = lead.get("/rectifications").get_data(as_text=True)
    assert f"/rectifications/{task_id}" in listing.split('id="open"')[1].split("</section>")[0]
    page = lead.get(f"/rectifications/{task_id}").get_data(as_text=True)
    assert "制定实施方案" in page and "没有实施方案" in page and 'id="answer-form"' in page
    url = f"/rectifications/{task_id}/answer"

    no_text = lead.post(
        url, data={"expected_version": "1", "photos": (io.BytesIO(jpeg()), "fixed.jpg")},
        content_type="multipart/form-data",
    )  # fmt: skip
    text = no_text.get_data(as_text=True)
    assert no_text.status_code == 422 and 'id="response-error"' in text
    [kept] = re.findall(r'name="kept" value="([0-9a-f]+)"', text)
    not_image = lead.post(
        url, data={"expected_version": "1", "response": "已制定方案", "kept": kept,
                   "photos": (io.BytesIO(b"not a photo"), "notes.txt")},
        content_type="multipart/form-data",
    )  # fmt: skip
    text = not_image.get_data(as_text=True)
    assert not_image.status_code == 422 and 'id="photos-error"' in text
    # The photo service's refusal, in the page's language.
    assert "notes.txt: 此文件不是督导系统可以读取的图片。" in text
    assert "已制定方案</textarea>" in text and f'name="kept" value="{kept}"' in text
    session.expire_all()
    assert session.get(Rectification, task_id).state == "open"

    sent = lead.post(
        url, data={"expected_version": "1", "response": "已制定方案并公示", "kept": kept},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert sent.status_code == 302
    session.expire_all()
    task = session.get(Rectification, task_id)
    assert (task.state, task.response, task.evidence_photo_ids) == (
        "submitted",
        "已制定方案并公示",
        [kept],
    )
    photo = session.get(Photo, kept)
    assert photo.item_key == "plan" and photo.inspection_id == world.inspection.id
    shown = lead.get(f"/rectifications/{task_id}").get_data(as_text=True)
    assert f"/api/v1/photos/{kept}" in shown and 'id="answer-form"' not in shown
    assert lead.get(f"/api/v1/photos/{kept}").status_code == 200
    # A colleague who may open the page but not the photos is told they exist, no broken images.
    other = as_user(app, "other")
    seen = other.get(f"/rectifications/{task_id}").get_data(as_text=True)
    assert other.get(f"/api/v1/photos/{kept}").status_code == 404
    assert f"/api/v1/photos/{kept}" not in seen and "共 1 张照片" in seen
    sweep_transition_notifications()  # the inspector who made the finding hears of the answer
    session.expire_all()
    told = select(Notification.kind).where(
        Notification.user_id == world.inspector.id, Notification.link.like("/rectifications/%")
    )
    assert session.scalars(told).all() == ["submitted"]


def test_an_answer_takes_a_phones_photos_in_one_request(app, world, session, approved):  # noqa: F811
    """Two photos of 9.8 MB, as a phone takes them, were beyond the app-wide 16 MB: a bare
    413 page lost the answer typed, and nothing said so before sending."""
    task_id = open_task(app, world, approved)
    lead = as_user(app, "lead")
    page = lead.get(f"/rectifications/{task_id}").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="photos"[^>]*>', page).group(0)
    assert 'data-max-files="5"' in box and f'data-max-bytes="{10 * 1024 * 1024}"' in box
    assert 'accept=".jpeg,.jpg,.png,.webp"' in box and "uploads.js" in page
    url = f"/rectifications/{task_id}/answer"

    def post(photos):
        data = {"expected_version": "1", "response": "已制定方案", "photos": photos}
        return lead.post(url, data=data, content_type="multipart/form-data")

    six = post([(io.BytesIO(jpeg(100 + n, 100)), f"{n}.jpg") for n in range(6)])
    assert six.status_code == 422 and "最多选择 5 个文件。" in six.get_data(as_text=True)
    eleven_mb = jpeg() + bytes(11 * 1024 * 1024)
    large = post([(io.BytesIO(eleven_mb), "IMG_1.jpg")]).get_data(as_text=True)
    assert "IMG_1.jpg 超过 10 MB，请选择较小的文件。" in large and "已制定方案</textarea>" in large
    assert session.scalars(select(Photo)).all() == []
    size = int(9.8 * 1024 * 1024)
    shots = [jpeg(800, 600), jpeg(640, 480)]
    sent = post(
        [(io.BytesIO(s + bytes(size - len(s))), f"IMG_{n}.jpg") for n, s in enumerate(shots)]
    )
    assert sent.status_code == 302
    session.expire_all()
    task = session.get(Rectification, task_id)
    assert (task.state, len(task.evidence_photo_ids)) == ("submitted", 2)


def test_only_the_maker_or_the_office_verifies(app, world, session, user_factory, approved):  # noqa: F811
    task_id = open_task(app, world, approved)
    lead = as_user(app, "lead")
    answer = {"expected_version": "1", "response": "已制定方案"}
    assert lead.post(f"/rectifications/{task_id}/answer", data=answer).status_code == 302
    version = session.get(Rectification, task_id).version

    other = as_user(app, "other")  # an inspector on company A who did not make the finding
    page = other.get(f"/rectifications/{task_id}").get_data(as_text=True)
    assert 'value="verify"' not in page and 'value="reopen"' not in page
    act = f"/rectifications/{task_id}/act"
    assert (
        other.post(act, data={"action": "verify", "expected_version": version}).status_code == 403
    )
    assert other.get("/rectifications").get_data(as_text=True).count("/rectifications/") == 0

    maker = as_user(app, "insp")
    assert f"/rectifications/{task_id}" in maker.get("/rectifications").get_data(as_text=True)
    no_comment = maker.post(act, data={"action": "reopen", "expected_version": version})
    assert no_comment.status_code == 422
    reopened = maker.post(
        act, data={"action": "reopen", "comment": "方案未公示", "expected_version": version}
    )
    assert reopened.status_code == 302
    session.expire_all()
    task = session.get(Rectification, task_id)
    assert task.state == "in_progress"
    # The lead reads why above the answer form, not only in the history at the bottom.
    again = lead.get(f"/rectifications/{task_id}").get_data(as_text=True)
    assert "方案未公示" in again.split('id="reopened"')[1].split('id="answer-form"')[0]
    assert repeated_ids(again) == []  # the earlier answer and the form's box: a label each
    # Still there once the deadline passes (the timer's step comes after the reopening).
    from dudao.workflow import timers

    assert timers.run(session, task.deadline + timedelta(days=1)).moved == 1
    session.commit()
    late = lead.get(f"/rectifications/{task_id}").get_data(as_text=True)
    assert "方案未公示" in late.split('id="reopened"')[1].split('id="answer-form"')[0]
    session.expire_all()
    task = session.get(Rectification, task_id)
    answer["expected_version"] = str(task.version)
    assert lead.post(f"/rectifications/{task_id}/answer", data=answer).status_code == 302
    session.expire_all()
    office = as_user(app, "office")
    page = office.get(f"/rectifications/{task_id}").get_data(as_text=True)
    verify_form = page.split('value="verify"')[1].split("</form>")[0]
    assert 'name="comment"' in verify_form and "required" not in verify_form  # optional
    version = session.get(Rectification, task_id).version
    verified = office.post(
        act, data={"action": "verify", "comment": "现场复核，整改到位", "expected_version": version}
    )
    assert verified.status_code == 302
    session.expire_all()
    assert session.get(Rectification, task_id).state == "verified"
    history = office.get(f"/rectifications/{task_id}").get_data(as_text=True)
    assert "方案未公示" in history and "已制定方案" in history and "现场复核，整改到位" in history
    listing = lead.get("/rectifications").get_data(as_text=True)
    assert f"/rectifications/{task_id}" in listing.split('id="verified"')[1]


def test_outside_the_scope_a_task_is_not_found(app, world, session, approved):  # noqa: F811
    task_id = open_task(app, world, approved)
    outsider = as_user(app, "outsider")
    assert outsider.get(f"/rectifications/{task_id}").status_code == 404
    assert f"/rectifications/{task_id}" not in outsider.get("/rectifications").get_data(True)
    posted = outsider.post(f"/rectifications/{task_id}/act", data={"action": "cancel"})
    assert posted.status_code == 404


def _answered_task(app, world, approved):  # noqa: F811
    """A task its owner's lead has answered, and who acts on it: lead, maker, office."""
    task_id = open_task(app, world, approved)
    lead, maker, office = as_user(app, "lead"), as_user(app, "insp"), as_user(app, "office")
    answer = {"expected_version": "1", "response": "已制定方案"}
    assert lead.post(f"/rectifications/{task_id}/answer", data=answer).status_code == 302
    return task_id, lead, maker, office


def test_a_cancelled_task_no_longer_asks_for_an_answer(app, world, session, approved):  # noqa: F811
    """The reopening's reason heads the page only while the owner still has to answer."""
    task_id, lead, maker, office = _answered_task(app, world, approved)
    act = f"/rectifications/{task_id}/act"
    version = session.get(Rectification, task_id).version
    reopen = {"action": "reopen", "comment": "方案未公示", "expected_version": version}
    assert maker.post(act, data=reopen).status_code == 302
    assert 'id="reopened"' in lead.get(f"/rectifications/{task_id}").get_data(as_text=True)
    session.expire_all()
    version = session.get(Rectification, task_id).version
    cancel = {"action": "cancel", "reason": "机构调整，任务取消", "expected_version": version}
    assert office.post(act, data=cancel).status_code == 302
    session.expire_all()
    assert session.get(Rectification, task_id).state == "cancelled"
    page = lead.get(f"/rectifications/{task_id}").get_data(as_text=True)
    assert 'id="reopened"' not in page and "方案未公示" in page  # in the history only


def test_a_comment_or_reason_too_long_is_said_beside_it_and_kept(app, world, session, approved):  # noqa: F811
    """A required comment over the engine's 4,000 characters answered a bare 400 page."""
    task_id, _lead, maker, office = _answered_task(app, world, approved)
    act = f"/rectifications/{task_id}/act"
    version = session.get(Rectification, task_id).version
    page = maker.get(f"/rectifications/{task_id}").get_data(as_text=True)
    boxes = re.findall(r"<textarea name=\"(?:comment|reason)\"[^>]*>", page)
    assert boxes and all('maxlength="4000"' in box for box in boxes)

    long = "未" * 5000
    for client, action, field in ((maker, "reopen", "comment"), (office, "cancel", "reason"),
                                  (office, "verify", "comment")):  # fmt: skip
        data = {"action": action, field: long, "expected_version": version}
        refused = client.post(act, data=data)
        text = refused.get_data(as_text=True)
        assert refused.status_code == 422, action
        form = text.split(f'value="{action}"')[1].split("</form>")[0]
        assert f"{long}</textarea>" in form and "不能超过 4000 个字符。" in form
    session.expire_all()
    assert session.get(Rectification, task_id).state == "submitted"


@pytest.mark.parametrize(
    ("grade", "passed", "shown"),
    [
        ("不合格", False, '40.0% · 不合格 · <span class="tag danger">关键项不合格</span>'),
        ("优秀", True, "40.0% · 优秀"),
        # A low score with no critical failure is not "合格" beside its grade 不合格.
        ("不合格", True, "40.0% · 不合格"),
        (None, True, '40.0% · <span class="tag muted">无关键项不合格</span>'),
    ],
)
def test_the_score_line_says_the_grade_and_a_critical_failure(app, grade, passed, shown):
    sub = SimpleNamespace(percent=40.0, passed=passed, grade_in=lambda _locale: grade)
    template = (
        '{% from "inspections/_review.html" import score_line with context %}{{ score_line(sub) }}'
    )
    with app.test_request_context():
        assert render_template_string(template, sub=sub) == shown


def test_the_verified_list_says_it_holds_only_the_latest(session, org, signed_in, monkeypatch):
    """Only the most recently verified tasks are listed: a full list says "the latest 3", not
    a total of 3 the reader takes for all of them; a shorter one gives its count."""
    from datetime import date

    from dudao.inspections import rectification_queries
    from tests import analytics_world

    monkeypatch.setattr(rectification_queries, "VERIFIED_SHOWN", 3)
    for day in range(1, 5):
        analytics_world.rectification(session, org.branch_a1, date(2026, 3, day), "verified")
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    page = client.get("/rectifications").get_data(as_text=True)
    assert '已验收 <span class="muted">(最近 3 项)</span>' in page
    monkeypatch.setattr(rectification_queries, "VERIFIED_SHOWN", 5)
    page = client.get("/rectifications").get_data(as_text=True)
    assert '已验收 <span class="muted">(4)</span>' in page


def test_an_imported_task_says_why_it_has_no_history(app, world, session, tmp_path):  # noqa: F811
    """A task on a finding of the imported history (as the demo makes them) has no steps in
    the audit log: its page and its inspection's say so instead of an empty table."""
    from datetime import date

    from dudao.inspections.models import Inspection, InspectionOrigin
    from dudao.inspections.submission_models import Finding
    from tests.trend_world import load, row

    assert load(session, tmp_path, [row(world.org.branch_a1.code, 0, plan="no")]).created == 1
    imported = select(Inspection).where(Inspection.origin == InspectionOrigin.IMPORT)
    inspection = session.scalar(imported)
    finding = session.scalar(select(Finding).where(Finding.inspection_id == inspection.id))
    task = Rectification(finding_id=finding.id, unit_id=finding.unit_id, deadline=date(2024, 2, 14),
                         description="按检查发现的问题完成整改", state="verified")  # fmt: skip
    session.add(task)
    session.commit()
    office = as_user(app, "office")
    for url in (f"/rectifications/{task.id}", f"/inspections/{inspection.id}"):
        page = office.get(url).get_data(as_text=True)
        assert re.search(r'<p class="muted" id="history">[^<]*历史记录导入', page), url
