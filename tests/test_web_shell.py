"""Web shell: language, error pages, security headers, the catalogue, the look in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dudao.web import i18n
from dudao.web.access import public

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
    assert re.search(r'<nav class="mainnav" id="mainnav" aria-label="主导航">', page)
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


def _cards(page: str) -> list[str]:
    return re.findall(r'<a class="card-title card-link" href="[^"]+">([^<]+)</a>', page)


@pytest.mark.parametrize(
    ("role", "expected", "absent"),
    [
        ("inspector", ["我的检查", "我的单位", "通知"], ["账号管理", "检查计划", "审计日志"]),
        (
            "office",
            ["检查", "考评", "报告", "检查计划", "问卷测评"],
            ["我的检查", "账号管理", "审计日志"],  # a company's office: not the whole log
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
    for href in re.findall(
        r'<a class="card-title card-link" href="([^"]+)"', _text(client.get("/"))
    ):
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


def test_the_icon_is_found_where_browsers_look_without_a_page(client):
    """A photo or a PDF opened on its own has no <link rel=icon>: the browser asks here."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response.headers["Location"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
