"""Configuration: documented variables, production refusals, and a schema that matches its migrations."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask

from portal import create_app
from portal.config import ConfigError
from portal.extensions import db
from tests.conftest import TEST_TOTP_KEY as KEY

PRODUCTION = {"PORTAL_ENV": "production", "SECRET_KEY": "k", "PORTAL_TOTP_KEY": KEY}


def test_environment_variables_configure_the_app(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://user@db.example:5432/portal")
    monkeypatch.setenv("PORTAL_TODAY", "2022-07-11")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/2")
    monkeypatch.setenv("PORTAL_REMIND_DAYS", "5")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["PORTAL_REMIND_DAYS"] == 5
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@db.example:5432/portal"
    assert app.config["PORTAL_TODAY"] == date(2022, 7, 11)
    assert app.config["REDIS_URL"] == "redis://127.0.0.1:6379/2"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"PORTAL_ENV": "production"}, "SECRET_KEY is required"),
        ({"PORTAL_ENV": "production", "SECRET_KEY": "k"}, "PORTAL_TOTP_KEY is required"),
        ({"PORTAL_TOTP_KEY": "not-a-key"}, "PORTAL_TOTP_KEY: key 1 is not a Fernet key"),
        ({"PORTAL_TOTP_KEY": f"{KEY},short"}, "PORTAL_TOTP_KEY: key 2 is not a Fernet key"),
        ({**PRODUCTION, "PORTAL_TODAY": "2022-07-11"}, "PORTAL_TODAY is refused"),
        ({"PORTAL_TODAY": "11.07.2022"}, "PORTAL_TODAY must be YYYY-MM-DD"),
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV must be"),
        ({"PORTAL_SMS_GATEWAY": "http"}, "PORTAL_SMS_URL is required"),
        ({"PORTAL_REMIND_DAYS": "three"}, "PORTAL_REMIND_DAYS must be a whole number"),
        ({"PORTAL_REMIND_DAYS": "-1"}, "PORTAL_REMIND_DAYS must be between 0 and 31"),
        ({"PORTAL_PASSWORD_HASH": "fast"}, "PORTAL_PASSWORD_HASH=fast is for tests only"),
        ({"PORTAL_PASSWORD_HASH": "fast", "TESTING": True, **PRODUCTION}, "for tests"),
        ({"PORTAL_PASSWORD_HASH": "md5", "TESTING": True}, "PORTAL_PASSWORD_HASH must be 'argon2id' or 'fast'"),
    ],
)
def test_a_configuration_that_cannot_work_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, settings: dict[str, str], message: str
) -> None:
    for name in ("SECRET_KEY", "PORTAL_TODAY", "PORTAL_ENV", "PORTAL_TOTP_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match=message):
        create_app({"SECRET_KEY": None, **settings})


def test_production_cookies_are_secure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORTAL_TODAY", raising=False)
    app = create_app({**PRODUCTION, "PORTAL_TODAY": None})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_the_migrations_build_exactly_the_models_schema(app: Flask) -> None:
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []
