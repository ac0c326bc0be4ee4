"""Shuffled batches: nothing in the stored responses says which answer came when.

On PostgreSQL the test reads the system columns a database administrator sees:
every response of a batch has one xmin, and neither the physical order (ctid)
nor the ids follow the order in which the invitations were answered.
"""

from __future__ import annotations

import statistics
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from dudao.core.database import utcnow
from dudao.surveys import answering
from dudao.surveys.batches import BATCH_MIN, move_all
from dudao.surveys.models import PendingResponse, Response
from tests import survey_world
from tests.survey_world import GOOD, answer


def _clean(index: int) -> dict:
    answers = {k: int(v) if v.isdigit() else v for k, v in GOOD.items()}
    return {**answers, "comment": f"answer-{index:03d}"}


def _answer_in_order(session: Session, tokens: list[str]) -> None:
    """One transaction per answer, as the web does, in the given order."""
    for index, token in enumerate(tokens):
        ticket = answering.ticket_for_token(session, token)
        answering.submit_answer(session, ticket, _clean(index))
        session.commit()


def _spearman(order: list[int]) -> float:
    n = len(order)
    d2 = sum((rank - value) ** 2 for rank, value in enumerate(order))
    return 1 - 6 * d2 / (n * (n * n - 1))


def _physical(session: Session) -> list[tuple[int, str, str]]:
    """(answer index, xmin or '', id) in physical order: ctid on PostgreSQL, rowid on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        sql = "SELECT answers, xmin::text AS x, id FROM survey_response ORDER BY ctid"
    else:
        sql = "SELECT answers, '' AS x, id FROM survey_response ORDER BY rowid"
    rows = session.execute(text(sql)).all()
    import json

    return [
        (int((a if isinstance(a, dict) else json.loads(a))["comment"][-3:]), x, i)
        for a, x, i in rows
    ]


def test_answers_wait_until_a_batch_is_big_enough(app, session, org):
    world = survey_world.build(session, org)
    factory = app.extensions["dudao"].session_factory
    _answer_in_order(session, world.tokens["A1-1"][: BATCH_MIN - 1])
    assert move_all(factory).moved == 0
    assert session.scalar(select(func.count()).select_from(Response)) == 0
    _answer_in_order(session, world.tokens["A1-1"][BATCH_MIN - 1 : BATCH_MIN])
    report = move_all(factory)
    assert (report.batches, report.moved) == (1, BATCH_MIN)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(PendingResponse)) == 0
    assert session.scalar(select(func.count()).select_from(Response)) == BATCH_MIN
    assert move_all(factory).moved == 0  # idempotent


def test_a_closed_campaign_flushes_a_small_remainder(app, session, org):
    world = survey_world.build(session, org)
    factory = app.extensions["dudao"].session_factory
    _answer_in_order(session, world.tokens["A1-2"][:3])
    assert move_all(factory).moved == 0
    world.campaign.opens_at = utcnow() - timedelta(days=3)
    world.campaign.closes_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert move_all(factory).moved == 3
    session.expire_all()
    periods = set(session.scalars(select(Response.period_label)))
    assert periods == {"2026-Q4"}


def test_the_job_runs_in_the_worker_context(app, session, org):
    from dudao.surveys.jobs import move_pending_responses

    world = survey_world.build(session, org)
    _answer_in_order(session, world.tokens["A1-1"][:BATCH_MIN])
    assert move_pending_responses(world.campaign.id) == {"batches": 1, "moved": BATCH_MIN}


def test_the_tenth_answer_over_http_enqueues_the_batch(app, client, session, org):
    from rq import Queue

    from dudao.core.queue import connect

    world = survey_world.build(session, org)
    for token in world.tokens["A1-1"][:BATCH_MIN]:
        assert answer(client, token).status_code == 302
    queue = Queue("default", connection=connect(app.extensions["dudao"].settings))
    names = [job.func_name for job in queue.jobs]
    assert names.count("dudao.surveys.jobs.move_pending_responses") == 1


def test_stored_order_ids_and_xmin_do_not_follow_the_answer_order(app, client, session, org):
    """30 invitations answered in a known order, five times over: the stored order is a
    permutation unrelated to it, and every response of a batch shares one xmin."""
    world = survey_world.build(session, org, per_branch=80)
    factory = app.extensions["dudao"].session_factory
    tokens = world.tokens["A1-1"] + world.tokens["A1-2"]
    postgres = session.get_bind().dialect.name == "postgresql"
    by_position, by_id = [], []
    for run in range(5):
        chunk = tokens[run * 30 : (run + 1) * 30]
        if run == 0:  # the first run goes through HTTP, the others through the service
            for index, token in enumerate(chunk):
                data = survey_world.form_data(comment=f"answer-{index:03d}")
                assert client.post(f"/s/{token}", data=data).status_code == 302
        else:
            _answer_in_order(session, chunk)
        if postgres:
            pending_xmins = set(
                session.scalars(text("SELECT xmin::text FROM survey_pending_response"))
            )
            assert len(pending_xmins) == 30  # one transaction per answer before the batch
        session.commit()
        assert move_all(factory).moved == 30
        stored = _physical(session)
        assert sorted(i for i, _x, _id in stored) == list(range(30))
        by_position.append(_spearman([i for i, _x, _id in stored]))
        by_id.append(_spearman([i for i, _x, _id in sorted(stored, key=lambda r: r[2])]))
        if postgres:
            assert len({x for _i, x, _id in stored}) == 1  # one batch, one transaction id
            invitation_xmins = set(
                session.scalars(text("SELECT xmin::text FROM survey_invitation WHERE used"))
            )
            assert not invitation_xmins & {x for _i, x, _id in stored}
        session.execute(text("DELETE FROM survey_response"))
        session.commit()
    assert abs(statistics.fmean(by_position)) < 0.35, by_position
    assert abs(statistics.fmean(by_id)) < 0.35, by_id
    assert max(by_position) < 0.9 and max(by_id) < 0.9
    assert len(set(by_position)) > 1  # a different permutation every time


@pytest.mark.parametrize("dialect", ["postgresql"])
def test_deleted_pending_rows_leave_no_dead_tuples(app, session, org, dialect):
    if session.get_bind().dialect.name != dialect:
        pytest.skip("PostgreSQL only: dead tuples and VACUUM")
    world = survey_world.build(session, org)
    _answer_in_order(session, world.tokens["A1-1"][:BATCH_MIN])
    move_all(app.extensions["dudao"].session_factory)
    session.commit()
    dead = session.execute(
        text("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'survey_pending_response'")
    ).scalar()
    assert dead in (0, None)
