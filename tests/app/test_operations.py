"""Operations: /metrics for a scraper on loopback or with a token, and a clear page when the database is away."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from prometheus_client import REGISTRY

from portal.auth.throttle import claim_try, client_account
from portal.clock import now
from tests.conftest import AuthActions, make_app, running


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.usefixtures("demo")
def test_metrics_count_requests_sign_ins_codes_and_throttled_tries(client: FlaskClient, auth: AuthActions) -> None:
    before = {
        "signed_in": sample("portal_sign_ins_total", outcome="signed_in"),
        "failed": sample("portal_sign_ins_total", outcome="failed"),
        "throttled": sample("portal_sign_ins_total", outcome="throttled"),
        "codes": sample("portal_codes_total", outcome="sent"),
        "faq": sample("portal_requests_total", route="/faq", method="GET", status="200"),
    }
    client.get("/faq")
    auth.login()
    auth.logout()
    for _ in range(4):
        claim_try(client_account("1000000001", "880515301238"), "127.0.0.1", now())
    auth.login(password="Wrong#2026")
    auth.login(password="Wrong#2026")
    auth.submit_facts()

    body = client.get("/metrics").get_data(as_text=True)

    assert "portal_request_seconds_bucket" in body
    assert sample("portal_requests_total", route="/faq", method="GET", status="200") == before["faq"] + 1
    assert sample("portal_sign_ins_total", outcome="signed_in") == before["signed_in"] + 1
    assert sample("portal_sign_ins_total", outcome="failed") == before["failed"] + 1
    assert sample("portal_sign_ins_total", outcome="throttled") == before["throttled"] + 1
    assert sample("portal_codes_total", outcome="sent") == before["codes"] + 1


def test_metrics_are_hidden_from_the_network_unless_the_token_is_given(migrated: str) -> None:
    app = make_app(migrated, PORTAL_METRICS_TOKEN="scrape-me-please")
    with running(app):
        outside = app.test_client()
        outside.environ_base["REMOTE_ADDR"] = "203.0.113.7"
        assert outside.get("/metrics").status_code == 404
        assert outside.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
        assert outside.get("/metrics", headers={"Authorization": "Bearer scrape-me-please"}).status_code == 200
        proxied = app.test_client()
        assert proxied.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 404


def test_when_the_database_goes_away_the_client_gets_a_clear_page(tmp_path: object) -> None:
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with running(app):
        client = app.test_client()
        page = client.get("/register")
        from tests.conftest import csrf_token

        response = client.post(
            "/login",
            data={
                "csrf_token": csrf_token(page.get_data(as_text=True)),
                "account": "1000000001",
                "iin": "880515301238",
                "password": "x",
            },
        )
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "Сервис временно недоступен" in body
    assert "Traceback" not in body and "psycopg" not in body
