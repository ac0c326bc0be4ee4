"""Every route × every role × inside and outside the role's subtree: GET (the POSTs and CSRF
are walked in tests/test_access_posts.py).

The walk reads `app.url_map`, so routes added later are covered automatically.
A route whose URL has a parameter needs a way to fill it: add it to PARAMS in
tests/access_world.py (a parameter naming something in the org tree gives company A's
object for "in" and company B's for "out"), or, if it truly cannot be filled, to SKIPPED
with a reason.
"""

from __future__ import annotations

import pytest

from dudao.core.permissions import Permission
from tests.access_world import (
    ANONYMOUS,
    IN,
    OUT,
    PARAMS,
    ROLES,
    SKIPPED,
    WHOLE_ORGANISATION,
    allowed,
    is_login_redirect,
    permission_of,
    route_url,
    scoped,
    viewer_for,
    walked_rules,
    world,  # noqa: F401
)

# --- every view states its permission ----------------------------------------------------


def test_every_view_states_its_permission(app):
    missing = [
        rule.endpoint
        for rule in walked_rules(app)
        if not hasattr(app.view_functions[rule.endpoint], "required_permission")
    ]
    assert not missing, f"decorate with @requires/@public/@signed_in: {missing}"
    for rule in walked_rules(app):
        permission = permission_of(app, rule)
        assert permission in (None, "signed_in") or isinstance(permission, Permission), rule


def test_every_route_parameter_can_be_filled(app):
    unknown = {
        f"{rule.endpoint}: <{name}>"
        for rule in walked_rules(app)
        for name in rule.arguments
        if name not in PARAMS
    }
    assert not unknown, f"add these to PARAMS (or the route to SKIPPED): {sorted(unknown)}"


def test_skipped_routes_exist(app):
    assert set(SKIPPED) <= {rule.endpoint for rule in app.url_map.iter_rules()}


# --- GET: every route × every role × in and out of scope ---------------------------------


@pytest.mark.parametrize("role", [ANONYMOUS, *ROLES])
def test_get_routes(app, client, user_factory, world, role):  # noqa: F811
    viewer = viewer_for(client, user_factory, world, role)
    problems = []
    for rule in walked_rules(app):
        if "GET" not in rule.methods:
            continue
        permission = permission_of(app, rule)
        sides = [IN, OUT] if scoped(rule) else [IN]
        for side in sides:
            url = route_url(rule, world, side)
            response = viewer.get(url)
            status = response.status_code
            if role == ANONYMOUS and permission is not None:
                ok, expected = is_login_redirect(response), "redirect to /login"
            elif role == ANONYMOUS:
                ok, expected = status < 400, "success or a redirect"
            elif permission in (None, "signed_in"):
                ok, expected = status < 400 and not is_login_redirect(response), "success"
            elif not allowed(role, permission) or rule.endpoint in WHOLE_ORGANISATION:
                ok, expected = status == 403, "403"
            elif side == OUT:
                ok, expected = status == 404, "404 (outside the subtree)"
            else:
                ok = status == 200 or (status == 302 and not is_login_redirect(response))
                expected = "200"
            if not ok:
                problems.append(
                    f"GET {url} ({rule.endpoint}, {side}) as {role}: {status}, expected {expected}"
                )
    assert not problems, "\n".join(problems)


def test_admin_of_a_reaches_company_a_and_not_b(client, user_factory, world):  # noqa: F811
    """The walk above in one readable case: the same page, two companies."""
    viewer = viewer_for(client, user_factory, world, "admin")
    assert viewer.get(f"/units/{world.org.branch_a2.id}").status_code == 200
    assert viewer.get(f"/units/{world.org.branch_b1.id}").status_code == 404
    assert viewer.get(f"/units/{world.org.group.id}").status_code == 404  # above the grant
