"""The tablet in the browser tests: sign in at tablet size, open a checklist, fill it, and
read what the server stored (shared by the offline, walkthrough, language and
rectification tests); the JSON blocks a tablet page carries."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select

from dudao.definitions.queries import current_version
from dudao.inspections.models import InspectionOrigin
from dudao.inspections.services import create_inspection
from dudao.inspections.submission_models import Submission
from dudao.workflow.engine import apply
from tests.browser import TABLET, browser_sign_in
from tests.conftest import PASSWORD
from tests.inspection_world import World


def big_jpeg(path: Path, width: int = 2400, height: int = 1800) -> Path:
    image = Image.new("RGB", (width, height), (30, 120, 200))
    for x in range(0, width, 200):  # some structure, so the JPEG is a real photo-like file
        image.paste((240, 200, 40), (x, 0, x + 60, height))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    path.write_bytes(out.getvalue())
    return path


def tablet(browser_page, live_server, username: str = "insp") -> Any:
    page = browser_page(*TABLET)
    browser_sign_in(page, live_server.url, username, PASSWORD)
    return page


def open_checklist(page: Any, base: str, inspection_id: int) -> None:
    page.goto(f"{base}/inspect")
    page.wait_for_selector("body[data-offline-ready=yes]")
    page.goto(f"{base}/inspect/{inspection_id}")
    page.wait_for_selector("body[data-offline-ready=yes]")


def choose(page: Any, key: str, value: str) -> None:
    page.click(f"#item-{key} label.dtile:has(input[value='{value}'])")


def state(page: Any) -> str:
    return page.get_attribute("#t-state", "data-state")


def wait_state(page: Any, wanted: str, timeout: int = 30_000) -> None:
    page.wait_for_selector(f"#t-state[data-state={wanted}]", timeout=timeout)


def fill_everything(page: Any, photo: Path | None = None) -> None:
    """Every item type of the campaign spot check: yes/no, choices, date, numbers, rating,
    scale, text, a photo item, and a note on an item."""
    choose(page, "plan", "yes")
    choose(page, "leadership", "secretary_leads")
    page.fill("#f-start_date", "2026-11-01")
    choose(page, "activities", "pledges")
    choose(page, "activities", "model_posts")
    choose(page, "pledges_public", "yes")
    page.fill("#f-pledges_total", "10")
    page.fill("#f-pledges_kept_rate", "90")
    if photo is not None:
        page.set_input_files("#f-pledges_evidence", str(photo))
        page.wait_for_selector(".t-photos[data-for=a_pledges_evidence] img")
    page.fill("#f-interviews", "10")
    choose(page, "known_rate", "most")
    choose(page, "public_rating", "8")
    choose(page, "site_matches", "yes")
    choose(page, "site_impression", "4")
    page.fill("#f-highlights", "公开承诺上墙")
    page.eval_on_selector("#item-plan details", "box => { box.open = true; }")
    page.fill("#n-plan-text", "方案已印发")
    page.locator("#n-plan-text").blur()


EXPECTED = {
    "plan": "yes", "leadership": "secretary_leads", "start_date": "2026-11-01",
    "activities": ["pledges", "model_posts"], "pledges_public": "yes", "pledges_total": 10,
    "pledges_kept_rate": 90, "interviews": 10, "known_rate": "most", "public_rating": 8,
    "site_matches": "yes", "site_impression": 4, "highlights": "公开承诺上墙",
}  # fmt: skip


def submissions(session, inspection_id: int) -> list[Submission]:
    session.expire_all()
    return list(
        session.scalars(select(Submission).where(Submission.inspection_id == inspection_id))
    )


def second_inspection(session, world: World) -> int:
    version = current_version(session, "campaign_spot_check")
    inspection = create_inspection(
        session, world.office, world.org.branch_a1, version, date(2026, 12, 30),
        InspectionOrigin.AD_HOC, assignees=[world.inspector],
    )  # fmt: skip
    apply(session, world.office, inspection, "assign")
    session.commit()
    return inspection.id


def stored_submission_id(page: Any, inspection_id: int) -> str:
    return page.evaluate(
        "id => DudaoDB.get('work', id).then(r => r.submission && r.submission.id)", inspection_id
    )


def json_block(html: str, block_id: str) -> dict:
    """The JSON a tablet page carries in its <script type="application/json" id=block_id>."""
    match = re.search(
        rf'<script type="application/json" id="{block_id}">(.*?)</script>', html, re.S
    )
    assert match, block_id
    return json.loads(match.group(1))
