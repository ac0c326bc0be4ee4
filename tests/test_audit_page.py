"""The audit log page: who may see it, paging, filters and the before/after diff."""

from __future__ import annotations

import re

from dudao.audit.queries import Change, Value, field_changes
from dudao.audit.services import record
from dudao.auth.models import User
from dudao.org.services import update_unit
from tests.sqlite_steps import sqlite_steps


def _seqs(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', html)]


def test_the_organisations_admin_and_office_see_the_whole_log_others_do_not(client, org, signed_in):
    signed_in("gina", ("office", org.group))
    page = client.get("/audit")
    assert page.status_code == 200
    assert _seqs(page.get_data(as_text=True)) == list(range(10, 0, -1))
    assert 'href="/audit"' in client.get("/").get_data(as_text=True)
    client.post("/logout")
    # An event is not tied to a unit: company B's office would read company A's events.
    for role in ("office", "admin"):
        signed_in(f"{role}-b", (role, org.company_b))
        assert client.get("/audit").status_code == 403
        assert 'href="/audit"' not in client.get("/").get_data(as_text=True)
        client.post("/logout")
    for role in ("inspector", "unit_lead", "representative"):
        signed_in(f"{role}-user", (role, org.group))
        assert client.get("/audit").status_code == 403
        client.post("/logout")
    assert client.get("/audit").status_code == 302  # signed out: to the sign-in page


def test_pages_newest_first_and_clamps(client, session, org, signed_in):
    for i in range(60):
        record(session, None, "test.bulk", "thing", i)
    session.commit()
    signed_in("ada", ("admin", org.group))  # 8 units + user + grant + 60 = 70 events
    first = client.get("/audit").get_data(as_text=True)
    assert _seqs(first) == list(range(70, 20, -1))
    assert "共 70 条记录，第 1 / 2 页" in first  # zh_CN by default
    assert 'rel="next" href="/audit?page=2"' in first and 'rel="prev"' not in first
    second = client.get("/audit?page=2").get_data(as_text=True)
    assert _seqs(second) == list(range(20, 0, -1))
    assert _seqs(client.get("/audit?page=99").get_data(as_text=True)) == _seqs(second)
    assert _seqs(client.get("/audit?page=x").get_data(as_text=True)) == _seqs(first)


def test_filters_by_object_and_actor_and_keeps_them_when_paging(client, session, org, signed_in):
    signed_in("ada", ("admin", org.group))
    client.post("/lang", data={"lang": "en"})
    ada = session.query(User).filter_by(username="ada").one()
    update_unit(session, ada, org.unit_a1, name="甲一厂（新）")
    for _ in range(55):
        record(session, ada, "test.bulk", "thing", 7)
    session.commit()
    html = client.get(f"/audit?entity_type=unit&entity_id={org.unit_a1.id}").get_data(as_text=True)
    assert _seqs(html) == [11, 4]
    # Object types are named as people call them, in the filter and in the rows ("thing"
    # has no name: it shows as stored).
    assert '<option value="unit" selected>Unit</option>' in html
    assert '">Unit A1 甲一厂（新）</a>' in html and '<option value="thing">thing</option>' in html
    html = client.get("/audit?actor=ada").get_data(as_text=True)
    assert "56 events, page 1 of 2" in html
    assert (
        'href="/audit?actor=ada&amp;page=2"' in html or 'href="/audit?page=2&amp;actor=ada"' in html
    )
    html = client.get("/audit?entity_type=thing&entity_id=7&actor=ada&page=2").get_data(
        as_text=True
    )
    assert _seqs(html) == list(range(16, 11, -1))
    assert "No events match." in client.get("/audit?actor=nobody").get_data(as_text=True)
    # A type the log does not hold is named beside its field and left out, not a list of none.
    html = client.get("/audit?entity_type=zzz").get_data(as_text=True)
    assert 'data-filter-error="entity_type"' in html and "“zzz” is not one of the choices" in html
    everything = client.get("/audit").get_data(as_text=True)
    assert re.search(r"\d+ events, page 1 of \d+", everything).group(0) in html


def test_shows_before_and_after_readably(client, session, org, signed_in):
    update_unit(session, None, org.unit_a1, name="甲一厂（新）", tags=["mine"])
    session.commit()
    signed_in("ada", ("admin", org.group))
    html = client.get(f"/audit?entity_type=unit&entity_id={org.unit_a1.id}").get_data(as_text=True)
    assert '<dt title="name">单位名称</dt>' in html  # in words, the key kept in the title
    assert "<del>甲一厂</del> → <ins>甲一厂（新）</ins>" in html
    # A list as a list, the stored JSON in the title.
    assert '<del title="[]">—</del> → <ins title="[&#34;mine&#34;]">mine</ins>' in html
    row = html.split('<span title="unit.update">单位 · 编辑</span>')[1].split("</tr>")[0]
    assert '<dt title="headcount">' not in row


def test_field_changes():
    assert field_changes(None, {"a": 1, "b": None}) == [
        Change("a", None, Value("1")),
        Change("b", None, Value("None")),
    ]
    assert field_changes({"a": 1, "b": True}, {"a": 1, "b": False}) == [
        Change("b", Value("true"), Value("false"))
    ]
    assert field_changes({"gone": "x"}, {}) == [Change("gone", Value("x"), None)]
    assert field_changes(None, None) == []


def _log(session, count: int, types: tuple[str, ...], actor: str = "system") -> None:
    """`count` events spread over `types`, written directly (the chain is not the point)."""
    from sqlalchemy import func, insert, select

    from dudao.audit.models import AuditEvent

    start = session.scalar(select(func.max(AuditEvent.seq))) or 0
    rows = [
        {"seq": start + n, "actor_name": actor, "action": "test.bulk",
         "entity_type": types[n % len(types)], "entity_id": str(n),
         "prev_hash": "0" * 64, "hash": "0" * 64}
        for n in range(1, count + 1)
    ]  # fmt: skip
    session.execute(insert(AuditEvent), rows)
    session.commit()


def test_the_object_types_are_found_without_reading_the_whole_log(client, session, org, signed_in):
    """The page's list of object types costs a few index probes per type however long the
    log grows (a DISTINCT over every event ran on every view of the page)."""
    from dudao.audit.queries import entity_types

    _log(session, 50, ("zz_thing", "aa_thing"))
    signed_in("ada", ("admin", org.group))
    page = client.get("/audit").get_data(as_text=True)
    assert page.index('value="aa_thing"') < page.index('value="unit"') < page.index("zz_thing")
    if session.bind.dialect.name != "sqlite":
        return  # the work is counted in SQLite's virtual machine steps
    few, before = sqlite_steps(session, entity_types)
    _log(session, 5000, ("zz_thing", "aa_thing", "unit"))
    many, after = sqlite_steps(session, entity_types)
    assert many == few and "aa_thing" in many and "zz_thing" in many
    assert after < 2 * before, (before, after)


def test_a_user_s_events_are_found_without_reading_the_whole_log(client, session, org, signed_in):
    """Filtering by user name reads that user's events from an index, newest first, and
    counts them there: the page and its count cost the same however many events others add."""
    from dudao.audit.queries import AuditFilter, events_page

    _log(session, 3, ("thing",), actor="rare")
    signed_in("ada", ("admin", org.group))
    page = client.get("/audit?actor=rare").get_data(as_text=True)
    assert len(_seqs(page)) == 3 and "共 3 条记录" in page
    if session.bind.dialect.name != "sqlite":
        return  # the work is counted in SQLite's virtual machine steps

    def read(session):
        found = events_page(session, AuditFilter(actor="rare"))
        return found.total, [e.seq for e in found.events]

    few, before = sqlite_steps(session, read)
    _log(session, 5000, ("thing",))
    many, after = sqlite_steps(session, read)
    assert many == few and few[0] == 3
    assert after < 2 * before, (before, after)
