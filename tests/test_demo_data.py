"""The demo organisation: its shape, its determinism, and loading it through the services."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dudao.audit.chain import verify_chain
from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.auth.signin import authenticate
from dudao.config import PROJECT_ROOT
from dudao.core.enums import Role, UnitLevel
from dudao.demo.data import DEFAULT_SEED, DEMO_PASSWORD, build_demo
from dudao.demo.loader import load_demo
from dudao.demo.signins import signin_table
from dudao.org.models import Unit


def _level_counts(units) -> Counter:
    return Counter(UnitLevel(unit.level) for unit in units)


def test_the_demo_group_has_companies_units_and_branches() -> None:
    org = build_demo()
    assert org.seed == DEFAULT_SEED
    assert _level_counts(org.units) == {
        UnitLevel.GROUP: 1,
        UnitLevel.COMPANY: 5,
        UnitLevel.UNIT: 40,
        UnitLevel.BRANCH: 250,
    }
    codes = [unit.code for unit in org.units]
    assert len(set(codes)) == len(codes)
    assert len({unit.name for unit in org.units}) == len(codes), "names are unique"
    seen: set[str] = set()
    for unit in org.units:
        assert unit.parent_code is None or unit.parent_code in seen, "parents come first"
        seen.add(unit.code)
        assert unit.name and unit.name_en and unit.headcount > 0
    for unit in org.units:
        children = org.children(unit.code)
        if children:
            assert unit.headcount == sum(child.headcount for child in children)
    assert all(b.name.endswith("党支部") for b in org.by_level(UnitLevel.BRANCH))
    tags = Counter(tag for unit in org.units for tag in unit.tags)
    for tag in ("生产一线", "机关", "偏远", "井下", "离退休"):
        assert tags[tag] > 0, tag


def test_there_is_an_account_for_every_role() -> None:
    org = build_demo()
    by_role = Counter(account.role for account in org.accounts)
    assert set(by_role) == set(Role)
    assert 2 <= by_role[Role.INSPECTOR] <= 3
    inspectors = [a for a in org.accounts if a.role == Role.INSPECTOR]
    companies = {unit.code for unit in org.by_level(UnitLevel.COMPANY)}
    assert all(a.unit_code == org.root.code and a.home_code in companies for a in inspectors)
    levels = {unit.code: unit.level for unit in org.units}
    leads = {levels[a.unit_code] for a in org.accounts if a.role == Role.UNIT_LEAD}
    assert leads == {UnitLevel.COMPANY, UnitLevel.BRANCH}
    table = signin_table(org)
    for account in org.accounts:
        assert account.username in table
    assert DEMO_PASSWORD in table


def test_the_same_seed_gives_the_same_demo_and_another_seed_another() -> None:
    assert build_demo(DEFAULT_SEED) == build_demo(DEFAULT_SEED)
    assert build_demo(7) == build_demo(7)
    assert [u.name for u in build_demo(7).units] != [u.name for u in build_demo(8).units]


def _event_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.mark.demo(seed=5)
def test_loading_builds_the_tree_through_the_services_once(demo, session: Session) -> None:
    first = demo  # load_demo(session, seed=5) into the empty database, committed
    org = first.org
    assert first.created > 0
    stored = session.scalars(select(Unit).order_by(Unit.id)).all()
    assert _level_counts(stored) == _level_counts(org.units)
    assert [(u.code, u.name, u.name_en) for u in stored] == [
        (u.code, u.name, u.name_en) for u in org.units
    ]
    by_code = {unit.code: unit for unit in stored}
    for spec in org.units:
        unit = by_code[spec.code]
        assert unit.path.endswith(f"/{unit.id}/")
        if spec.parent_code:
            assert unit.path == f"{by_code[spec.parent_code].path}{unit.id}/"
        assert tuple(unit.tags) == spec.tags and unit.headcount == spec.headcount
    for account in org.accounts:
        user = session.scalar(select(User).where(User.username == account.username))
        assert user is not None and user.display_name == account.display_name
        home = {(Role.REPRESENTATIVE, account.home_code)} if account.home_code else set()
        assert {(g.role, g.unit.code) for g in user.grants} == {
            (account.role, account.unit_code)
        } | home

    events = _event_count(session)
    definitions = next(r.created for r in first.results if r.name == "definitions")
    assert definitions == len(list((PROJECT_ROOT / "forms").glob("*.yaml")))
    # unit.create, user.create and grant per account, and the definitions' sync events
    assert events > len(org.units) + 2 * len(org.accounts)
    assert verify_chain(session) == []

    second = load_demo(session, seed=5)
    session.commit()
    assert second.created == 0
    assert session.scalar(select(func.count()).select_from(Unit)) == len(org.units)
    assert session.scalar(select(func.count()).select_from(User)) == len(org.accounts)
    assert _event_count(session) == events, "a second load writes no audit events"


@pytest.mark.demo(seed=DEFAULT_SEED)
def test_every_printed_account_signs_in_with_the_demo_password(demo, app, session: Session) -> None:
    loaded = demo  # load_demo(session), committed
    for account in loaded.org.accounts:
        assert authenticate(session, account.username, "wrong-password") is None
        client = app.test_client()
        response = client.post(
            "/login", data={"username": account.username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, account.username
        # Not sent to change the password first: the demo stays usable with demo-2026.
        assert client.get("/").status_code == 200
        assert client.get("/account").status_code == 200
    forced = session.scalars(select(User.username).where(User.must_change_password))
    assert forced.all() == []


@pytest.mark.demo(seed=DEFAULT_SEED)
def test_demo_has_schedules_ad_hoc_inspections_and_an_open_rectification(
    demo, session: Session
) -> None:
    from dudao.auth.models import User
    from dudao.inspections.models import Inspection
    from dudao.inspections.submission_models import Rectification
    from dudao.scheduling.models import Schedule

    schedules = session.scalars(select(Schedule).where(Schedule.active.is_(True))).all()
    assert {s.key for s in schedules} >= {"branch_standardisation_quarterly"}
    users = {u.username: u for u in session.scalars(select(User))}
    ad_hoc = session.scalars(
        select(Inspection).where(Inspection.origin == "ad_hoc").order_by(Inspection.id)
    ).all()
    assert [(i.state, len(i.assignee_ids)) for i in ad_hoc] == [
        ("assigned", 2), ("assigned", 1), ("approved", 1)
    ]  # fmt: skip
    branch_lead = users["branch_lead"].grants[0].unit
    assert ad_hoc[1].unit_id == branch_lead.id
    assert ad_hoc[1].assignee_ids == {users["inspector1"].id}
    from dudao.demo.inspections import TASK_DESCRIPTION

    mine = select(Rectification).where(Rectification.description == TASK_DESCRIPTION)
    [task] = session.scalars(mine).all()
    assert task.state == "open" and task.unit.code.startswith("HC01-")  # company_lead's
    assert task.verifier_id == users["inspector3"].id
    load_demo(session)
    session.commit()
    count = select(func.count()).select_from(Inspection).where(Inspection.origin == "ad_hoc")
    assert session.scalar(count) == 3
    assert len(session.scalars(mine).all()) == 1
