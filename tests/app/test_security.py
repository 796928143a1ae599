"""Headers on every response, the request id on error pages, logout clearing the browser, production cookies,
the audit trail and JSON logs."""

from __future__ import annotations

import json
import logging

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from portal.auth.throttle import claim_try, client_account
from portal.clock import now
from portal.logs import JsonFormatter
from tests.conftest import AuthActions, make_app, running

PAGES = ["/", "/login", "/register", "/password/reset", "/faq", "/no-such-page", "/healthz"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client: FlaskClient, path: str) -> None:
    response = client.get(path)

    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for directive in (
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert len(response.headers["X-Request-Id"]) >= 8
    assert "Strict-Transport-Security" not in response.headers  # development speaks plain HTTP


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/login", {}, 200),  # a page
        ("/faq?page=2", {"HX-Request": "true"}, 200),  # a fragment
        ("/static/css/portal.css", {}, 200),  # a static file
        ("/no-such-page", {}, 404),  # an error page
        ("/contracts/abc", {"HX-Request": "true"}, 404),  # an error answered to htmx
        ("/profile", {}, 302),  # a redirect
        ("/profile", {"HX-Request": "true"}, 200),  # HX-Redirect: htmx leaves the page for the login
        ("/logout", {}, 405),
    ],
)
def test_no_answer_may_be_framed_by_another_site(
    client: FlaskClient, path: str, headers: dict[str, str], status: int
) -> None:
    response = client.get(path, headers=headers)

    assert response.status_code == status
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_refused_post_may_not_be_framed_either(client: FlaskClient) -> None:
    assert client.post("/logout").headers["X-Frame-Options"] == "DENY"  # 400: no CSRF token


@pytest.mark.parametrize("path", ["/", "/faq", "/faq?q=пароль"])
def test_a_visitor_reading_pages_without_forms_gets_no_cookie(client: FlaskClient, path: str) -> None:
    """Nothing is set in the browser of someone who only reads: no session, so no token to sign and send."""
    assert "Set-Cookie" not in client.get(path).headers
    assert "Set-Cookie" not in client.get(path, headers={"HX-Request": "true"}).headers
    assert "Set-Cookie" in client.get("/login").headers  # a form's page starts the session its token needs


def test_pages_have_no_inline_script_or_style(client: FlaskClient) -> None:
    for path in PAGES[:-1]:
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and "style=" not in page and "<style" not in page, path
        assert " on" + "click=" not in page


@pytest.mark.usefixtures("demo")
def test_logout_clears_the_browsers_cache_and_storage(auth: AuthActions) -> None:
    auth.login()
    response = auth.logout()
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_an_error_page_shows_the_request_id_of_its_log_lines(client: FlaskClient) -> None:
    response = client.get("/no-such-page", headers={"X-Request-Id": "nginx-req-12345678"})
    assert response.headers["X-Request-Id"] == "nginx-req-12345678"
    assert "nginx-req-12345678" in response.get_data(as_text=True)

    forged = client.get("/no-such-page", headers={"X-Request-Id": "<script>"})
    assert "<script>" not in forged.headers["X-Request-Id"]


def test_production_adds_hsts_and_a_host_only_secure_cookie(migrated: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORTAL_TODAY", raising=False)
    app = make_app(migrated, PORTAL_ENV="production", PORTAL_TODAY=None)
    with running(app):
        client = app.test_client()
        response = client.get("/register", base_url="https://cabinet.example.kz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie


@pytest.mark.usefixtures("demo")
def test_the_audit_trail_records_sign_ins_failures_throttled_tries_codes_and_passwords(
    auth: AuthActions, runner: FlaskCliRunner
) -> None:
    auth.login(password="Wrong#2026")
    auth.login()
    auth.logout()
    for _ in range(4):
        claim_try(client_account("1000000001", "880515301238"), "127.0.0.1", now())
    auth.login(password="Wrong#2026")
    auth.login(password="Wrong#2026")
    auth.submit_facts()
    auth.submit_code("000000" if auth.last_code() != "000000" else "111111")
    auth.submit_code(auth.last_code())
    auth.submit_password("Ainur#Home2027")

    result = runner.invoke(args=["portal", "audit", "--limit", "100"])

    lines = result.output.splitlines()
    events = [line.split()[3] for line in lines]
    for event in (
        "login_failed",
        "login_succeeded",
        "logout",
        "login_throttled",
        "code_sent",
        "code_rejected",
        "password_set",
    ):
        assert event in events, event
    assert "8805****1238" in result.output and "880515301238" not in result.output
    assert "127.0.0.1" in result.output
    only = runner.invoke(args=["portal", "audit", "--iin", "921102404563"]).output
    assert "password_set" in only and "8805****1238" not in only


def test_log_lines_are_json_with_the_request_id(app: object, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="portal.requests")
    client = app.test_client()  # type: ignore[attr-defined]
    response = client.get("/faq?q=880515301238", headers={"X-Request-Id": "trace-abcdef12"})

    with app.test_request_context("/faq", headers={"X-Request-Id": "trace-abcdef12"}):  # type: ignore[attr-defined]
        line = JsonFormatter().format(caplog.records[-1])
    entry = json.loads(line)
    assert entry["logger"] == "portal.requests"
    assert entry["message"].startswith("GET /faq 200")
    assert entry["request_id"] == "trace-abcdef12"
    assert "880515301238" not in line  # the query string stays out of the log
    assert response.status_code == 200
