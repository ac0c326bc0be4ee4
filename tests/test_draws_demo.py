"""The demo organisation gets one published draw that verifies; loading twice adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from dudao.auth.models import User
from dudao.config import PROJECT_ROOT
from dudao.definitions.services import sync_forms
from dudao.demo.data import build_demo
from dudao.demo.loader import load_accounts, load_org, steps
from dudao.inspections.models import Inspection
from dudao.org.models import Unit
from dudao.scheduling.draw_demo import DEMO_SEED, load_demo_draw
from dudao.scheduling.draw_verification import verify_draw
from dudao.scheduling.models import SpotCheckDraw


def test_demo_draw_is_published_verifiable_and_loaded_once(session):
    plan = build_demo()
    load_org(session, plan)
    load_accounts(session, plan)
    assert load_demo_draw(session, plan) == 0  # no checklist yet: nothing to draw with
    sync_forms(session, None, PROJECT_ROOT / "forms")
    assert load_demo_draw(session, plan) == 7
    session.commit()
    draw = session.scalars(select(SpotCheckDraw)).one()
    assert draw.published and draw.seed == DEMO_SEED
    assert verify_draw(session, draw.id)[0]
    assert session.scalar(select(func.count(Inspection.id))) == 6
    assert load_demo_draw(session, plan) == 0


def test_the_demo_loader_runs_the_draw_step():
    assert load_demo_draw in [step for _name, step in steps()]


def test_demo_inspectors_are_never_drawn_for_their_home_company(session):
    plan = build_demo()
    load_org(session, plan)
    load_accounts(session, plan)
    sync_forms(session, None, PROJECT_ROOT / "forms")
    load_demo_draw(session, plan)
    session.commit()
    homes = {
        a.username: session.scalars(select(Unit).where(Unit.code == a.home_code)).one().path
        for a in plan.accounts
        if a.home_code
    }
    assert len(homes) == 3
    names = dict(session.execute(select(User.id, User.username)).all())
    drawn = session.scalars(select(Inspection)).all()
    pairs = [(session.get(Unit, i.unit_id).path, names[u]) for i in drawn for u in i.assignee_ids]
    assert len(pairs) == 12
    assert not [(p, name) for p, name in pairs if p.startswith(homes.get(name, "-"))]
