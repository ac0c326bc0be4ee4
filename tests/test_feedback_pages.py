"""Named feedback: a representative writes, the office handles through the workflow and
answers, the author reads the answer; nobody else sees the item."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from dudao.audit.models import AuditEvent
from dudao.feedback.models import FeedbackAttachment, FeedbackItem, FeedbackKind
from tests.conftest import sign_in


def _submit(client, unit, path="/feedback/new", **extra):
    data = {
        "kind": "opinion", "unit": str(unit.id), "category": "service",
        "title": "食堂问题", "body": "希望改进职工食堂的服务。", **extra,
    }  # fmt: skip
    return client.post(path, data=data, content_type="multipart/form-data")


def test_a_representative_submits_and_reads_the_answer(client, session, org, user_factory):
    user_factory("rep", ("representative", org.unit_a1))
    user_factory("office_a", ("office", org.company_a))
    sign_in(client, "rep")
    assert client.get("/feedback/new").status_code == 200
    response = _submit(client, org.branch_a1, attachments=[(io.BytesIO(b"minutes"), "notes.txt")])
    assert response.status_code == 302
    item = session.scalars(select(FeedbackItem)).one()
    assert (item.state, item.kind, item.workflow) == ("received", "opinion", "feedback")
    assert item.category == "service"
    (attachment,) = session.scalars(select(FeedbackAttachment)).all()
    assert client.get(f"/feedback/mine/{item.id}/files/{attachment.id}").data == b"minutes"
    page = client.get(f"/feedback/mine/{item.id}").get_data(as_text=True)
    assert "食堂问题" in page and 'name="action"' not in page  # the author cannot handle it
    assert client.post(f"/feedback/{item.id}/action", data={"action": "start"}).status_code == 403
    assert "食堂问题" in client.get("/feedback/mine").get_data(as_text=True)

    client.post("/logout")
    sign_in(client, "office_a")
    assert "食堂问题" in client.get("/feedback").get_data(as_text=True)
    page = client.get(f"/feedback/{item.id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    client.post(f"/feedback/{item.id}/action", data={"action": "start", "version": version})
    session.expire_all()
    assert session.get(FeedbackItem, item.id).state == "in_handling"
    stale = client.post(
        f"/feedback/{item.id}/action",
        data={"action": "answer", "version": version, "comment": "已整改"},
    )
    assert stale.status_code == 409
    session.expire_all()
    assert session.get(FeedbackItem, item.id).state == "in_handling"  # changed meanwhile
    refused = client.post(
        f"/feedback/{item.id}/action", data={"action": "answer", "version": int(version) + 1}
    )
    assert refused.status_code == 422
    session.expire_all()
    assert session.get(FeedbackItem, item.id).answer is None  # an answer needs its text
    client.post(
        f"/feedback/{item.id}/action",
        data={"action": "answer", "version": int(version) + 1, "comment": "已与食堂沟通整改。"},
    )
    session.expire_all()
    answered = session.get(FeedbackItem, item.id)
    assert answered.state == "answered" and answered.answer == "已与食堂沟通整改。"
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"feedback.submitted", "feedback.start", "feedback.answer"} <= actions

    client.post("/logout")
    sign_in(client, "rep")
    assert "已与食堂沟通整改。" in client.get(f"/feedback/mine/{item.id}").get_data(as_text=True)


def test_others_see_nothing(client, session, org, user_factory):
    user_factory("rep", ("representative", org.unit_a1))
    user_factory("rep2", ("representative", org.unit_a1))
    user_factory("office_b", ("office", org.company_b))
    sign_in(client, "rep")
    _submit(client, org.branch_a1, attachments=[(io.BytesIO(b"x"), "a.txt")])
    item = session.scalars(select(FeedbackItem)).one()
    attachment = session.scalars(select(FeedbackAttachment)).one()
    outside = _submit(client, org.branch_b1)
    assert outside.status_code == 422  # B1-1 is not among the representative's units
    client.post("/logout")
    sign_in(client, "rep2")
    assert client.get(f"/feedback/mine/{item.id}").status_code == 404
    assert client.get(f"/feedback/mine/{item.id}/files/{attachment.id}").status_code == 404
    assert "食堂问题" not in client.get("/feedback/mine").get_data(as_text=True)
    client.post("/logout")
    sign_in(client, "office_b")
    assert client.get(f"/feedback/{item.id}").status_code == 404
    assert client.get(f"/feedback/{item.id}/files/{attachment.id}").status_code == 404
    assert "食堂问题" not in client.get("/feedback").get_data(as_text=True)


def test_office_records_a_report_meeting_and_bad_attachments_are_refused(
    client, session, org, user_factory
):
    user_factory("office_a", ("office", org.company_a))
    sign_in(client, "office_a")
    record = "/feedback/record"
    response = _submit(client, org.unit_a1, record, kind="report_meeting", title="四季度汇报会")
    assert response.status_code == 302
    bad = _submit(client, org.unit_a1, record, kind="research",
                  attachments=[(io.BytesIO(b"MZ"), "tool.exe")])  # fmt: skip
    assert bad.status_code == 422
    kinds = set(session.scalars(select(FeedbackItem.kind)))
    assert kinds == {"report_meeting"}
    notes = [(io.BytesIO(b"visit notes"), "notes.txt")]
    research = _submit(client, org.unit_a1, record, kind="research", attachments=notes)
    assert research.status_code == 302
    assert set(session.scalars(select(FeedbackItem.kind))) == {"report_meeting", "research"}
    assert _submit(client, org.unit_a1, record, kind="opinion").status_code == 422
    assert _submit(client, org.unit_a1).status_code == 403  # not a representative


def test_people_without_a_feedback_role_are_refused(client, org, user_factory):
    user_factory("inspector", ("inspector", org.company_a))
    sign_in(client, "inspector")
    for path in ("/feedback", "/feedback/new", "/feedback/mine", "/feedback/record"):
        assert client.get(path).status_code == 403


def test_the_start_page_links_to_the_right_feedback_page(client, org, user_factory):
    user_factory("rep", ("representative", org.unit_a1))
    user_factory("office_a", ("office", org.company_a))
    sign_in(client, "rep")
    assert 'href="/feedback/mine"' in client.get("/").get_data(as_text=True)
    client.post("/logout")
    sign_in(client, "office_a")
    assert 'href="/feedback"' in client.get("/").get_data(as_text=True)


def test_the_office_sees_who_wrote_the_feedback(client, session, org, user_factory):
    """Feedback is named: the office's queue and item page name the author."""
    user_factory("zhangsan", ("representative", org.unit_a1))
    user_factory("office_a", ("office", org.company_a))
    sign_in(client, "zhangsan")
    _submit(client, org.branch_a1)
    item = session.scalars(select(FeedbackItem)).one()
    assert "提交人" not in client.get(f"/feedback/mine/{item.id}").get_data(as_text=True)
    client.post("/logout")
    sign_in(client, "office_a")
    queue = client.get("/feedback").get_data(as_text=True)
    assert "<th>提交人</th>" in queue and "<td>Zhangsan</td>" in queue
    page = client.get(f"/feedback/{item.id}").get_data(as_text=True)
    assert re.search(r"<dt>提交人</dt><dd>Zhangsan <small[^>]*>zhangsan</small></dd>", page)


