"""Benchmark: the tablet checklist page with the shipped 40-item checklist.

Starts the app on 127.0.0.1 (SQLite in a temp folder), signs an inspector in with
Debian's Chromium (Playwright), opens the checklist of an assigned
`branch_standardisation` inspection with an empty browser cache, and sums the bytes
the page transferred (HTML, CSS, JavaScript, icons; photos excluded, there are
none). Then it cuts the network, reloads, and checks that the page opens from the
service worker's cache with every item and can be filled.

    python bench/tablet_page_bench.py

Target: < 200 KB on first load, and it opens with no network. Exits 1 if not.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "inspect"))
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM, CHROMIUM_ARGS, TABLET  # noqa: E402
from tests.factories import build_org, make_user  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

import dudao.models  # noqa: E402,F401
from dudao.app import create_app  # noqa: E402
from dudao.config import PROJECT_ROOT, load_settings  # noqa: E402
from dudao.core import migrate  # noqa: E402
from dudao.core.database import make_engine  # noqa: E402
from dudao.definitions.queries import current_version  # noqa: E402
from dudao.definitions.services import sync_forms  # noqa: E402
from dudao.inspections.models import InspectionOrigin  # noqa: E402
from dudao.inspections.services import create_inspection  # noqa: E402
from dudao.workflow.engine import apply  # noqa: E402

LIMIT = 200 * 1024
PASSWORD = "bench-password-1"


def prepare(folder: Path):
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    settings = load_settings(
        {"DUDAO_INSTANCE_PATH": str(folder), "DUDAO_DATABASE_URL": url,
         "DUDAO_SECRET_KEY": "bench-secret"}
    )  # fmt: skip
    app = create_app(settings, {"RATELIMIT_ENABLED": False})
    with app.app_context():
        session = app.extensions["dudao"].session_factory()
        org = build_org(session)
        office = make_user(session, "office", PASSWORD, (("office", org.group),))
        inspector = make_user(session, "insp", PASSWORD, (("inspector", org.company_a),))
        sync_forms(session, None, PROJECT_ROOT / "forms")
        version = current_version(session, "branch_standardisation")
        inspection = create_inspection(
            session, office, org.branch_a1, version, date(2026, 12, 31),
            InspectionOrigin.AD_HOC, assignees=[inspector],
        )  # fmt: skip
        apply(session, office, inspection, "assign")
        session.commit()
        return app, inspection.id


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium")
        return 2
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="dudao-tablet-bench-"))
    app, inspection_id = prepare(folder)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    ok = True
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(viewport={"width": TABLET[0], "height": TABLET[1]})
        page = context.new_page()
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "insp")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("button.primary")

        transfers: list[tuple[str, int]] = []

        def count(request) -> None:
            response = request.response()
            if response is None or (request.resource_type == "image" and "photos" in request.url):
                return
            sizes = request.sizes()
            transfers.append(
                (request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"])
            )

        # An empty HTTP cache, as on a tablet that never saw the site's CSS and scripts.
        context.new_cdp_session(page).send("Network.clearBrowserCache")
        page.on("requestfinished", count)
        started = time.perf_counter()
        page.goto(f"{base}/inspect/{inspection_id}")
        page.wait_for_selector("body[data-client-ready=yes]")
        loaded = time.perf_counter() - started
        page.wait_for_selector("body[data-offline-ready=yes]", timeout=30_000)
        page.remove_listener("requestfinished", count)
        total = sum(size for _url, size in transfers)
        items = page.locator(".ditem").count()
        print(f"checklist: branch_standardisation, {items} items on the page")
        print(f"first load: {len(transfers)} requests, {total / 1024:.1f} KB transferred "
              f"(limit {LIMIT // 1024} KB), ready in {loaded * 1000:.0f} ms")  # fmt: skip
        for url, size in sorted(transfers, key=lambda t: -t[1]):
            print(f"  {size / 1024:7.1f} KB  {url.replace(base, '')}")
        cached = page.evaluate(
            """async () => {
                 let n = 0, bytes = 0;
                 for (const name of await caches.keys()) {
                   const cache = await caches.open(name);
                   for (const r of await cache.keys()) {
                     n++; bytes += (await (await cache.match(r)).blob()).size;
                   }
                 }
                 return [n, bytes]; }"""
        )  # fmt: skip
        print(f"kept for offline use: {cached[0]} responses, {cached[1] / 1024:.1f} KB")
        ok = total < LIMIT

        context.set_offline(True)
        started = time.perf_counter()
        page.reload()
        page.wait_for_selector("body[data-client-ready=yes]")
        offline_ms = (time.perf_counter() - started) * 1000
        offline_items = page.locator(".ditem").count()
        page.click(".ditem-yes_no label.dtile-yes")
        opened = offline_items == items and page.get_attribute("#t-state", "data-state") == "device"
        print(f"offline reload: {'opens' if opened else 'FAILED'}, {offline_items} items, "
              f"{offline_ms:.0f} ms, an answer saved on the device")  # fmt: skip
        ok = ok and opened
        browser.close()
    server.shutdown()
    shutil.rmtree(folder, ignore_errors=True)  # the scratch SQLite database
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
