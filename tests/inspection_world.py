"""Shared set-up for the tablet API tests: an assigned campaign spot check and its people."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from dudao.auth.models import User
from dudao.config import PROJECT_ROOT
from dudao.definitions.queries import current_version
from dudao.definitions.services import sync_forms
from dudao.inspections.models import Inspection, InspectionOrigin
from dudao.inspections.services import create_inspection
from dudao.workflow.engine import apply
from tests.factories import OrgTree

PASSING: dict[str, Any] = {
    "plan": "yes",
    "leadership": "secretary_leads",
    "start_date": "2026-11-01",
    "activities": ["pledges", "model_posts"],
    "pledges_public": "yes",
    "pledges_total": 10,
    "pledges_kept_rate": 90,
    "interviews": 10,
    "known_rate": "most",
    "public_rating": 8,
    "site_matches": "yes",
    "site_impression": 4,
}


@dataclass
class World:
    org: OrgTree
    office: User
    inspector: User
    other: User  # an inspector on company A, not assigned
    outsider: User  # an inspector on company B
    lead: User  # unit_lead on A1 (above the inspected branch)
    inspection: Inspection
    inspection_b: Inspection  # in company B, assigned to `outsider`


def payload(answers: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    body = {"submission_id": str(uuid.uuid4()), "answers": dict(answers or PASSING)}
    body.update(extra)
    return body


def jpeg(width: int = 800, height: int = 600, exif: Any = None, fmt: str = "JPEG") -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    out = io.BytesIO()
    if exif is not None:
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


def build_world(session: Session, org: OrgTree, user_factory) -> World:
    sync_forms(session, None, PROJECT_ROOT / "forms")
    version = current_version(session, "campaign_spot_check")
    office = user_factory("office", ("office", org.group))
    inspector = user_factory("insp", ("inspector", org.company_a))
    other = user_factory("other", ("inspector", org.company_a))
    outsider = user_factory("outsider", ("inspector", org.company_b))
    lead = user_factory("lead", ("unit_lead", org.unit_a1))
    made = []
    for unit, who in ((org.branch_a1, inspector), (org.branch_b1, outsider)):
        inspection = create_inspection(
            session, office, unit, version, date(2026, 12, 31), InspectionOrigin.AD_HOC,
            assignees=[who],
        )  # fmt: skip
        apply(session, office, inspection, "assign")
        made.append(inspection)
    session.commit()
    return World(org, office, inspector, other, outsider, lead, made[0], made[1])


@pytest.fixture
def world(session: Session, org: OrgTree, user_factory) -> World:
    return build_world(session, org, user_factory)
