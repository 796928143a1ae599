"""Fixtures shared by every test: a migrated database (SQLite, or PostgreSQL when DATABASE_URL names one),
the app, its test client and CLI runner, and a fixed "today"."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import delete
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db

# A fixed day for every test that does not choose its own: statuses must not depend on when tests run.
TODAY = date(2026, 11, 24)
ARTIFACTS = Path(__file__).parent / "artifacts"


def _admin_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database for this run: a new PostgreSQL database when DATABASE_URL names a server, else SQLite."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql")):
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    server = server.replace("postgres://", "postgresql://", 1)
    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(_admin_dsn(server), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.exit(f"DATABASE_URL names a PostgreSQL server that does not answer: {error}", returncode=3)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield make_url(server).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    with psycopg.connect(_admin_dsn(server), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(database_url: str, **overrides: Any) -> Flask:
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": None,
        "PORTAL_TODAY": TODAY,
        "PORTAL_ENV": "development",
    }
    config.update(overrides)
    return create_app(config)


@contextmanager
def running(app: Flask) -> Iterator[Flask]:
    """An app context for a test's own app, leaving no database connection open behind it."""
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    """The schema, built by the migrations themselves (so that they are tested too)."""
    with running(make_app(database_url)):
        upgrade()
    return database_url


def empty_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()


@pytest.fixture
def app(migrated: str, request: pytest.FixtureRequest) -> Iterator[Flask]:
    overrides = getattr(request, "param", {})
    app = make_app(migrated, **overrides)
    with app.app_context():
        yield app
        db.session.rollback()
        empty_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def demo(app: Flask) -> None:
    """The demo accounts as `portal demo` loads them on TODAY."""
    from portal.demo import load_demo

    load_demo(db.session, TODAY)
