"""Anonymity of an answer: nothing written links it, tokens stored as hashes, logs masked."""

from __future__ import annotations

import logging

from sqlalchemy import select, text
from sqlalchemy.orm import Session

import dudao.models  # noqa: F401
from dudao.core.database import Base
from dudao.surveys.models import Invitation
from dudao.surveys.tokens import hash_code, hash_token
from dudao.web.logmask import TokenMaskFilter, mask
from tests import survey_world
from tests.survey_world import GOOD, answer


def _rows(session: Session) -> dict[str, list[dict]]:
    session.expire_all()
    return {
        t.name: [dict(r._mapping) for r in session.execute(select(t))]
        for t in Base.metadata.sorted_tables
    }


def test_every_column_written_while_answering_is_free_of_links(client, session, org):
    """Diff every table before and after answering: only the used flag and one pending row."""
    world = survey_world.build(session, org)
    token = world.tokens["A1-1"][3]
    invitation = session.scalars(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    ).one()
    before = _rows(session)
    assert answer(client, token, comment="意见").status_code == 302
    after = _rows(session)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"survey_invitation", "survey_pending_response"}
    (pending,) = after["survey_pending_response"]
    assert set(pending) == {"id", "campaign_id", "unit_id", "answers"}
    secrets = {token, hash_token(token), invitation.code_hash, str(invitation.id)}
    for value in pending.values():
        assert str(value) not in secrets
        assert not any(s in str(value) for s in secrets if len(s) > 3)
    assert len(pending["id"]) == 36 and pending["id"].count("-") == 4  # a random UUID
    inv_before = {r["id"]: r for r in before["survey_invitation"]}
    inv_after = {r["id"]: r for r in after["survey_invitation"]}
    diffs = {(i, k) for i in inv_after for k in inv_after[i] if inv_after[i][k] != inv_before[i][k]}
    assert diffs == {(invitation.id, "used")}
    # No table anywhere gained a column with a time, an address or an agent in it.
    for table in ("survey_pending_response", "survey_response", "survey_invitation"):
        columns = set(Base.metadata.tables[table].columns.keys())
        assert not columns & {"created_at", "updated_at", "used_at", "ip", "user_agent"}
        assert "invitation_id" not in columns and "user_id" not in columns


def test_tokens_and_codes_are_stored_only_as_hashes(session, org):
    world = survey_world.build(session, org)
    token, code = world.tokens["A1-1"][0], world.codes["A1-1"][0]
    dump = repr(_rows(session))
    assert token not in dump and code not in dump and code.replace("-", "") not in dump
    assert hash_token(token) in dump and hash_code(code) in dump
    if session.get_bind().dialect.name == "postgresql":
        found = session.execute(
            text("SELECT count(*) FROM survey_invitation WHERE token_hash = :t"), {"t": token}
        ).scalar()
        assert found == 0


def test_tokens_are_masked_in_request_logs(client, session, org, caplog):
    world = survey_world.build(session, org)
    token = world.tokens["A1-1"][0]
    assert mask(f'"GET /s/{token} HTTP/1.1" 200 -') == '"GET /s/*** HTTP/1.1" 200 -'
    assert mask(f"/s/o/{token}?x=1") == "/s/***?x=1"
    assert mask("/s/thanks") == "/s/thanks"
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '%s - - [%s] "%s" %s %s',
        ("127.0.0.1", "now", f"GET /s/{token} HTTP/1.1", "200", "-"),
        None,
    )
    assert TokenMaskFilter().filter(record) and token not in record.getMessage()
    gunicorn = logging.LogRecord(
        "gunicorn.access",
        logging.INFO,
        __file__,
        1,
        "%(r)s",
        ({"r": f"POST /s/o/{token}"},),
        None,
    )
    TokenMaskFilter().filter(gunicorn)
    assert token not in gunicorn.getMessage()
    # The filter sits on werkzeug's logger: a real record through it comes out masked.
    assert any(isinstance(f, TokenMaskFilter) for f in logging.getLogger("werkzeug").filters)
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('"%s" %s', f"GET /s/{token} HTTP/1.1", 200)
    assert token not in caplog.text and "/s/***" in caplog.text
    assert GOOD  # the answers fixture is shared with the other survey tests


def test_answering_requests_are_logged_without_the_members_address(client, session, org):
    """The answering page promises that no IP address is recorded: the access logs keep
    the request (masked) and its time, not who sent it; other pages keep the address."""
    werkzeug = '%s - - [%s] "%s" %s %s'.replace(
        "%s - - [%s]", "10.1.2.3 - - [26/Nov/2026 09:00:00]"
    )
    answering = (
        "POST /s/o/abcdefgh12345678 HTTP/1.1", "\x1b[32mPOST /s HTTP/1.1\x1b[0m",
        "GET /s/thanks HTTP/1.1", "GET /s?x=1 HTTP/1.1", "POST /lang HTTP/1.1",
    )  # fmt: skip
    for line in answering:
        record = logging.LogRecord("werkzeug", 20, __file__, 1, werkzeug, (line, "302", "-"), None)
        TokenMaskFilter().filter(record)
        assert "10.1.2.3" not in record.getMessage()
        assert record.getMessage().startswith("- - - [26/Nov/2026 09:00:00]")
    for line in ("GET /surveys HTTP/1.1", "GET /sw.js HTTP/1.1", "GET /language HTTP/1.1"):
        record = logging.LogRecord("werkzeug", 20, __file__, 1, werkzeug, (line, "200", "-"), None)
        TokenMaskFilter().filter(record)
        assert record.getMessage().startswith("10.1.2.3 - - ")
    sent = {"h": "10.1.2.3", "a": "Mozilla/5.0 (iPhone)", "{x-forwarded-for}i": "10.9.9.9",
            "r": "POST /s/o/abcdefgh12345678 HTTP/1.1", "t": "[26/Nov/2026:09:00:00]"}  # fmt: skip
    atoms = dict(sent)  # the filter rewrites the atoms in place
    record = logging.LogRecord("gunicorn.access", 20, __file__, 1, "%(h)s %(t)s %(r)s %(a)s "
                               "%({x-forwarded-for}i)s", (atoms,), None)  # fmt: skip
    TokenMaskFilter().filter(record)
    assert record.getMessage() == "- [26/Nov/2026:09:00:00] POST /s/*** HTTP/1.1 - -"
    # gunicorn's own atoms: a header the request did not send still formats, as "-".
    from gunicorn.glogging import SafeAtoms

    record = logging.LogRecord("gunicorn.access", 20, __file__, 1, "%(h)s %(r)s %({Referer}i)s "
                               "%({X-Forwarded-For}i)s", (SafeAtoms(sent),), None)  # fmt: skip
    TokenMaskFilter().filter(record)
    assert record.getMessage() == "- POST /s/*** HTTP/1.1 - -"
    other = SafeAtoms({**sent, "r": "GET /flags HTTP/1.1"})
    record = logging.LogRecord(
        "gunicorn.access", 20, __file__, 1, "%(h)s %(r)s %({Referer}i)s", (other,), None
    )
    TokenMaskFilter().filter(record)
    assert record.getMessage() == "10.1.2.3 GET /flags HTTP/1.1 -"  # other pages keep it
