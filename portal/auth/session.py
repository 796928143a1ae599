"""Sessions: who is signed in, for how long, and how every session of a client ends at once.

The session is Flask's signed cookie. It carries the client's id, a random id of its own, the client's session
version at sign-in, when the client signed in and when the client was last seen. Logout and a password change bump
the version in the database, so a copied cookie stops working on every app instance, and drop the client's pages
from the page cache of every worker (portal/page_cache.py). A page the page cache serves is activity too: the idle
check counts it.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, Response, current_app, flash, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_url, login_user, logout_user
from sqlalchemy import update

from portal.cabinet.service import client_with_contracts, shows_contracts_of
from portal.clock import now
from portal.extensions import db, login_manager
from portal.models import Client
from portal.page_cache import NOT_SHOWN, VISITOR, Owner, PageCache, forget_client
from portal.rendering import redirect_to

IDLE_TIMEOUT = timedelta(minutes=15)
ABSOLUTE_TIMEOUT = timedelta(hours=8)
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
VERSION = "session_version"
SESSION_ID = "sid"  # random, one per sign-in: the page cache keeps a client's pages under it
CLIENT_ID = "_user_id"  # Flask-Login's key
FLASHES = "_flashes"  # Flask's key for the messages a page is to show
# A support staff member's session (portal/staff) keeps its own key: Flask-Login holds clients only, so a staff
# member is never the cabinet's `current_user`, and a session is either a client's or a staff member's.
STAFF_ID = "staff_id"


@login_manager.unauthorized_handler
def ask_to_sign_in() -> Response:
    """To the login page, keeping where the client was going; an htmx request leaves the page for it whole."""
    return redirect_to(login_url("auth.login", next_url=request.full_path.rstrip("?")), 302)


def _view_shows_contracts() -> bool:
    return shows_contracts_of(current_app.view_functions.get(request.endpoint or ""))


@login_manager.user_loader
def load_client(client_id: str) -> Client | None:
    if not (client_id.isascii() and client_id.isdigit()) or STAFF_ID in session:
        return None
    if _view_shows_contracts():
        client = client_with_contracts(int(client_id))
    else:
        client = db.session.get(Client, int(client_id))
    if client is None or session.get(VERSION) != client.session_version:
        return None
    return client


def start_session(client: Client) -> None:
    """Sign the client in with a brand-new session: nothing of the session before it survives."""
    session.clear()
    login_user(client)
    stamp = now().timestamp()
    session[SESSION_ID] = secrets.token_urlsafe(16)
    session[SIGNED_IN_AT] = stamp
    session[SEEN_AT] = stamp
    session[VERSION] = client.session_version
    session.permanent = True


def end_every_session(client: Client) -> None:
    """Every session of this client, on every instance, ends with its next request (its pages drop from the page
    cache once this commits)."""
    db.session.execute(
        update(Client)
        .where(Client.id == client.id)
        .values(session_version=Client.session_version + 1)
        .execution_options(**NOT_SHOWN)
    )
    forget_client(client.id)


def page_owner(data: Mapping[str, Any]) -> Owner | None:
    """Whose pages the page cache may show a request with this session: the signed-in client's session, every
    visitor's without one, or None when only the app may answer (support staff, a flashed message to show)."""
    if STAFF_ID in data or FLASHES in data:
        return None
    if CLIENT_ID not in data:
        return VISITOR
    session_id, client_id, signed_in_at = data.get(SESSION_ID), str(data.get(CLIENT_ID)), data.get(SIGNED_IN_AT)
    if not isinstance(session_id, str) or not client_id.isdigit() or not isinstance(signed_in_at, int | float):
        return None
    return Owner(session_id, int(client_id), float(signed_in_at) + ABSOLUTE_TIMEOUT.total_seconds())


def last_seen() -> float:
    """When this session was last active: its own last request, or a page the page cache served it since."""
    seen = float(session.get(SEEN_AT, 0))
    cache: PageCache | None = current_app.extensions.get("page_cache")
    session_id = session.get(SESSION_ID)
    if cache is not None and isinstance(session_id, str):
        served = cache.last_seen(session_id)
        if served is not None:
            seen = max(seen, served)
    return seen


def sign_out() -> None:
    logout_user()
    session.clear()


def enforce_timeouts() -> None:
    """End a session idle for 15 minutes or older than 8 hours; the login page then says why."""
    if request.endpoint == "static" or SIGNED_IN_AT not in session:
        return
    moment = now().timestamp()
    idle = moment - float(session.get(SEEN_AT, 0))
    if idle > IDLE_TIMEOUT.total_seconds():  # the page cache may have served it since: ask (rarely needed)
        idle = moment - last_seen()
    age = moment - float(session.get(SIGNED_IN_AT, 0))
    if age > ABSOLUTE_TIMEOUT.total_seconds():
        session.clear()
        flash(_("Сеанс завершён: с момента входа прошло 8 часов. Войдите снова."), "info")
        return
    if idle > IDLE_TIMEOUT.total_seconds():
        session.clear()
        flash(_("Сеанс завершён: вы не были активны 15 минут. Войдите снова."), "info")
        return
    session[SEEN_AT] = moment


def init_app(app: Flask) -> None:
    app.before_request(enforce_timeouts)

    @app.context_processor
    def signed_in() -> dict[str, object]:
        return {"signed_in": current_user.is_authenticated}
