"""Views that only read run without a transaction of their own: two round trips to the database fewer a page.

A request's first statement otherwise opens a transaction (the driver sends BEGIN) and the request's end closes
it (ROLLBACK): with the session's check, the contracts and a contract's view, that was 5 round trips for 3
statements, and on a busy machine each round trip waits for PostgreSQL to be scheduled (docs/performance.md).
In autocommit each statement is its own transaction. PostgreSQL's READ COMMITTED, the default, already gives each
statement its own snapshot inside a transaction, so a page that only reads sees exactly what it saw before.

Only for views that write nothing, or one row in one statement (a language chosen with ?lang=, see i18n): a
view that writes more than one row must keep its transaction, so that a failure leaves no half of it behind.

Such a view is also run again, once, when the database connection it was given turns out to be gone (PostgreSQL
restarted, a failover, a connection cut by a firewall): it wrote nothing that a second run would write twice.
So the pool hands it a connection without first pinging it (one round trip fewer on every page); every other
request, and every command, still gets a pinged connection, as SQLAlchemy's pool_pre_ping would give it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError

from portal.extensions import db

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def reads_only(view: Callable[P, R]) -> Callable[P, R]:
    """Run the view's statements, from the session's own check on, each in its own transaction. Put it above
    `login_required`, which loads the client."""

    @wraps(view)
    def without_transaction(*args: P.args, **kwargs: P.kwargs) -> R:
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        try:
            return view(*args, **kwargs)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        # SQLAlchemy saw the connection gone and has discarded the pool's connections made before it: run the view
        # again on a new one, with the session's client read again (Flask-Login keeps the first attempt's in g).
        log.warning("the database connection was gone; the page is read again on a new one")
        db.session.close()
        g.pop("_login_user", None)
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return view(*args, **kwargs)

    without_transaction.reads_only = True  # type: ignore[attr-defined]
    return without_transaction


def _reads_only_request() -> bool:
    if not has_request_context():
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "reads_only", False))


def ping_unless_reading(engine: Engine) -> None:
    """Ping each connection the pool hands out, as pool_pre_ping does, but for a view that only reads (which is
    run again on a new connection instead): a dead connection is then discarded and another one taken."""

    @event.listens_for(engine, "checkout")
    def ping(dbapi_connection: object, record: object, proxy: object) -> None:
        if _reads_only_request():
            return
        try:
            engine.dialect.do_ping(dbapi_connection)  # type: ignore[arg-type]
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("the pooled connection did not answer") from error


def init_app(app: Flask) -> None:
    with app.app_context():
        for engine in db.engines.values():
            ping_unless_reading(engine)
