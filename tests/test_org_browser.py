"""The administrator's org-tree flows in a browser, in both languages and on a phone:
deactivating a unit with its subtree, the branch that waits for its parent, reactivating
the subtree with it, and an import checked first and then imported with one button."""

from __future__ import annotations

import pytest

from dudao.org.models import Unit
from dudao.org.services import update_unit
from tests.browser import (
    DESKTOP,
    PHONE,
    browser_sign_in,
    fits_sideways,
    read_in,
    save_screenshot,
)
from tests.conftest import PASSWORD
from tests.org_import_world import HEADER, csv_bytes

pytestmark = pytest.mark.browser
SIZES = (PHONE, DESKTOP)


def active(session, *units) -> list[bool]:
    session.expire_all()
    return [session.get(Unit, unit.id).active for unit in units]


def fits_each_size(page) -> bool:
    """The page as it is (the answer to a POST: it cannot be loaded again) fits a phone and
    a desktop."""
    fits = []
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        fits.append(fits_sideways(page))
    return all(fits)


@pytest.fixture(params=["zh_CN", "en"])
def admin_page(request, live_server, browser_page, org, user_factory, session):
    update_unit(session, None, org.unit_a1, name="甲一厂（名称较长的示例生产单位）",
                name_en="Jiayi Works, a production unit with a long name")  # fmt: skip
    session.commit()
    user_factory("root", ("admin", org.group))
    page = browser_page(*DESKTOP)
    browser_sign_in(page, live_server.url, "root", PASSWORD)
    read_in(page, request.param)
    page.lang = request.param
    return page


def test_a_subtree_goes_and_comes_back_together(admin_page, live_server, org, session):
    page, base = admin_page, live_server.url
    page.goto(f"{base}/units/{org.unit_a1.id}")
    page.click("button[name=active][value='0']")
    assert page.locator("#deactivated-below li").count() == 2
    assert fits_each_size(page)
    save_screenshot(page, f"org-deactivate-{page.lang}")
    with page.expect_navigation():
        page.click("form.actions button[name=active][value='0']")
    assert active(session, org.unit_a1, org.branch_a1) == [False, False]

    page.goto(f"{base}/units/{org.branch_a1.id}")
    assert page.locator("button[name=active]").count() == 0
    with page.expect_navigation():
        page.click("#reactivation-waits a")
    with page.expect_navigation():
        page.click("button[name=active][value='1']")
    assert page.locator("#reactivated-below li").count() == 2
    assert fits_each_size(page)
    save_screenshot(page, f"org-reactivate-{page.lang}")
    with page.expect_navigation():
        page.click("button[name=with_subtree][value='1']")
    assert active(session, org.unit_a1, org.branch_a1, org.branch_a2) == [True, True, True]


def test_a_checked_file_is_imported_with_one_button(admin_page, live_server, session, tmp_path):
    page, base = admin_page, live_server.url
    path = tmp_path / "华辰控股集团二〇二六年第四季度组织架构调整第二稿供党建工作部审核.csv"
    path.write_bytes(csv_bytes(HEADER, "A3,甲三厂,A,unit"))
    page.goto(f"{base}/units/import")
    page.set_input_files("input[type=file]", str(path))
    page.check("input[name=dry_run]")
    with page.expect_navigation():
        page.click("form[enctype] button.primary")
    assert fits_each_size(page)
    save_screenshot(page, f"org-import-checked-{page.lang}")
    assert session.query(Unit).filter_by(code="A3").count() == 0
    with page.expect_navigation():
        page.click("#import-kept button")
    said = {"zh_CN": "审核.csv：已导入 1 行", "en": "审核.csv: 1 row imported"}[page.lang]
    assert said in page.inner_text(".import-report")
    assert session.query(Unit).filter_by(code="A3").count() == 1
