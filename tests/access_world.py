"""The route walk's world (tests/test_access_routes.py, tests/test_access_posts.py): one
object of each kind inside company A and one in B, how to fill each route parameter with them,
and the routes the walk leaves out."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from dudao.auth.models import User
from dudao.core.enums import Role
from dudao.core.permissions import ROLE_PERMISSIONS
from dudao.definitions.models import DefinitionVersion
from tests.conftest import sign_in
from tests.draw_world import draws_in_and_out
from tests.factories import OrgTree
from tests.feedback_world import feedback_in_and_out
from tests.flag_world import flags_in_and_out
from tests.inspection_route_world import inspections_in_and_out
from tests.rectification_route_world import rectifications_in_and_out
from tests.report_route_world import reports_in_and_out
from tests.schedule_world import schedules_in_and_out
from tests.survey_world import ROUTE_WALK_TOKEN, campaigns_in_and_out
from tests.target_world import MANUAL_TARGET, entries_in_and_out, posts_in_and_out

IN, OUT = "in", "out"
ANONYMOUS = "anonymous"


@dataclass
class World:
    """The org fixture plus one account in each company whose pages can be opened."""

    org: OrgTree
    target_a: User  # unit_lead on A1: inside company A
    target_b: User  # unit_lead on B1: inside company B
    version: DefinitionVersion | None = None  # definitions are not unit-scoped
    schedules: dict[str, int] = field(default_factory=dict)  # schedules over A ("in"), B
    draws: dict[str, int] = field(default_factory=dict)  # published draws over A ("in"), B
    inspections: dict[str, int] = field(default_factory=dict)  # in A1 ("in"), in B1
    campaigns: dict[str, int] = field(default_factory=dict)  # survey campaigns over A, B
    feedback: dict[str, object] = field(default_factory=dict)  # items in A1, B1
    reports: dict[str, int] = field(default_factory=dict)  # report requests in A1, B1
    flags: dict[str, int] = field(default_factory=dict)  # trend flags on A1, B1
    posts: dict[str, int] = field(default_factory=dict)  # pioneer posts of A1-1, B1-1
    entries: dict[str, int] = field(default_factory=dict)  # target entries at A1, B1
    tasks: dict[str, int] = field(default_factory=dict)  # findings and rectifications in A1, B1


# Parameter name -> (scoped?, value for "in" / "out").
PARAMS: dict[str, tuple[bool, Callable[[World, str], object]]] = {
    "unit_id": (True, lambda w, side: (w.org.unit_a1 if side == IN else w.org.unit_b1).id),
    "user_id": (True, lambda w, side: (w.target_a if side == IN else w.target_b).id),
    "grant_id": (
        True,
        lambda w, side: (w.target_a if side == IN else w.target_b).grants[0].id,
    ),
    "kind": (False, lambda w, side: "questionnaire"),  # definitions preview samples
    "definition_id": (False, lambda w, side: w.version.definition_id),
    "version_id": (False, lambda w, side: w.version.id),
    "schedule_id": (True, lambda w, side: w.schedules[side]),
    "draw_id": (True, lambda w, side: w.draws[side]),
    "inspection_id": (True, lambda w, side: w.inspections[side]),
    "campaign_id": (True, lambda w, side: w.campaigns[side]),
    "feedback_id": (True, lambda w, side: w.feedback[side]),
    "attachment_id": (True, lambda w, side: w.feedback[f"attachment_{side}"]),
    "fmt": (False, lambda w, side: "json"),  # survey results exports
    "suffix": (False, lambda w, side: "csv"),  # the org import's template
    "token": (False, lambda w, side: ROUTE_WALK_TOKEN),  # public answering pages
    "request_id": (True, lambda w, side: w.reports[side]),  # report requests
    "dataset": (False, lambda w, side: "inspections"),  # exports
    "flag_id": (True, lambda w, side: w.flags[side]),  # trend flags (triage)
    "post_id": (True, lambda w, side: w.posts[side]),  # pioneer posts
    "target_key": (False, lambda w, side: MANUAL_TARGET),  # campaign targets
    "entry_id": (True, lambda w, side: w.entries[side]),  # manual target entries
    "finding_id": (True, lambda w, side: w.tasks[f"finding_{side}"]),
    "rectification_id": (True, lambda w, side: w.tasks[side]),
    "filter_id": (False, lambda w, side: 1),  # a saved queue filter: per user, not scoped
}

#: Routes for those holding their permission over the whole organisation only (the audit
#: log: its events are not tied to units); the walk's viewers hold it on company A.
WHOLE_ORGANISATION = {"audit.events"}

# Endpoint -> why it is not walked. Keep this short.
SKIPPED: dict[str, str] = {
    "static": "Flask's static files: public by design, not a view of ours",
    "answer.static": "the same static files under /s/assets/ for the answering pages",
    "feedback.my_item": "author-only page: walked in tests/test_feedback_pages.py",
    "notifications.open_one": "one's own notification (another's is 404): "
    "tests/test_notifications_inbox.py",
    "feedback.my_attachment": "author-only file: walked in tests/test_feedback_pages.py",
    **{
        f"inspections_api.{name}": "JSON API of one inspection: role x scope x assignment walk "
        "in tests/test_inspections_api_access.py"
        for name in (
            "inspection_status",
            "get_draft",
            "save_draft",
            "submit",
            "submission_status",
            "review_submission",
            "upload_photo",
            "photo_file",
            "open_rectification",
            "upload_evidence",
            "rectification",
            "rectification_action",
        )
    },
    "tablet.checklist": "assignees only (404 for everybody else): walked in "
    "tests/test_tablet_pages.py",
}

ROLES = [role.value for role in Role]


def walked_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED]


def route_url(rule: Rule, world: World, side: str) -> str:
    def fill(match: re.Match[str]) -> str:
        _, value = PARAMS[match.group(1)]
        return str(value(world, side))

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", fill, rule.rule)


def scoped(rule: Rule) -> bool:
    return any(PARAMS[name][0] for name in rule.arguments)


def permission_of(app: Flask, rule: Rule) -> object:
    return app.view_functions[rule.endpoint].required_permission


def allowed(role: str, permission: object) -> bool:
    if permission in (None, "signed_in"):
        return True
    return permission in ROLE_PERMISSIONS[Role(role)]


def is_login_redirect(response) -> bool:
    if response.request.path.startswith("/api/"):  # the JSON API answers 401, never redirects
        return response.status_code == 401
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


ROUTE_WALK_DEFINITION = """\
kind: checklist
key: route_walk
title: 路由检查
sections:
  - {key: s, title: 部分, items: [{key: q, type: yes_no, label: 问题}]}
