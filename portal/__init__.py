"""The client cabinet of the Housing Portal: create_app() builds the Flask application."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import config as portal_config

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration in layers, extensions, blueprints, commands and error pages."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)

    app.config.from_mapping(portal_config.defaults(app.instance_path))
    app.config.from_mapping(portal_config.from_environment(os.environ))
    app.config.from_pyfile("config.py", silent=True)
    if test_config is not None:
        app.config.from_mapping(test_config)
    portal_config.finalise(app.config)

    from portal import (
        cli,
        errors,
        i18n,
        logs,
        metrics,
        models,  # noqa: F401  (its tables)
        rendering,
        security,
    )
    from portal.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    limiter.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    rendering.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    logs.init_app(app)

    from portal.auth import bp as auth_bp
    from portal.auth import session as auth_session
    from portal.cabinet import bp as cabinet_bp
    from portal.documents import bp as documents_bp
    from portal.faq import bp as faq_bp
    from portal.main import bp as main_bp
    from portal.staff import bp as staff_bp

    auth_session.init_app(app)
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(cabinet_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(faq_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(metrics.bp)

    app.cli.add_command(cli.portal)
    if app.config["PORTAL_PROXIES"]:
        # Behind nginx: the client's own address (limits, audit) and scheme come from the trusted proxy.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=app.config["PORTAL_PROXIES"], x_proto=app.config["PORTAL_PROXIES"]
        )
    return app
