"""The baselines the benchmark compares every page with: a bare Flask app served the same way (gunicorn with
gunicorn.conf.py).

    /bare/html                 5 KB of HTML
    /bare/sql                  one trivial SQL query (SQLAlchemy's pool, pinged, in a transaction, as
                               Flask-SQLAlchemy's defaults would run it)
    /bare/signed-in/sql        the ceiling of a signed-in page: the least any of them must do, with nothing of the
    /bare/signed-in/redis      cabinet's (no hooks, no Flask-Login, no ORM, no template). Flask's signed session
                               cookie is read; one round trip asks shared state whether that session still stands
                               (DESIGN §4: logout and a password change end every session of a client on every
                               instance, so no instance may decide it alone): the client's session version by
                               its key in PostgreSQL through the bare driver in autocommit, or one Redis GET; the
                               last-seen time is written and the cookie signed again (the 15-minute idle
                               timeout). Then the same 5 KB.
    POST /bare/sign-in         gives the benchmark's pool its cookies for the two above (the client's id and its
                               session version, from the database, also put in Redis)

No page of any design that keeps those two rules (a signed cookie, sessions ended everywhere at once) can be
faster than the ceiling; its ratio to /bare/html is what such a page could reach on this machine at best.

    gunicorn -c gunicorn.conf.py bench.bare:app      (DATABASE_URL and REDIS_URL as for the cabinet, SECRET_KEY)
"""

from __future__ import annotations

import os
import time
from functools import cache

import psycopg
import redis
from flask import Flask, abort, request, session
from sqlalchemy import Engine, create_engine, text

from portal.config import normalise_database_url

app = Flask(__name__)
app.secret_key = os.environ.get("SECRET_KEY")
PAGE = "<!doctype html><html lang=ru><title>bare</title><main>" + "<p>Личный кабинет</p>" * 150 + "</main></html>"
SESSION_VERSION = "SELECT session_version FROM clients WHERE id = %s"


@app.get("/bare/html")
def html() -> str:
    return PAGE


@cache
def engine() -> Engine:
    """One pool per worker, made on first use (after gunicorn forks), as Flask-SQLAlchemy does for the cabinet."""
    return create_engine(normalise_database_url(os.environ["DATABASE_URL"]), pool_pre_ping=True)


@app.get("/bare/sql")
def sql() -> str:
    with engine().connect() as connection:
        return str(connection.execute(text("SELECT 1")).scalar_one())


@cache
def connection() -> psycopg.Connection[tuple[int]]:
    """One connection per worker, in autocommit: a statement is one round trip, as on the cabinet's read pages."""
    return psycopg.connect(os.environ["DATABASE_URL"].replace("postgresql+psycopg", "postgresql"), autocommit=True)


@cache
def shared() -> redis.Redis:
    return redis.Redis.from_url(os.environ["REDIS_URL"])


def redis_key(client: int) -> str:
    return f"bare:session-version:{client}"


@app.post("/bare/sign-in")
def sign_in() -> str:
    client = request.form.get("client", type=int)
    row = connection().execute(SESSION_VERSION, (client,)).fetchone() if client is not None else None
    if client is None or row is None:
        abort(404)
    shared().set(redis_key(client), row[0])
    session.clear()
    session.update(client=client, version=row[0], seen_at=time.time())
    return "signed in"


def still_signed_in(version: object) -> str:
    if version is None or session.get("version") != int(version):
        abort(401)
    session["seen_at"] = time.time()
    return PAGE


@app.get("/bare/signed-in/sql")
def signed_in_sql() -> str:
    row = connection().execute(SESSION_VERSION, (session.get("client"),)).fetchone()
    return still_signed_in(row[0] if row else None)


@app.get("/bare/signed-in/redis")
def signed_in_redis() -> str:
    return still_signed_in(shared().get(redis_key(session.get("client", 0))))
