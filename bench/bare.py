"""The yardstick of DESIGN §4: a bare Flask app served the same way as the cabinet (gunicorn with
gunicorn.conf.py), which every page of the cabinet is compared with in the same run.

    GET  /bare/schedule/<contract>?page=N   a signed-in page with nothing of the cabinet's: Flask reads its signed
                                            session cookie, one SQL statement reads 24 schedule rows of the
                                            client's own contract (the benchmark's data, scoped to the client in
                                            the cookie), and a Jinja template (autoescaped) renders them as a
                                            10 KB page
    GET  /bare/html                         5 KB of HTML from a string: Flask alone, a secondary reference
    POST /bare/sign-in                      gives a family of the benchmark's pool its session cookie

The statement goes through the same driver as the cabinet's (psycopg 3), on one connection a worker opened after
gunicorn forks, in autocommit: one round trip to PostgreSQL, the least a page that reads the database can do.

    gunicorn -c gunicorn.conf.py 'bench.bare:create_app()'      (DATABASE_URL as for the cabinet, SECRET_KEY)
"""

from __future__ import annotations

import os
from decimal import Decimal
from functools import cache
from typing import Any

import psycopg
from flask import Blueprint, Flask, abort, current_app, render_template, request, session

bp = Blueprint("bare", __name__, template_folder="templates")
PAGE = "<!doctype html><html lang=ru><title>bare</title><main>" + "<p>Личный кабинет</p>" * 150 + "</main></html>"
ROWS = 24
# The client's own contract only: the cookie's client scopes the rows, as every lookup of the cabinet is scoped.
SCHEDULE = """
SELECT e.due_on, e.principal, e.interest, e.debited
FROM schedule_entries e JOIN contracts c ON c.id = e.contract_id
WHERE e.contract_id = %s AND c.client_id = %s
ORDER BY e.due_on LIMIT %s OFFSET %s
"""


@bp.get("/bare/html")
def html() -> str:
    return PAGE


@cache
def connection(url: str) -> psycopg.Connection[Any]:
    """One connection per worker and database, made on first use (after gunicorn forks), in autocommit."""
    return psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True)


@bp.post("/bare/sign-in")
def sign_in() -> str:
    client = request.form.get("client", type=int)
    if client is None:
        abort(400)
    session.clear()
    session["client"] = client
    return "signed in"


@bp.app_template_filter("amount")
def amount(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", "\u00a0").replace(".", ",") + "\u00a0₸"


@bp.get("/bare/schedule/<int:contract>")
def schedule(contract: int) -> str:
    client = session.get("client")
    if client is None:
        abort(401)
    page = max(request.args.get("page", 1, type=int), 1)
    rows = (
        connection(current_app.config["DATABASE_URL"])
        .execute(SCHEDULE, (contract, client, ROWS, (page - 1) * ROWS))
        .fetchall()
    )
    if not rows and page == 1:
        abort(404)
    first = (page - 1) * ROWS + 1
    return render_template("bare_schedule.html", contract=contract, page=page, first=first, rows=rows)


def create_app(database_url: str | None = None, secret_key: str | None = None) -> Flask:
    """The bare app on the benchmark's database (DATABASE_URL unless given), signing with SECRET_KEY."""
    app = Flask(__name__)
    app.secret_key = secret_key or os.environ["SECRET_KEY"]
    app.config["DATABASE_URL"] = database_url or os.environ["DATABASE_URL"]
    app.register_blueprint(bp)
    return app
