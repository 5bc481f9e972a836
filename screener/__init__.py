"""TMS Screener: a bilingual safety questionnaire before a first TMS consultation."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import audit, database, paths, purging  # noqa: F401 - audit registers its model
from . import config as config_module
from .directory import models as directory_models  # noqa: F401 - registers its tables
from .extensions import babel, csrf, db, limiter, migrate
from .i18n import select_locale
from .patient import model  # noqa: F401 - registers its model
from .questionnaire.cli import questions
from .questionnaire.loader import QuestionnaireError, load_registry
from .staff import login as staff_login
from .staff import models as staff_models  # noqa: F401 - registers its tables
from .staff import session as staff_session
from .staff.cli import clinics as clinics_cli
from .submissions import models as submission_models  # noqa: F401 - registers its tables
from .submissions import sealing
from .submissions.cli import submissions as submissions_cli
from .web import accesslog, errors, health, jsonlog, logs, security, templating
from .web import csrf as csrf_policy


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides the environment (tests pass a database URL here)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(paths.TEMPLATES),
    )
    app.config.update(config_module.from_environment(app.instance_path))
    if config:
        app.config.update(config)
    config_module.check_production(app.config)
    if app.config["PROXY_COUNT"]:
        # Behind a proxy, the client's address (rate limits) and scheme come from its headers.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    _quiet_sql_logging()
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(paths.MIGRATIONS))
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(paths.TRANSLATIONS),
    )
    limiter.init_app(app)
    sealing.init_app(app)
    staff_session.init_app(app)
    staff_login.init_app(app)
    _load_questionnaires(app)

    _register_blueprints(app)
    app.cli.add_command(questions)
    app.cli.add_command(clinics_cli)
    app.cli.add_command(submissions_cli)
    purging.init_app(app)
    security.init_app(app)
    logs.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    accesslog.init_app(app)
    jsonlog.init_app(app)
    health.init_app(app, paths.MIGRATIONS)
    return app


def _register_blueprints(app: Flask) -> None:
    from .api import directory as directory_api
    from .api import evaluation as api
    from .api import openapi
    from .api import summary as summary_api
    from .clinics import frame_csrf, framed_urls
    from .directory.cli import places, providers
    from .views import clinic_api, clinics, inbox, screening, staff, summary
    from .views import providers as provider_pages

    app.register_blueprint(screening.bp)
    app.register_blueprint(summary.bp)
    app.register_blueprint(provider_pages.bp)
    app.register_blueprint(clinics.bp)
    # The patient's path again, inside a clinic's frame: same views, cookieless URLs.
    app.register_blueprint(screening.bp, name="framed", url_prefix=framed_urls.FRAME_PREFIX)
    app.register_blueprint(summary.bp, name="framed_summary", url_prefix=framed_urls.FRAME_PREFIX)
    app.url_value_preprocessor(framed_urls.pull_frame)
    app.url_defaults(framed_urls.push_frame)
    clinics.init_framed(app)
    # Staff pages (sign-in, enrolment, the inbox) use CSRFProtect's check like the site's.
    app.register_blueprint(staff.bp)
    app.register_blueprint(inbox.bp)
    api_blueprints = (api.bp, summary_api.bp, directory_api.bp, openapi.bp)
    for api_bp in (*api_blueprints, clinic_api.bp):
        app.register_blueprint(api_bp)
    # Every POST view is CSRF-checked from here on; these two are the only exemptions.
    csrf_policy.guard_views(app, (
        csrf_policy.Exemption(
            reason="Inside a clinic's frame no cookie of ours arrives, so CSRFProtect's "
                   "session-bound token cannot work: the frame's forms carry cookieless tokens "
                   "and a POST another site sent is refused.",
            check=frame_csrf.protect,
            blueprints=frozenset(framed_urls.FRAMED_BLUEPRINTS.values()),
            endpoints=framed_urls.ENTRY_ENDPOINTS,
        ),
        csrf_policy.Exemption(
            reason="The JSON API reads no cookie and stores nothing, so a forged request gains "
                   "nothing its sender could not get directly; and it takes JSON bodies only "
                   "(415 otherwise, api.evaluation.read_json_body), which no cross-site form "
                   "can send without a CORS preflight we never allow.",
            blueprints=frozenset(bp.name for bp in api_blueprints),
        ),
        csrf_policy.Exemption(
            reason="Clinics' systems authenticate with a bearer token in the Authorization "
                   "header, which a browser never adds to a request by itself; no cookie is read.",
            blueprints=frozenset({clinic_api.bp.name}),
        ),
    ))
    app.cli.add_command(places)
    app.cli.add_command(providers)


def _load_questionnaires(app: Flask) -> None:
    """Broken questionnaire files must not be served, but `flask questions check` must still
    start to report them, so the app starts and answers every request with 503 instead."""
    try:
        app.extensions["questionnaires"] = load_registry(app.config["QUESTIONS_DIR"])
    except QuestionnaireError as exc:
        app.logger.error("questionnaire files are invalid; serving 503:\n%s", exc)
        app.extensions["questionnaires"] = None

        @app.before_request
        def refuse():
            return errors.unavailable("the questionnaire files are invalid")


def _quiet_sql_logging() -> None:
    """SQLAlchemy logs result rows at DEBUG, and rows hold answers. Whatever level the
    deployment sets on the root logger, SQL logging stays at WARNING."""
    for name in ("sqlalchemy.engine", "sqlalchemy.pool", "sqlalchemy.orm"):
        logging.getLogger(name).setLevel(logging.WARNING)
