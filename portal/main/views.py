"""The start page with the way into the cabinet, the tables' column names for phones, and /healthz for load
balancers and operators."""

from __future__ import annotations

import logging

import redis
from flask import abort, current_app, jsonify, make_response, render_template
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.main import bp
from portal.rendering import render_page

log = logging.getLogger(__name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_page("main/index.html")


def _database_reachable() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        log.exception("health check: database unreachable")
        db.session.rollback()
        return False


def _redis_state() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
        return "ok"
    except redis.RedisError:
        log.exception("health check: redis unreachable")
        return "unreachable"
    finally:
        client.close()


@bp.get("/labels-<lang>.css")
def table_labels(lang: str) -> ResponseReturnValue:
    """The column names a phone shows beside each value when a table's rows become cards (portal.css), in the
    page's language: CSS generated content, so that a fragment of 24 rows does not carry them 24 times."""
    if lang not in current_app.config["PORTAL_LANGUAGES"]:
        abort(404)
    with force_locale(lang):
        body = render_template("main/labels.css")
    response = make_response(body)
    response.mimetype = "text/css"
    # The same for everyone in a language, and nothing personal: browsers may keep it for a day.
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    database = "ok" if _database_reachable() else "unreachable"
    redis_state = _redis_state()
    healthy = database == "ok" and redis_state != "unreachable"
    body = {"status": "ok" if healthy else "unavailable", "database": database, "redis": redis_state}
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