"""


def route_walk_version(session: Session) -> DefinitionVersion:
    from dudao.definitions.uploading import upload_version

    version = upload_version(session, None, ROUTE_WALK_DEFINITION, "route_walk.yaml").version
    session.commit()
    return version


@pytest.fixture
def world(org: OrgTree, user_factory, session: Session) -> World:
    world = World(
        org=org,
        target_a=user_factory("target_a", ("unit_lead", org.unit_a1)),
        target_b=user_factory("target_b", ("unit_lead", org.unit_b1)),
        version=route_walk_version(session),
        schedules=schedules_in_and_out(session, org),
        draws=draws_in_and_out(session, org),
    )
    world.inspections = inspections_in_and_out(session, org, world.version)
    world.campaigns = campaigns_in_and_out(session, org)
    world.feedback = feedback_in_and_out(session, org, session.info["settings"].data_dir)
    world.reports = reports_in_and_out(session, world.inspections)
    world.flags = flags_in_and_out(session, org)
    world.posts = posts_in_and_out(session, org)
    world.entries = entries_in_and_out(session, org, session.info["settings"].data_dir)
    world.tasks = rectifications_in_and_out(session, world.inspections)
    return world


def viewer_for(client: FlaskClient, user_factory, world: World, role: str) -> FlaskClient:
    """Signed in as `role` on company A (or not signed in at all)."""
    if role != ANONYMOUS:
        user_factory(f"viewer_{role}", (role, world.org.company_a))
        assert sign_in(client, f"viewer_{role}").status_code == 302
    return client
