"""Per-address limits on the sign-in endpoints: 60 POSTs a minute, shared by every endpoint and, with Redis,
by every app instance; a limited request gets a page in the user's language with HTTP 429."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db, limiter
from tests.conftest import FakeClock, csrf_token, make_app, running


def post_identify(client: FlaskClient, token: str, path: str = "/login") -> int:
    data = {"csrf_token": token, "account": "1000000001", "iin": "880515301238"}
    return client.post(path, data=data).status_code


def sixty_one_posts(client: FlaskClient) -> list[int]:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    # Spread over two sign-in endpoints: the limit is one budget for all of them.
    return [post_identify(client, token, "/login" if i % 2 else "/register") for i in range(61)]


def test_the_sixty_first_post_in_a_minute_is_refused_with_a_page(client: FlaskClient) -> None:
    statuses = sixty_one_posts(client)

    assert 429 not in statuses[:60]
    assert statuses[60] == 429
    token = csrf_token(client.get("/login").get_data(as_text=True))
    refused = client.post("/login", data={"csrf_token": token})
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Слишком много попыток" in page
    assert '<html lang="ru">' in page


def test_reading_pages_is_not_limited(client: FlaskClient) -> None:
    sixty_one_posts(client)
    assert client.get("/login").status_code == 200
    assert client.get("/faq").status_code == 200


def test_the_only_limit_is_the_sign_in_endpoints_on_posts(app: Flask) -> None:
    declared = [
        (route, limit.methods) for route, limits in limiter.limit_manager._decorated_limits.items() for limit in limits
    ]

    assert declared, "the sign-in endpoints' limit is declared"
    for route, methods in declared:
        assert methods and {m.upper() for m in methods} == {"POST"}, route
    assert not limiter.limit_manager.default_limits
    assert not limiter.limit_manager.application_limits


def test_another_address_has_its_own_budget(app: Flask, client: FlaskClient) -> None:
    sixty_one_posts(client)
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.20.30.40"
    token = csrf_token(other.get("/login").get_data(as_text=True))
    assert post_identify(other, token) == 200


@pytest.mark.parametrize("app", [{"REDIS_URL": None}], indirect=True)  # counted in memory, by the clock moved here
def test_the_limit_is_per_minute(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    sixty_one_posts(client)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 61)
    token = csrf_token(client.get("/login").get_data(as_text=True))
    assert post_identify(client, token) == 200


@pytest.fixture
def two_instances(migrated: str, redis_url: str, tmp_path: Path) -> Iterator[tuple[FlaskClient, FlaskClient]]:
    """Two app instances that share PostgreSQL/SQLite and one Redis, as behind a load balancer."""
    settings = {"REDIS_URL": redis_url, "PORTAL_CLOCK": FakeClock(), "PORTAL_SMS_OUTBOX": str(tmp_path / "o")}
    first, second = make_app(migrated, **settings), make_app(migrated, **settings)
    with running(first), running(second):
        yield first.test_client(), second.test_client()


def test_with_redis_two_instances_share_one_budget(
    two_instances: tuple[FlaskClient, FlaskClient], redis_url: str
) -> None:
    first, second = two_instances
    token_first = csrf_token(first.get("/login").get_data(as_text=True))
    token_second = csrf_token(second.get("/login").get_data(as_text=True))

    statuses = [post_identify(first if i % 2 else second, token_first if i % 2 else token_second) for i in range(61)]

    assert 429 not in statuses[:60]
    assert statuses[60] == 429
    counters = redis.Redis.from_url(redis_url)
    try:
        assert counters.keys("*sign-in*"), "the counters must live in Redis, where every instance sees them"
    finally:
        counters.close()


def test_when_redis_goes_away_sign_in_keeps_working_and_the_log_says_so(
    migrated: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    app = make_app(migrated, REDIS_URL="redis://127.0.0.1:1/0", PORTAL_SMS_OUTBOX=str(tmp_path / "o"))
    with running(app):
        client = app.test_client()
        token = csrf_token(client.get("/login").get_data(as_text=True))
        assert post_identify(client, token) == 200
        assert client.get("/healthz").status_code == 503  # operators see it too
        db.session.remove()
    assert any("Redis unreachable" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
