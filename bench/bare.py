"""The baseline the benchmark compares every page with: a bare Flask app served the same way (gunicorn with
gunicorn.conf.py), with one endpoint that returns 5 KB of HTML and one that runs one trivial SQL query.

    gunicorn -c gunicorn.conf.py bench.bare:app      (DATABASE_URL as for the cabinet)
"""

from __future__ import annotations

import os
from functools import cache

from flask import Flask
from sqlalchemy import Engine, create_engine, text

from portal.config import normalise_database_url

app = Flask(__name__)
PAGE = "<!doctype html><html lang=ru><title>bare</title><main>" + "<p>Личный кабинет</p>" * 150 + "</main></html>"


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
