"""The floor under every page: the cabinet's own request machinery answering with no page at all.

Two routes of the benchmark's own, added to the production app here and never in wsgi.py. Both answer with
bench/bare.py's 5 KB string, so that the only difference from its /bare/html is what the cabinet does around a page:

    /bench/floor             the app's hooks: security headers, the JSON request log line and the metrics, the
                             limiter, the language's choice, the session cookie read (there is none)
    /bench/floor/signed-in   the same behind the session's check, exactly as a cabinet page has it
                             (`login_required`): the signed cookie read, the client and its contracts read from
                             the database, the session's last-seen time written at most once a minute

No signed-in page of the cabinet can be faster than the second: what it costs beside the yardstick (bench/bare.py)
is what the cabinet's machinery alone takes of a page's budget (docs/performance.md).

    gunicorn -c gunicorn.conf.py 'bench.floor:create_app()'     (as bench/run.py serves the cabinet)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask
from flask_login import login_required

from bench.bare import PAGE
from portal import create_app as create_portal

FLOOR = "/bench/floor"
SIGNED_IN_FLOOR = "/bench/floor/signed-in"

bp = Blueprint("bench_floor", __name__)


@bp.get(FLOOR)
def floor() -> str:
    return PAGE


@bp.get(SIGNED_IN_FLOOR)
@login_required
def signed_in_floor() -> str:
    return PAGE


def with_floor(app: Flask) -> Flask:
    """The app with the two routes; before its first request."""
    app.register_blueprint(bp)
    return app


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The production app (portal.create_app, configured as wsgi.py's) with the floor's routes."""
    return with_floor(create_portal(config))
