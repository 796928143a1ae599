"""Sessions: who is signed in, for how long, and how every session of a client ends at once.

The session is Flask's signed cookie. It carries the client's id, the client's session version at sign-in, when
the client signed in and when the client was last seen. Logout and a password change bump the version in the
database, so a copied cookie stops working on every app instance with its next request.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Response, flash, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_url, login_user, logout_user
from sqlalchemy import update

from portal.cabinet.service import client_with_contracts
from portal.clock import now
from portal.extensions import db, login_manager
from portal.models import Client
from portal.rendering import redirect_to

IDLE_TIMEOUT = timedelta(minutes=15)
ABSOLUTE_TIMEOUT = timedelta(hours=8)
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
VERSION = "session_version"
# How often a request writes the moment it was seen into the session. Flask re-signs and sends the cookie only
# when the session changes (SESSION_REFRESH_EACH_REQUEST is off): the idle timeout need not be exact to the second.
SEEN_AT_STEP = timedelta(minutes=1)
# A support staff member's session (portal/staff) keeps its own key: Flask-Login holds clients only, so a staff
# member is never the cabinet's `current_user`, and a session is either a client's or a staff member's.
STAFF_ID = "staff_id"


@login_manager.unauthorized_handler
def ask_to_sign_in() -> Response:
    """To the login page, keeping where the client was going; an htmx request leaves the page for it whole."""
    return redirect_to(login_url("auth.login", next_url=request.full_path.rstrip("?")), 302)


@login_manager.user_loader
def load_client(client_id: str) -> Client | None:
    if not (client_id.isascii() and client_id.isdigit()) or STAFF_ID in session:
        return None
    client = client_with_contracts(int(client_id))
    if client is None or session.get(VERSION) != client.session_version:
        return None
    return client


def start_session(client: Client) -> None:
    """Sign the client in with a brand-new session: nothing of the session before it survives."""
    session.clear()
    login_user(client)
    stamp = now().timestamp()
    session[SIGNED_IN_AT] = stamp
    session[SEEN_AT] = stamp
    session[VERSION] = client.session_version
    session.permanent = True


def end_every_session(client: Client) -> None:
    """Every session of this client, on every instance, ends with its next request."""
    db.session.execute(update(Client).where(Client.id == client.id).values(session_version=Client.session_version + 1))


def sign_out() -> None:
    logout_user()
    session.clear()


def enforce_timeouts() -> None:
    """End a session idle for 15 minutes or older than 8 hours; the login page then says why."""
    if request.endpoint == "static" or SIGNED_IN_AT not in session:
        return
    moment = now().timestamp()
    idle = moment - float(session.get(SEEN_AT, 0))
    age = moment - float(session.get(SIGNED_IN_AT, 0))
    if age > ABSOLUTE_TIMEOUT.total_seconds():
        session.clear()
        flash(_("Сеанс завершен: с момента входа прошло 8 часов. Войдите снова."), "info")
        return
    if idle > IDLE_TIMEOUT.total_seconds():
        session.clear()
        flash(_("Сеанс завершен: вы не были активны 15 минут. Войдите снова."), "info")
        return
    if idle >= SEEN_AT_STEP.total_seconds():
        session[SEEN_AT] = moment


def init_app(app: Flask) -> None:
    app.before_request(enforce_timeouts)

    @app.context_processor
    def signed_in() -> dict[str, object]:
        return {"signed_in": current_user.is_authenticated}
