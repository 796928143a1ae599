"""The pages every later issue stands on: start page, menu, health check, error pages, language."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from portal.extensions import db
from tests.conftest import make_app, running


def test_start_page_has_the_button_into_the_cabinet(client: FlaskClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Личный кабинет клиентов АО «Казахстанская Жилищная Компания»" in page
    assert "Первичная авторизация" in page
    assert '<html lang="ru">' in page
    assert "/static/vendor/htmx-2.0.11.min.js" in page
    assert response.headers["Vary"] == "HX-Request" or "HX-Request" in response.headers["Vary"]


def test_htmx_is_vendored_with_its_licence(client: FlaskClient) -> None:
    with client.get("/static/vendor/htmx-2.0.11.min.js") as script:
        assert script.status_code == 200 and b"htmx" in script.data
    with client.get("/static/vendor/htmx-2.0.11.LICENSE") as licence:
        assert licence.status_code == 200 and b"BSD" in licence.data


@pytest.mark.parametrize(
    "path", ["/profile", "/contracts", "/contracts/1", "/schedule", "/schedule/1", "/history", "/history/1"]
)
def test_cabinet_pages_ask_a_visitor_to_sign_in(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_unknown_page_is_a_404_page_in_russian(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Страница не найдена" in page
    assert "Traceback" not in page


def test_a_crash_is_a_500_page_without_a_stack_trace(migrated: str) -> None:
    app = make_app(migrated, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    with running(app):
        response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Что-то пошло не так" in page
    assert "secret internals" not in page and "Traceback" not in page


def test_a_post_without_csrf_token_gets_a_page_not_a_bare_400(migrated: str) -> None:
    app = make_app(migrated)

    @app.post("/echo")
    def echo() -> str:
        return "accepted"

    with running(app):
        response = app.test_client().post("/echo", data={"x": "1"})
    assert response.status_code == 400
    assert "Страница устарела" in response.get_data(as_text=True)


def test_language_is_chosen_with_lang_and_remembered(client: FlaskClient) -> None:
    chosen = client.get("/?lang=kk")
    assert '<html lang="kk">' in chosen.get_data(as_text=True)
    assert "lang=kk" in chosen.headers["Set-Cookie"]

    later = client.get("/faq")
    assert '<html lang="kk">' in later.get_data(as_text=True)


def test_an_unknown_language_falls_back_to_russian(client: FlaskClient) -> None:
    response = client.get("/?lang=de")
    assert '<html lang="ru">' in response.get_data(as_text=True)
    assert "lang=" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("app", [{"REDIS_URL": None}], indirect=True)
def test_healthz_without_redis_configured(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "not configured"}


def test_healthz_reports_redis_and_503_when_it_goes_away(migrated: str, redis_url: str) -> None:
    app = make_app(migrated, REDIS_URL=redis_url)
    with running(app):
        client = app.test_client()
        assert client.get("/healthz").json == {"status": "ok", "database": "ok", "redis": "ok"}

        app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.data)["redis"] == "unreachable"


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path: object) -> None:
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with running(app):
        response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json is not None and response.json["database"] == "unreachable"


def test_database_is_reachable_through_the_configured_url(app: Flask) -> None:
    assert db.session.execute(text("SELECT 1")).scalar() == 1
