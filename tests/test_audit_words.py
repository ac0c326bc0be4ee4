"""The audit log page speaks its reader's language: what happened, the fields and the
values the product has names for, in Chinese or English; the keys stay in `title`."""

from __future__ import annotations

import re

from dudao.audit.services import record
from dudao.auth.models import User
from dudao.org.services import set_unit_active
from dudao.workflow.engine import apply
from tests.flag_world import make_flag


def visible(html: str) -> str:
    """The page's text as a reader sees it: no tags, so no attribute values either (a line
    break opportunity, <wbr>, joins its words)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", html.replace("<wbr>", "")))


def _squeezed(html: str) -> str:
    """Without the blanks between tags, to read a field's name and its values together."""
    return re.sub(r">\s+<", "><", html)


def _events(session, org, office: User) -> None:
    """One event of each kind the page has to word, written as the services write them."""
    flag = make_flag(session, org.branch_a1, rule="critical_failure")
    detected = {"rule": "critical_failure", "fingerprint": flag.fingerprint,
                "first_detected": "2026-10"}  # fmt: skip
    record(session, None, "trend_flag.create", "trend_flag", flag.id, after=detected)
    apply(session, office, flag, "acknowledge")  # flag_triage.acknowledge, by the engine
    record(session, office, "inspection.submit", "inspection", 7, {"state": "in_progress"},
           {"state": "submitted", "submission_id": "5f0c", "content_hash": "ab12"})  # fmt: skip
    record(session, None, "rectification.overdue", "rectification", 3, {"state": "in_progress"},
           {"state": "overdue", "timer": "overdue"})  # fmt: skip
    set_unit_active(session, office, org.branch_a2, False)
    session.commit()


def test_the_log_says_in_chinese_what_happened_and_keeps_the_keys_in_titles(
    client, session, org, signed_in
):
    signed_in("gina", ("office", org.group))
    office = session.query(User).filter_by(username="gina").one()
    _events(session, org, office)
    html = client.get("/audit").get_data(as_text=True)
    # What: the object type and the action, the workflow's own words for its actions.
    assert '<span title="trend_flag.create">问题线索 · 趋势分析发现</span>' in html
    assert '<span title="flag_triage.acknowledge">问题线索 · 确认</span>' in html
    assert '<span title="inspection.submit">检查 · 提交</span>' in html
    assert '<span title="rectification.overdue">整改 · 已逾期</span>' in html
    # An edit that only switched a unit off reads as a deactivation.
    assert '<span title="unit.update">单位 · 停用</span>' in html
    # Changes: field names in words, the key in the title; states and rules by name, the
    # stored key in the value's title.
    assert '<dt title="rule">规则</dt>' in html
    assert '<ins title="critical_failure">关键项不合格</ins>' in html
    assert '<dt title="first_detected">首次发现于</dt>' in html
    assert '<dt title="fingerprint">线索指纹</dt>' in html
    assert '<del title="new">新发现</del> → <ins title="acknowledged">已确认</ins>' in html
    assert '<del title="in_progress">检查中</del> → <ins title="submitted">已提交</ins>' in html
    squeezed = _squeezed(html)
    assert '<dt title="submission_id">提交编号</dt><dd><ins>5f0c</ins></dd>' in squeezed
    assert '<dt title="content_hash">内容指纹</dt>' in html
    assert '<del title="in_progress">整改中</del> → <ins title="overdue">已逾期</ins>' in html
    assert '<dt title="timer">定时器</dt><dd><ins title="overdue">已逾期</ins></dd>' in squeezed
    assert '<dt title="active">启用</dt><dd><del>是</del> → <ins>否</ins></dd>' in squeezed
    text = visible(html)
    keys = ("trend_flag.create", "flag_triage.acknowledge", "inspection.submit",
            "rectification.overdue", "unit.update", "first_detected", "submission_id",
            "content_hash", "in_progress", "submitted", "acknowledged", "true",
            "false")  # fmt: skip
    assert [key for key in keys if key in text] == []


def test_the_log_says_it_in_english_too(client, session, org, signed_in):
    signed_in("gina", ("office", org.group))
    office = session.query(User).filter_by(username="gina").one()
    _events(session, org, office)
    client.post("/lang", data={"lang": "en"})
    html = client.get("/audit").get_data(as_text=True)
    assert '<span title="trend_flag.create">Flag · Detected by trend analysis</span>' in html
    assert '<span title="flag_triage.acknowledge">Flag · Acknowledge</span>' in html
    assert '<span title="inspection.submit">Inspection · Submit</span>' in html
    assert '<span title="rectification.overdue">Rectification · Overdue</span>' in html
    assert '<dt title="rule">Rule</dt>' in html
    assert '<ins title="critical_failure">Critical item failed</ins>' in html
    assert '<del title="new">New</del> → <ins title="acknowledged">Acknowledged</ins>' in html
    assert '<del title="in_progress">In progress</del> → <ins title="submitted">' in html
    assert '<span title="unit.update">Unit · Deactivate</span>' in html
    assert '<dt title="first_detected">First detected in</dt>' in html
    assert '<dt title="active">In use</dt><dd><del>Yes</del> → <ins>No</ins></dd>' in (
        _squeezed(html)
    )
    text = visible(html)
    keys = ("trend_flag.create", "inspection.submit", "first_detected", "in_progress")
    assert [key for key in keys if key in text] == []


def test_an_action_or_field_without_words_shows_its_key(client, session, org, signed_in):
    record(session, None, "test.bulk", "thing", 1, after={"odd_field": "odd value", "n": 2})
    session.commit()
    signed_in("ada", ("admin", org.group))
    html = _squeezed(client.get("/audit?entity_type=thing").get_data(as_text=True))
    assert '<span title="test.bulk">test.bulk</span>' in html
    assert '<dt title="odd_field">odd_field</dt><dd><ins>odd value</ins></dd>' in html
    assert '<dt title="n">n</dt><dd><ins>2</ins></dd>' in html
