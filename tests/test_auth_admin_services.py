"""Account administration services: the actor's scope enforced, every change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dudao.audit.models import AuditEvent
from dudao.auth import services, signin
from dudao.auth.models import RoleGrant
from dudao.core.enums import Role
from dudao.core.errors import NotFound, PermissionDenied, ValidationError
from tests.auth_world import NEW_PASSWORD, _user
from tests.conftest import PASSWORD


def test_services_enforce_the_actor_scope(session, org, user_factory):
    admin_a = user_factory("admin_a", ("admin", org.company_a))
    lead_b = user_factory("lead_b", ("unit_lead", org.unit_b1))
    office = user_factory("office_a", ("office", org.company_a))
    with pytest.raises(PermissionDenied):
        services.grant_role(session, admin_a, lead_b, Role.ADMIN, org.company_b)
    with pytest.raises(PermissionDenied):
        services.set_active(session, admin_a, lead_b, False)
    with pytest.raises(PermissionDenied):
        services.set_password(session, admin_a, lead_b, NEW_PASSWORD)
    with pytest.raises(PermissionDenied):
        services.update_user(session, admin_a, lead_b, "x", None, None)
    with pytest.raises(PermissionDenied):
        services.revoke_grant(session, admin_a, lead_b.grants[0].id)
    with pytest.raises(PermissionDenied):
        services.create_user(session, office, "new", "", NEW_PASSWORD)
    with pytest.raises(NotFound):
        services.revoke_grant(session, None, 999999)
    session.rollback()
    assert _user(session, "lead_b").active


def test_service_changes_are_audited_with_the_actor(session, org, user_factory):
    admin = user_factory("admin_g", ("admin", org.group))
    user = services.create_user(session, admin, "chen", "陈", NEW_PASSWORD, locale="zh_CN")
    grant = services.grant_role(session, admin, user, Role.OFFICE, org.company_b)
    assert services.grant_role(session, admin, user, Role.OFFICE, org.company_b) is grant
    services.update_user(session, admin, user, "陈六", "chen@example.com", "en")
    services.update_user(session, admin, user, "陈六", "chen@example.com", "en")  # no change
    services.set_password(session, admin, user, PASSWORD)
    services.set_active(session, admin, user, False)
    services.set_active(session, admin, user, False)  # no change
    services.revoke_grant(session, admin, grant.id)
    session.commit()
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "user", AuditEvent.entity_id == str(user.id))
        .order_by(AuditEvent.seq)
    ).all()
    assert [e.action for e in events] == [
        "user.create",
        "grant.create",
        "user.update",
        "user.set_password",
        "user.update",
        "grant.delete",
    ]
    assert {e.actor_name for e in events} == {"admin_g"}
    assert session.scalar(select(func.count(RoleGrant.id)).where(RoleGrant.user_id == user.id)) == 0


def test_create_user_reports_every_problem(session):
    with pytest.raises(ValidationError) as caught:
        services.create_user(session, None, " ", "", "short", "bad", "xx")
    fields = [p.split(":")[0] for p in caught.value.problems]
    assert fields == ["username", "password", "email", "locale"]


def test_a_password_someone_else_chose_is_temporary(session, org, user_factory):
    admin = user_factory("admin_g", ("admin", org.group))
    made = services.create_user(session, admin, "chen", "陈", NEW_PASSWORD)
    by_system = services.create_user(session, None, "zhou", "周", NEW_PASSWORD)
    assert (made.must_change_password, by_system.must_change_password) == (True, False)
    services.set_password(session, None, made, PASSWORD)
    assert not made.must_change_password  # the command line, for one's own account
    services.set_password(session, None, made, NEW_PASSWORD, temporary=True)
    assert made.must_change_password
    services.set_password(session, admin, by_system, PASSWORD)
    assert by_system.must_change_password
    services.change_own_password(
        session, by_system, PASSWORD, "zhou's own words", "zhou's own words"
    )
    assert not by_system.must_change_password
    session.commit()
    resets = session.scalars(
        select(AuditEvent.after).where(AuditEvent.action == "user.set_password")
        .order_by(AuditEvent.seq)
    ).all()  # fmt: skip
    assert [after["must_change_password"] for after in resets] == [False, True, True]


def test_changing_ones_own_password_reports_every_problem(session, user_factory):
    user = user_factory("chen")
    with pytest.raises(ValidationError) as caught:
        services.change_own_password(session, user, "wrong", "CHEN", "chen")
    assert [(p.field, str(p.problem)) for p in caught.value.problems] == [
        ("current_password", "not your password"),
        ("password", "at least 8 characters; not the username"),
        ("confirm", "not the same as the new password"),
    ]
    session.rollback()
    assert signin.authenticate(session, "chen", PASSWORD) is not None
