"""Sessions: a new id at login, 15 minutes idle and 8 hours at most, and logout ending every session."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import AuthActions, FakeClock

pytestmark = pytest.mark.usefixtures("demo")


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_login_gives_a_new_session(client: FlaskClient, auth: AuthActions, app: Flask) -> None:
    client.get("/register")
    before = session_cookie(client)
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert "csrf_token" in serializer.loads(before)

    auth.login()

    after = serializer.loads(session_cookie(client))
    assert "csrf_token" not in after  # nothing of the session before sign-in survives it
    assert after["_user_id"]


def test_the_session_cookie_is_httponly_and_lax_and_not_remembered(client: FlaskClient, auth: AuthActions) -> None:
    response = auth.login()

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "remember_token" not in str(response.headers)


def test_fifteen_idle_minutes_end_the_session_and_keep_where_the_client_was_going(
    client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    auth.login()
    clock.advance(minutes=14, seconds=59)
    assert client.get("/contracts").status_code == 200  # activity restarts the idle clock
    clock.advance(minutes=14, seconds=59)
    assert client.get("/contracts").status_code == 200

    clock.advance(minutes=15, seconds=1)
    response = client.get("/schedule")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fschedule"
    assert "вы не были активны 15 минут" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_eight_hours_end_the_session_however_active(client: FlaskClient, auth: AuthActions, clock: FakeClock) -> None:
    auth.login()
    for _ in range(8 * 6):
        clock.advance(minutes=10)
        assert client.get("/profile").status_code == 200
    assert clock.current.hour == 14  # 06:00 UTC + 8 hours, active every 10 minutes

    clock.advance(seconds=1)
    response = client.get("/profile")
    assert response.status_code == 302
    assert "прошло 8 часов" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_cookie_copied_before_logout_does_not_work_after_it(
    client: FlaskClient, auth: AuthActions, app: Flask
) -> None:
    auth.login()
    copied = session_cookie(client)
    other_device = app.test_client()
    other_device.set_cookie("session", copied)
    assert other_device.get("/profile").status_code == 200

    auth.logout()

    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/profile").status_code == 302
    assert other_device.get("/profile").status_code == 302


def test_a_password_reset_ends_every_other_session(client: FlaskClient, auth: AuthActions, app: Flask) -> None:
    auth.login()
    phone_session = app.test_client()
    phone_session.set_cookie("session", session_cookie(client))

    stranger = app.test_client()
    assert AuthActions(stranger, auth.outbox).reset_password("Danik#Astana2027").status_code == 303

    assert phone_session.get("/profile").status_code == 302
    assert client.get("/profile").status_code == 302
    assert stranger.get("/profile").status_code == 200


def test_an_htmx_request_after_the_session_ended_leaves_for_the_login_page_whole(
    client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    auth.login()
    clock.advance(minutes=16)

    response = client.get("/schedule?page=2", headers={"HX-Request": "true", "HX-Target": "schedule-table"})

    assert response.headers["HX-Redirect"] == "/login?next=%2Fschedule%3Fpage%3D2"
    assert response.get_data(as_text=True) == ""  # nothing to swap into the table


def test_an_htmx_request_that_fails_replaces_the_page_not_the_region(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()

    response = client.get("/contracts/999999", headers={"HX-Request": "true", "HX-Target": "contract-panel"})

    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "body"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert "Страница не найдена" in response.get_data(as_text=True)
