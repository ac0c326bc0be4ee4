"""The application factory: configuration, extensions and an explicit list of blueprints.

It has no side effects: no migrations, no network, no background processes.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from dudao.config import Settings, load_settings
from dudao.core.queue import redis_url
from dudao.core.runtime import Runtime

MAX_UPLOAD_BYTES = 16 * 1024 * 1024


def create_app(settings: Settings | None = None, config: dict[str, Any] | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(
        "dudao",
        instance_path=str(settings.instance_path),
        static_folder="web/static",
        template_folder="web/templates",
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.behind_https,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.behind_https,
        PREFERRED_URL_SCHEME="https" if settings.behind_https else "http",
        BABEL_DEFAULT_LOCALE="zh_CN",
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        RATELIMIT_STORAGE_URI=_limiter_uri(redis_url(settings)),
        # Explicit: the limiter object is shared, and it would otherwise inherit the
        # last app's setting (a test app that turned it off).
        RATELIMIT_ENABLED=True,
        # A CSRF token lives as long as the session: a form left open for hours (an
        # inspection on a tablet) must still submit.
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(config or {})
    app.extensions["dudao"] = Runtime(settings)
    if settings.behind_https:
        # One trusted proxy in front: client address, scheme and host come from its
        # X-Forwarded-* headers, so request.is_secure and the rate-limit key are right.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    from dudao.web import setup as web_setup

    web_setup.init_app(app)
    _register_blueprints(app)
    return app


def _limiter_uri(url: str) -> str:
    return url.replace("unix://", "redis+unix://", 1) if url.startswith("unix://") else url


def _register_blueprints(app: Flask) -> None:
    """Every blueprint, explicitly and in order (where two rules tie, the first one wins)."""
    from dudao.analytics.views import bp as analytics_bp
    from dudao.assessment.public_views import bp as publication_bp
    from dudao.assessment.views import bp as assessment_bp
    from dudao.audit.views import bp as audit_bp
    from dudao.auth.account_views import bp as account_bp
    from dudao.auth.views import bp as auth_bp
    from dudao.definitions.views import bp as definitions_bp
    from dudao.definitions.views_preview import bp as definitions_preview_bp
    from dudao.feedback.views import bp as feedback_bp
    from dudao.inspections.api import bp as inspections_api_bp
    from dudao.inspections.client_views import bp as tablet_bp
    from dudao.inspections.rectification_views import bp as rectifications_bp
    from dudao.inspections.views import bp as inspections_bp
    from dudao.notifications.views import bp as notifications_bp
    from dudao.org.suggest_views import bp as unit_suggest_bp
    from dudao.org.views import bp as org_bp
    from dudao.reports.views import bp as reports_bp
    from dudao.scheduling.ad_hoc_views import bp as ad_hoc_bp
    from dudao.scheduling.draw_views import bp as draws_bp
    from dudao.scheduling.people_views import bp as inspector_choices_bp
    from dudao.scheduling.views import bp as scheduling_bp
    from dudao.surveys.answer_views import bp as survey_answer_bp
    from dudao.surveys.results_views import bp as survey_results_bp
    from dudao.surveys.views import bp as surveys_bp
    from dudao.targets.post_views import bp as pioneer_posts_bp
    from dudao.targets.views import bp as targets_bp
    from dudao.triage.views import bp as triage_bp
    from dudao.web.views import bp as web_bp

    for blueprint in (
        web_bp,
        auth_bp,
        account_bp,
        org_bp,
        unit_suggest_bp,
        audit_bp,
        notifications_bp,
        definitions_preview_bp,
        inspections_bp,
        rectifications_bp,
        draws_bp,
        scheduling_bp,
        ad_hoc_bp,
        inspector_choices_bp,
        definitions_bp,
        inspections_api_bp,
        tablet_bp,
        surveys_bp,
        survey_results_bp,
        survey_answer_bp,
        feedback_bp,
        reports_bp,
        triage_bp,
        assessment_bp,
        publication_bp,
        targets_bp,
        pioneer_posts_bp,
        analytics_bp,
    ):
        app.register_blueprint(blueprint)
