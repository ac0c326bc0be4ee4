"""A submitted inspection with failures, photos, hostile text and a rectification task; a client
by username and the reports queue run to empty."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from PIL import Image, ImageDraw
from rq import Queue, SimpleWorker
from sqlalchemy.orm import Session

from dudao.core.queue import connect
from dudao.inspections.photos import store_photo
from dudao.inspections.rectifications import open_rectification
from dudao.inspections.submissions import submit
from tests.conftest import sign_in
from tests.inspection_world import PASSING, World, build_world

HOSTILE = [
    "<img src='/etc/passwd'/>",
    "<font size=99>巨大</font>",
    '<a href="javascript:x">点我</a>',
    "<b>未闭合 <i>标签",
    "&amp; & </para> <br/>",
]


def photo_bytes(colour: tuple[int, int, int], label: str = "") -> bytes:
    image = Image.new("RGB", (1600, 1200), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 100, 1500, 1100), outline=(255, 255, 255), width=12)
    draw.text((160, 160), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@dataclass
class ReportWorld:
    world: World
    inspection_id: int
    inspection_b_id: int


def submit_failing(session: Session, world: World, settings, photos: int = 3) -> None:
    """Submit world.inspection with failed and critical items, notes and photos."""
    inspection = world.inspection
    site = [
        store_photo(session, world.inspector, inspection, "site_matches",
                    photo_bytes((40 + 30 * i, 90, 140), f"site {i}"), settings.data_dir,
                    settings.tz)[0].id
        for i in range(photos)
    ]  # fmt: skip
    pledge = store_photo(
        session, world.inspector, inspection, "pledges_evidence",
        photo_bytes((150, 110, 40), "pledge"), settings.data_dir, settings.tz,
    )[0].id  # fmt: skip
    answers = {
        **PASSING,
        "plan": "no",
        "site_matches": "no",
        "public_rating": 5,
        "pledges_evidence": [pledge],
        "highlights": "\n".join(HOSTILE),
        "problems": "=1+2 台账不全，公开承诺未按期更新。",
    }
    notes = {
        "plan": "没有实施方案 " + HOSTILE[0],
        "site_matches": "示范岗无人值守 " + HOSTILE[2],
        "public_rating": HOSTILE[1] + HOSTILE[3],
    }
    submit(session, world.inspector, inspection, str(uuid.uuid4()),
           {"answers": answers, "notes": notes, "photos": {"site_matches": site}})  # fmt: skip
    session.flush()
    finding = inspection_findings(session, inspection.id)[0]
    open_rectification(
        session, world.office, finding, world.org.branch_a1, date(2027, 1, 31),
        "制定并公布实施方案 " + HOSTILE[3],
    )  # fmt: skip
    session.commit()


def inspection_findings(session: Session, inspection_id: int):
    from sqlalchemy import select

    from dudao.inspections.submission_models import Finding

    return list(
        session.scalars(
            select(Finding).where(Finding.inspection_id == inspection_id).order_by(Finding.id)
        )
    )


@pytest.fixture
def report_world(app, session: Session, org, user_factory) -> ReportWorld:
    world = build_world(session, org, user_factory)
    submit_failing(session, world, app.extensions["dudao"].settings)
    return ReportWorld(world, world.inspection.id, world.inspection_b.id)


def as_user(app, username: str):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


def drain(app) -> None:
    """Run the reports queue to empty."""
    connection = connect(app.extensions["dudao"].settings)
    SimpleWorker([Queue("reports", connection=connection)], connection=connection).work(
        burst=True, with_scheduler=False
    )
