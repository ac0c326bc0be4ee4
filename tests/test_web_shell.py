"""Web shell: language, error pages, security headers, the catalogue, the look in Chromium."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dudao.cli import cli
from dudao.web import i18n
from dudao.web.access import public
from tests.browser import DESKTOP, PHONE, TABLET, browser_sign_in, save_screenshot
from tests.conftest import PASSWORD

PACKAGE = Path(i18n.PACKAGE_DIR)
# style="…", <style>, on…= handlers, and <script> without src (JSON data blocks are fine).
INLINE_CODE = re.compile(
    r"\sstyle=|<style|\son[a-z]+=|<script(?![^>]*(\ssrc=|\stype=\"application/json\"))"
)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _english(client) -> None:
    response = client.post("/lang", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302


# ---- language


def test_default_language_is_chinese(client):
    page = _text(client.get("/login"))
    assert '<html lang="zh-CN">' in page
    assert "<title>登录 · 督导</title>" in page
    assert "用户名" in page and "在此设备上保持登录" in page
    assert "Sign in" not in page and "Username" not in page


def test_switching_to_english_and_back(client):
    response = client.post("/lang", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    page = _text(client.get("/login"))
    assert '<html lang="en">' in page
    assert "Sign in" in page and "Keep me signed in on this device" in page
    assert "用户名" not in page
    client.post("/lang", data={"lang": "zh_CN", "next": "/login"})
    assert "用户名" in _text(client.get("/login"))


def test_language_switch_ignores_unknown_locales_and_offsite_targets(client):
    response = client.post("/lang", data={"lang": "fr", "next": "//evil.example/x"})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
    assert '<html lang="zh-CN">' in _text(client.get("/login"))


def test_signed_in_pages_are_translated(signed_in, org):
    client = signed_in("ada", ("admin", org.group))
    page = _text(client.get("/"))
    assert "Ada，您好" in page
    assert "我的工作" in page and "系统管理员" in page and "审计日志" in page
    assert "退出登录" in page
    _english(client)
    page = _text(client.get("/"))
    assert "Welcome, Ada" in page and "Your work" in page
    assert "Administrator" in page and "Sign out" in page


# ---- error pages


@pytest.mark.parametrize(
    ("lang", "heading", "text"),
    [
        ("zh_CN", "页面不存在", "不在您负责的组织范围内"),
        ("en", "Page not found", "outside your part of the organisation"),
    ],
)
def test_unknown_url_is_a_404_page(client, lang, heading, text):
    client.post("/lang", data={"lang": lang, "next": "/"})
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = _text(response)
    assert heading in page and text in page
    assert 'class="error-code"' in page and "404" in page


@pytest.mark.parametrize(
    ("lang", "heading", "text"),
    [
        ("zh_CN", "无权访问", "您没有访问此页面的权限。"),
        ("en", "Access denied", "You do not have permission to open this page."),
    ],
)
def test_forbidden_page_is_a_403_page(signed_in, org, lang, heading, text):
    client = signed_in("ivan", ("inspector", org.unit_a1))
    client.post("/lang", data={"lang": lang, "next": "/"})
    response = client.get("/audit")
    assert response.status_code == 403
    page = _text(response)
    assert heading in page and text in page


@pytest.mark.parametrize(
    ("lang", "heading", "text"),
    [
        ("zh_CN", "系统错误", "请稍后重试"),
        ("en", "Server error", "please try again in a moment"),
    ],
)
def test_exception_is_a_500_page(app, lang, heading, text):
    @public
    def explode():
        raise RuntimeError("boom")

    app.add_url_rule("/test-only/explode", "test_explode", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    client.post("/lang", data={"lang": lang, "next": "/"})
    response = client.get("/test-only/explode")
    assert response.status_code == 500
    page = _text(response)
    assert heading in page and text in page
    assert "RuntimeError" not in page and "boom" not in page


# ---- headers and markup


@pytest.mark.parametrize("path", ["/login", "/no/such/page"])
def test_security_headers_on_pages(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_base_layout_is_accessible(signed_in, org):
    client = signed_in("ada", ("admin", org.group))
    page = _text(client.get("/"))
    assert re.search(r'<a class="skip-link" href="#main">跳到主要内容</a>', page)
    assert '<main id="main"' in page and "<header" in page and "<footer" in page
    assert re.search(r'<nav class="mainnav" aria-label="主导航">', page)
    css = client.get("/static/dudao.css")
    assert css.status_code == 200 and b":focus-visible" in css.data


def test_templates_need_no_inline_style_or_script():
    """The CSP forbids inline styles and scripts (JSON data blocks are fine): none in templates."""
    offenders = []
    for template in PACKAGE.glob("**/templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        if INLINE_CODE.search(text):
            offenders.append(str(template.relative_to(PACKAGE)))
    assert offenders == []


# ---- the catalogue


def test_catalogue_is_complete_and_compiled():
    """Fails when a string in the code is missing or untranslated, or the .mo is stale.

    Fix with `dudao i18n update`, translate in the .po, then `dudao i18n compile`.
    """
    assert i18n.check() == []


@pytest.fixture
def catalogue_copy(tmp_path, monkeypatch) -> i18n.CatalogFiles:
    shutil.copytree(i18n.TRANSLATIONS, tmp_path / "translations")
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path / "translations")
    return i18n.CatalogFiles("zh_CN")


def test_check_notices_a_stale_mo_and_compile_fixes_it(catalogue_copy):
    po = catalogue_copy.po
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "退出登录"', 'msgstr "注销"'),
        encoding="utf-8",
    )
    assert any("out of date" in p for p in i18n.check(with_sources=False))
    result = CliRunner().invoke(cli, ["i18n", "compile"])
    assert result.exit_code == 0, result.output
    assert i18n.check(with_sources=False) == []


def test_check_and_update_notice_a_missing_string(catalogue_copy):
    po = catalogue_copy.po
    text = po.read_text(encoding="utf-8")
    entry = re.search(r'\n(#[^\n]*\n)*msgid "Skip to main content"\nmsgstr "[^"]*"\n', text)
    assert entry is not None
    po.write_text(text.replace(entry.group(0), "\n"), encoding="utf-8")
    problems = i18n.check()
    assert any("'Skip to main content'" in p and "not in messages.po" in p for p in problems)

    result = CliRunner().invoke(cli, ["i18n", "check"])
    assert result.exit_code == 1 and "Skip to main content" in result.output

    assert "Skip to main content" in i18n.update("zh_CN")
    assert 'msgid "Skip to main content"\nmsgstr ""' in po.read_text(encoding="utf-8")
    assert any("has no reviewed translation" in p for p in i18n.check())


def test_update_is_quiet_when_nothing_changed(catalogue_copy):
    first = i18n.update("zh_CN")
    before = catalogue_copy.po.read_bytes()
    assert i18n.update("zh_CN") == first
    assert catalogue_copy.po.read_bytes() == before


# ---- in a real browser


@pytest.mark.browser
@pytest.mark.parametrize("size", [PHONE, TABLET, DESKTOP], ids=["phone", "tablet", "desktop"])
def test_screens_in_chromium(live_server, browser_page, org, user_factory, size):
    user_factory("ada", ("admin", org.group), ("inspector", org.unit_a1))
    page = browser_page(*size)
    name = f"{size[0]}x{size[1]}"

    page.goto(f"{live_server.url}/login")
    assert page.title() == "登录 · 督导"
    save_screenshot(page, f"login-{name}")
    _assert_fits(page)

    browser_sign_in(page, live_server.url, "ada", PASSWORD)
    assert page.url.rstrip("/") == live_server.url
    assert page.inner_text("h1") == "Ada，您好"
    assert page.locator(".card").count() >= 3
    save_screenshot(page, f"home-{name}")
    _assert_fits(page)
    assert page.console_errors == []  # a CSP violation or a missing file would show here

    page.keyboard.press("Tab")  # the first stop is the skip link, and it becomes visible
    skip = page.locator(".skip-link")
    assert skip.evaluate("e => e === document.activeElement")
    assert skip.bounding_box()["y"] >= 0
    skip.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    with page.expect_navigation():
        page.click("button[name=lang][value=en]")  # the real form, CSRF token and all
    assert page.inner_text("h1") == "Welcome, Ada"
    assert page.get_attribute("html", "lang") == "en"
    # English punctuation in a Latin font: an apostrophe far narrower than a Chinese character.
    widths = page.evaluate(
        """() => ['\u2019', '\u4e2d'].map(text => {
            const span = document.createElement('span');
            span.textContent = text;
            document.querySelector('main').append(span);
            const width = span.getBoundingClientRect().width;
            span.remove();
            return width;
        })"""
    )
    assert widths[0] < 0.5 * widths[1], widths
    save_screenshot(page, f"home-en-{name}")
    _assert_fits(page)
    with page.expect_navigation():
        page.click("button[name=lang][value=zh_CN]")

    page.goto(f"{live_server.url}/no/such/page")
    assert page.inner_text("h1").startswith("页面不存在")
    save_screenshot(page, f"error-404-{name}")
    _assert_fits(page)
    assert all("status of 404" in error for error in page.console_errors)


def _assert_fits(page) -> None:
    """No sideways scrolling of the whole page, and every control is a 44 px touch target."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, input:not([type=hidden]), .card')]
            .filter(e => e.offsetParent !== null && !['checkbox', 'radio'].includes(e.type))
            .filter(e => e.getBoundingClientRect().height < 44)
            .map(e => e.outerHTML.slice(0, 80))"""
    )
    assert small == []


def test_field_macro_puts_the_error_beside_its_field(app):
    from flask import render_template_string
    from flask_wtf import FlaskForm
    from wtforms import StringField
    from wtforms.validators import DataRequired

    class NameForm(FlaskForm):
        name = StringField("Name", validators=[DataRequired()])

    with app.test_request_context("/", method="POST", data={"name": ""}):
        form = NameForm()
        assert not form.validate()
        source = '{% from "_form.html" import field %}{{ field(form.name, hint="Full name") }}'
        html = render_template_string(source, form=form)
    assert 'class="field has-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="name-error name-hint"' in html
    assert re.search(r'<p class="field-error" id="name-error">[^<]+</p>', html)
    assert '<span class="required" aria-hidden="true">*</span></label>' in html


def test_error_page_survives_a_failing_layout(app):
    """When the layout itself fails (say the database is down), a bare bilingual 500 remains."""

    @public
    def explode():
        raise RuntimeError("boom")

    def broken_layout() -> dict:
        raise RuntimeError("database is down")

    app.add_url_rule("/test-only/explode", "test_explode", explode)
    app.add_url_rule("/s/test-only-explode", "answer.test_explode", explode)
    app.context_processor(broken_layout)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/test-only/explode")
    assert response.status_code == 500
    page = _text(response)
    assert "系统出现错误" in page and "Something went wrong on our side" in page
    assert "boom" not in page and "database is down" not in page
    assert 'href="/static/dudao.css"' in response.get_data(as_text=True)
    # On an answering page its stylesheet comes from /s/ too, which is logged without the
    # member's address (a /static line beside the /s one would give it away).
    answering = app.test_client().get("/s/test-only-explode")
    assert answering.status_code == 500 and "系统出现错误" in _text(answering)
    assert 'href="/s/assets/dudao.css"' in answering.get_data(as_text=True)


def test_other_http_errors_get_a_generic_page(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "无法完成该请求" in _text(response)


def test_installs_ship_the_compiled_catalogue_and_static_files():
    """package-data must carry the .mo, the stylesheet and the templates into a wheel."""
    import tomllib

    config = tomllib.loads((i18n.REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["dudao"]
    shipped = {path for pattern in patterns for path in PACKAGE.glob(pattern)}
    wanted = [
        i18n.CatalogFiles("zh_CN").mo,
        PACKAGE / "web/static/dudao.css",
        PACKAGE / "web/static/favicon.svg",
        PACKAGE / "web/templates/errors/bare.html",
        PACKAGE / "web/templates/_form.html",
    ]
    assert [path for path in wanted if path not in shipped] == []


def test_check_flags_a_bare_percent_in_a_template():
    """Jinja formats every template string with `%`: '95% interval' would break the page."""
    from babel.messages.catalog import Message

    def bare(text: str, path: str) -> bool:
        message = Message(text, locations=[(path, 1)])
        return i18n._bare_percent_in_template(message.id, message)

    assert bare("95% interval", "surveys/templates/surveys/results.html")
    assert not bare("95%% interval, %(n)d answers", "surveys/templates/surveys/results.html")
    assert not bare("95% interval", "surveys/views.py")  # Python strings format only with values


def _cards(page: str) -> list[str]:
    return re.findall(r'<span class="card-title">([^<]+)</span>', page)


@pytest.mark.parametrize(
    ("role", "expected", "absent"),
    [
        ("inspector", ["我的检查", "我的单位", "通知"], ["账号管理", "检查计划", "审计日志"]),
        (
            "office",
            ["检查", "考评", "报告", "检查计划", "问卷测评", "审计日志"],
            ["我的检查", "账号管理"],
        ),
        (
            "unit_lead",
            ["检查", "趋势分析", "考评", "我的单位", "通知"],
            ["我的检查", "检查计划", "账号管理"],
        ),
        ("representative", ["意见建议", "通知"], ["我的单位", "我的检查", "审计日志"]),
    ],
)
def test_start_page_sends_each_role_to_its_work(signed_in, org, role, expected, absent):
    client = signed_in("ren", (role, org.company_a))
    cards = _cards(_text(client.get("/")))
    assert [c for c in expected if c not in cards] == []
    assert [c for c in absent if c in cards] == []
    for href in re.findall(r'<a class="card" href="([^"]+)"', _text(client.get("/"))):
        assert client.get(href).status_code == 200, href  # every card opens for this role


def _menu(page: str) -> list[tuple[str, str, bool]]:
    nav = re.search(r'<nav class="mainnav".*?</nav>', page, re.S).group(0)
    return [
        (href, text.strip(), "aria-current" in attrs)
        for href, attrs, text in re.findall(r'<a href="([^"]+)"([^>]*)>([^<]+)', nav)
    ]


@pytest.mark.parametrize(
    ("role", "path", "entry"),
    [
        ("office", "/surveys", ("/surveys", "问卷测评", True)),
        ("office", "/feedback", ("/feedback", "意见建议", True)),
        ("representative", "/feedback/mine", ("/feedback/mine", "意见建议", True)),
        ("representative", "/", ("/feedback/mine", "意见建议", False)),
    ],
)
def test_the_menu_leads_to_questionnaires_and_feedback(signed_in, org, role, path, entry):
    """The office's campaigns and feedback, and a representative's only work, are in the menu."""
    client = signed_in("ren", (role, org.company_a))
    assert entry in _menu(_text(client.get(path)))


@pytest.mark.browser
def test_the_menu_wraps_instead_of_scrolling(live_server, browser_page, org, user_factory):
    """The office has the most entries; in English at tablet width they once ran off the
    right edge, reachable only by scrolling the menu sideways."""
    user_factory("olga", ("office", org.group))
    page = browser_page(*TABLET)
    browser_sign_in(page, live_server.url, "olga", PASSWORD)
    for lang in ("en", "zh_CN"):
        if page.get_attribute("html", "lang") != ("en" if lang == "en" else "zh-CN"):
            with page.expect_navigation():
                page.click(f"button[name=lang][value={lang}]")
        for size in (TABLET, PHONE, DESKTOP):
            page.set_viewport_size({"width": size[0], "height": size[1]})
            page.goto(f"{live_server.url}/")
            save_screenshot(page, f"menu-{lang}-{size[0]}")
            outside = page.evaluate(
                """() => [...document.querySelectorAll('.mainnav a')]
                    .filter(a => a.getBoundingClientRect().left < 0
                        || a.getBoundingClientRect().right > window.innerWidth)
                    .map(a => a.textContent.trim())"""
            )
            assert outside == [], (lang, size)
            assert page.locator(".mainnav a").count() >= 15
            _assert_fits(page)
