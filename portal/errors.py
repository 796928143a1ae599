"""Error pages in the user's language: never a bare error, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from portal.auth.forms import FactsForm, IdentifyForm, RegisterForm
from portal.extensions import db, login_manager
from portal.rendering import is_htmx_request

log = logging.getLogger(__name__)


# The forms a client fills in before signing in: on a stale token each is shown again with what was typed
# (passwords excepted, which are never sent back).
STALE_FORM_PAGES: dict[str, tuple[str, type[FlaskForm], dict[str, object]]] = {
    "auth.login": ("auth/login.html", IdentifyForm, {"stage": "identify", "next": None}),
    "auth.register": ("auth/facts.html", RegisterForm, {"purpose": "register"}),
    "auth.reset": ("auth/facts.html", FactsForm, {"purpose": "reset"}),
}


def error_page(template: str, code: int, **context: object) -> Response:
    """The error page; for htmx it replaces the whole body, never lands inside the region that asked."""
    response = make_response(render_template(template, code=code, **context), code)
    if is_htmx_request():
        response.headers["HX-Retarget"] = "body"
        response.headers["HX-Reswap"] = "innerHTML"
    response.vary.add("HX-Request")
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Response:
        """A stale or missing token: the sign-in forms come back filled in as typed, ready to send again."""
        form_page = STALE_FORM_PAGES.get(request.endpoint or "")
        if request.method != "POST" or form_page is None:
            return error_page("errors/csrf.html", 400)
        template, form_class, context = form_page
        stale = _("Форма устарела, поэтому данные не отправлены. Проверьте их и отправьте еще раз.")
        return error_page(template, 400, form=form_class(), error=stale, **context)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        return error_page("errors/error.html", error.code or 500)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: DBAPIError) -> Response:
        """The database went away: nothing was committed; the client may try again in a moment."""
        log.exception("database unavailable")
        db.session.rollback()
        # The page is shown as to a visitor: who is signed in cannot be read now (Flask-Login keeps the request's
        # user in g; an anonymous one there means the page asks the database nothing).
        g._login_user = login_manager.anonymous_user()
        return error_page("errors/error.html", ServiceUnavailable.code)

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError) -> Response:
        """A lost connection is the database gone away, whatever the driver calls it (SQLite: a ProgrammingError
        on a closed database); any other database error is unexpected."""
        if error.connection_invalidated:
            return database_unavailable(error)
        return unexpected_error(error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Response:
        log.exception("unhandled error")
        return error_page("errors/error.html", InternalServerError.code)