def _received_at_the_office(client, session, org, user_factory) -> FeedbackItem:
    """An item a representative sent, and the client signed in as the office that handles it."""
    user_factory("rep", ("representative", org.unit_a1))
    user_factory("office_a", ("office", org.company_a))
    sign_in(client, "rep")
    _submit(client, org.branch_a1)
    item = session.scalars(select(FeedbackItem)).one()
    client.post("/logout")
    sign_in(client, "office_a")
    return item


def test_an_answer_of_blanks_is_refused_in_the_page_language(client, session, org, user_factory):
    item = _received_at_the_office(client, session, org, user_factory)
    refused = client.post(
        f"/feedback/{item.id}/action",
        data={"action": "answer", "version": item.version, "comment": "  \n "},
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="c-answer-error">请先填写答复或说明。' in page and "comment: required" not in page
    session.expire_all()
    assert (item.state, item.answer) == ("received", None)
    client.post(f"/feedback/{item.id}/action", data={"action": "start", "version": item.version})
    again = client.post(
        f"/feedback/{item.id}/action", data={"action": "start", "version": item.version + 1}
    )
    assert again.status_code == 409 and "此步骤现在无法进行" in again.get_data(as_text=True)


def test_an_answer_is_kept_when_the_item_changed_or_it_is_too_long(
    client, session, org, user_factory
):
    """Both threw the typed answer away: a redirect after "changed meanwhile", and a
    200,000-character answer was stored, shown and e-mailed."""
    item = _received_at_the_office(client, session, org, user_factory)
    url, seen = f"/feedback/{item.id}/action", item.version
    page = client.get(f"/feedback/{item.id}").get_data(as_text=True)
    assert 'maxlength="4000"' in page
    client.post(url, data={"action": "start", "version": seen})  # in another tab

    stale = client.post(url, data={"action": "answer", "version": seen, "comment": "已与食堂沟通"})
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "仍可提交" in page
    answer_form = page.split('value="answer"')[1].split("</form>")[0]
    assert "已与食堂沟通</textarea>" in answer_form
    assert f'name="version" value="{seen + 1}"' in page.split('value="answer"')[0]

    long = "长" * 200_000
    too_long = client.post(url, data={"action": "answer", "version": seen + 1, "comment": long})
    page = too_long.get_data(as_text=True)
    assert too_long.status_code == 422
    assert f"{long}</textarea>" in page and 'id="c-answer-error">不能超过 4000 个字符。' in page
    session.expire_all()
    assert (session.get(FeedbackItem, item.id).state, item.answer) == ("in_handling", None)

    client.post(url, data={"action": "answer", "version": seen + 1, "comment": "已答复"})
    late = client.post(url, data={"action": "answer", "version": seen + 1, "comment": "第二份答复"})
    page = late.get_data(as_text=True)
    assert late.status_code == 409 and "尚未提交" in page
    assert 'id="unsent" rows="4" readonly>第二份答复</textarea>' in page


def test_attachment_problems_and_choices_are_in_the_page_language(client, org, user_factory):
    user_factory("rep", ("representative", org.unit_a1))
    sign_in(client, "rep")
    bad = _submit(client, org.branch_a1, attachments=[(io.BytesIO(b"MZ"), "tool.exe")])
    assert bad.status_code == 422
    assert "tool.exe：只能附加 PDF、图片、DOCX、XLSX 或 TXT 文件。" in bad.get_data(as_text=True)
    # A name is chosen by whoever sends the file: a text called a PDF is not stored as one.
    fake = _submit(client, org.branch_a1, attachments=[(io.BytesIO(b"not a pdf"), "纪要.pdf")])
    assert fake.status_code == 422
    assert "纪要.pdf 的内容与其扩展名（.pdf）不符，请附上原文件本身。" in fake.get_data(
        as_text=True
    )
    # Refused for a blank title: the files chosen are not kept by the browser, and it says so.
    untitled = _submit(
        client, org.branch_a1, title="", attachments=[(io.BytesIO(b"x"), "会议纪要.txt")]
    )
    assert untitled.status_code == 422
    assert "所选文件（会议纪要.txt）未能保留，请重新选择。" in untitled.get_data(as_text=True)
    # Two bad files and a good one: each bad one is named, and the good one is to choose again.
    files = [(io.BytesIO(b"%PDF-1.7"), "纪要.pdf"), (io.BytesIO(b"PK"), "照片.zip"),
             (io.BytesIO(b"MZ"), "tool.exe")]  # fmt: skip
    page = _submit(client, org.branch_a1, attachments=files).get_data(as_text=True)
    again = "所选文件（纪要.pdf）"
    for named in ("照片.zip：只能附加", "tool.exe：只能附加", again):
        assert named in page, named
    client.post("/lang", data={"lang": "en", "next": "/feedback/new"})
    page = client.get("/feedback/new").get_data(as_text=True)
    assert ">Opinion or suggestion</option>" in page and ">Organisation</option>" in page
    assert "意见建议</option>" not in page and "组织建设" not in page


def test_no_unit_lead_hears_of_named_feedback_about_their_unit(
    client, session, org, user_factory, settings
):
    """Feedback has no assignees; notifications must not hand it to the unit's leads as
    they do a rectification (a reopened item told them, with the office's comment). Its
    author hears of the answer, and only of that, with a link to their own page (the
    office's page was a 403 for them)."""
    from dudao.feedback.services import handle, submit_feedback
    from dudao.notifications.transitions import derive

    rep = user_factory("rep", ("representative", org.unit_a1))
    user_factory("lead", ("unit_lead", org.unit_a1))
    office = user_factory("office_a", ("office", org.company_a))
    item = submit_feedback(
        session, rep, unit=org.branch_a1, kind=FeedbackKind.OPINION, category="service",
        title="书记作风", body="……", uploads=[], data_dir=settings.data_dir,
    )  # fmt: skip
    for action, comment in (("start", ""), ("answer", "已答复"), ("reopen", "需再核实书记作风")):
        handle(session, office, item, action, expected_version=item.version, comment=comment)
        session.commit()
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "feedback_item"))
    told = [(m.user_id, m.kind, m.link) for m in derive(session, events.all())]
    assert told == [(rep.id, "answered", f"/feedback/mine/{item.id}")]
    sign_in(client, "rep")
    assert client.get(told[0][2]).status_code == 200


def test_attachments_up_to_their_limits_fit_one_request(client, session, org, user_factory):
    """Two files of 9 MB are within the form's promise (five of 10 MB each) but beyond the
    app-wide 16 MB: they were refused with a 413 page that lost the text typed."""
    user_factory("rep", ("representative", org.unit_a1))
    sign_in(client, "rep")
    nine_mb = 9 * 1024 * 1024
    scan = b"%PDF-1.7\n" + bytes(nine_mb - 9)
    scans = [(io.BytesIO(scan), f"扫描件{n}.pdf") for n in (1, 2)]
    assert _submit(client, org.branch_a1, attachments=scans).status_code == 302
    stored = session.scalars(select(FeedbackAttachment)).all()
    assert sorted(a.size for a in stored) == [nine_mb, nine_mb]
    # The larger limit is these views' own: elsewhere 16 MB still holds.
    big = {"lang": "en", "file": (io.BytesIO(bytes(17 * 1024 * 1024)), "big.pdf")}
    beyond = client.post("/lang", data=big, content_type="multipart/form-data")
    assert beyond.status_code == 413
